// Generated from the Rust tables by `make generate` (src/generated.rs): do not edit.
import type { AvatarUpdate, DeviceAlert, Person, RecognitionRecord, SenseLinkDepartment, SenseLinkDevice, SenseLinkGroup, SenseLinkGroupRef } from "../senselink.js";
import { float, int, key, name, objects, secs, str, time, type Raw } from "../shape.js";

/** Decodes one person (absent or odd fields become `null`). */
export function person(o: Raw): Person {
  return {
    id: key(o.id),
    name: name(o.name),
    type: int(o.type) as Person["type"],
    lastType: int(o.last_type ?? o.lastType),
    avatar: str(o.avatar),
    mobile: str(o.mobile),
    areaCode: str(o.area_code ?? o.areaCode),
    remark: str(o.remark),
    gender: int(o.gender),
    birthday: str(o.birthday),
    mail: str(o.mail),
    position: str(o.position),
    location: str(o.location),
    prompt: str(o.prompt),
    icNumber: str(o.ic_number ?? o.icNumber),
    idNumber: str(o.id_number ?? o.idNumber),
    jobNumber: str(o.job_number ?? o.jobNumber),
    companyId: int(o.company_id ?? o.companyId),
    departmentId: int(o.department_id ?? o.departmentId),
    entryTime: str(o.entry_time ?? o.entryTime),
    groups: objects(o.groupList ?? o.groups, groupRef, null),
    receptionUserId: int(o.reception_user_id ?? o.receptionUserId),
    receptionUserName: str(o.reception_user_name ?? o.receptionUserName),
    dateTimeFrom: time(o.date_time_from ?? o.dateTimeFrom),
    dateTimeTo: time(o.date_time_to ?? o.dateTimeTo),
    guestCompany: str(o.guest_company ?? o.guestCompany),
    guestPurpose: str(o.guest_purpose ?? o.guestPurpose),
    guestLevel: str(o.guest_level ?? o.level ?? o.guestLevel),
    createBy: str(o.create_by ?? o.createBy),
    createAt: time(o.create_at ?? o.createAt),
    updateAt: time(o.update_at ?? o.updateAt),
  };
}

/** Decodes one groupRef (absent or odd fields become `null`). */
export function groupRef(o: Raw): SenseLinkGroupRef {
  return {
    id: int(o.id),
    name: str(o.name),
    type: int(o.type),
  };
}

/** Decodes one group (absent or odd fields become `null`). */
export function group(o: Raw): SenseLinkGroup {
  return {
    id: key(o.id),
    name: name(o.name),
    type: int(o.type),
    remark: str(o.remark),
    userCount: int(o.user_count ?? o.userCount),
    createAt: time(o.create_at ?? o.createAt),
    updateAt: time(o.update_at ?? o.updateAt),
  };
}

/** Decodes one department (absent or odd fields become `null`). */
export function department(o: Raw): SenseLinkDepartment {
  return {
    id: key(o.id),
    name: name(o.name),
    code: str(o.code),
    parentId: int(o.parent_id ?? o.parentId),
    leaderId: int(o.leader_id ?? o.leaderId),
    leaderName: str(o.leader_name ?? o.leaderName),
    userNum: int(o.user_num ?? o.userNum),
    children: objects(o.children, department, []),
  };
}

/** Decodes one record (absent or odd fields become `null`). */
export function record(o: Raw): RecognitionRecord {
  return {
    id: key(o.id),
    userId: int(o.user_id ?? o.userId),
    name: name(o.name),
    type: int(o.type),
    signTime: secs(o.sign_time ?? o.signTime),
    deviceId: int(o.device_id ?? o.deviceId),
    deviceName: str(o.device_name ?? o.deviceName),
    deviceLdid: str(o.device_ldid ?? o.deviceLdid),
    location: str(o.location),
    direction: int(o.direction),
    verifyScore: float(o.verify_score ?? o.verifyScore),
    mask: int(o.mask),
    jobNumber: str(o.job_number ?? o.jobNumber),
    icNumber: str(o.ic_number ?? o.icNumber),
    snapshotUrl: str(o.snapshot_url ?? o.snapshotUrl),
  };
}

/** Decodes one deviceAlert (absent or odd fields become `null`). */
export function deviceAlert(o: Raw): DeviceAlert {
  return {
    deviceId: int(o.device_id ?? o.deviceId),
    deviceName: str(o.device_name ?? o.deviceName),
    deviceLdid: str(o.device_ldid ?? o.deviceLdid),
    alertType: int(o.alert_type ?? o.alertType),
    alertMessage: str(o.alert_message ?? o.alertMessage),
    alertTime: secs(o.alert_time ?? o.alertTime),
  };
}

/** Decodes one device (absent or odd fields become `null`). */
export function device(o: Raw): SenseLinkDevice {
  return {
    id: key(o.id),
    name: name(o.name),
    ldid: str(o.ldid),
    location: str(o.location),
    status: int(o.status),
    type: str(o.type),
    lastHeartbeat: secs(o.last_heartbeat ?? o.lastHeartbeat),
  };
}

/** Decodes one avatarUpdate (absent or odd fields become `null`). */
export function avatarUpdate(o: Raw): AvatarUpdate {
  return {
    employeeId: str(o.employee_id ?? o.employeeId),
    imageUrl: str(o.image_URL ?? o.image_url ?? o.imageUrl),
    remark: int(o.remark),
  };
}

/** What each operation's answer becomes (see `src/senselink/operations.rs`). */
export const OUTPUTS = {
  "employees.create": ["person", 1],
  "employees.update": ["person", 1],
  "employees.delete": "nothing",
  "employees.avatarsUpdatedOn": ["list", "avatarUpdate"],
  "visitors.create": ["person", 2],
  "visitors.update": ["person", 2],
  "visitors.delete": "nothing",
  "denyList.create": ["person", 5],
  "denyList.moveIn": "nothing",
  "denyList.moveOut": "nothing",
  "denyList.update": ["person", 5],
  "denyList.delete": "nothing",
  "persons.list": "persons",
  "groups.create": ["one", "group"],
  "groups.list": ["list", "group"],
  "groups.members": "persons",
  "groups.update": ["one", "group"],
  "groups.delete": "nothing",
  "departments.list": ["list", "department"],
  "departments.byCode": ["one", "department"],
  "records.list": "records",
  "devices.list": ["list", "device"],
  "recognition.check": "count",
  "recognition.quality": "camel",
  "system.version": "camel",
  "system.company": "camel",
} as const;

/** Every SenseLink operation the client knows. */
export type SenseLinkOperation = keyof typeof OUTPUTS;
