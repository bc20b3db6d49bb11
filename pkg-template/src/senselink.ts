/**
 * SenseLink Open Platform client (SenseTime face-recognition access control): employees, visitors
 * and the deny list with face photos, person search, groups, departments, recognition records,
 * face-photo checks, a signing proxy for Workers and the push-event parser.
 *
 * Every request is signed with `md5(timestamp#appSecret)` and a fresh millisecond timestamp, or —
 * in a browser, with `proxy: true` — sent unsigned to a {@link createSenseLinkProxy} that holds the
 * secret. Inputs are validated before anything is sent (`INVALID_INPUT` naming the field and the
 * rule); answers with `code != 200` reject with a {@link SenseLinkError} carrying a stable `code`.
 */
import { drive } from "./driver.js";
import { checkHooks, type ClientHooks } from "./hooks.js";
import { senselinkWasm } from "./instance.js";
import { invalidInput, makeError, nameClasses } from "./errors.js";
import * as generated from "./generated/senselink.js";
import { OUTPUTS, type SenseLinkOperation } from "./generated/senselink.js";
import type { FileInput } from "./http.js";
import { camelize, type Raw } from "./shape.js";
import { checkLimits, type CallOptions, type FetchLike } from "./transport.js";

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/** Which SenseLink product answers. Decides required employee fields, the Cloud-only list
 * filters, and the records (v5 / v3) and face-quality (v3 / v1) endpoints. */
export type SenseLinkEdition = "cloud" | "enterprise";

/** Options shared by both client modes. */
export interface SenseLinkCommonOptions extends ClientHooks {
  /**
   * Direct mode: the SenseLink base URL (`https://link.japancv.co.jp`, `https://HOST:PORT`).
   * Proxy mode: the URL the proxy is mounted at (`https://worker.example/senselink`, or a path on
   * the page's origin such as `/senselink`). Paths `/api/...` are appended to it.
   */
  readonly baseUrl: string;
  /** Default `"cloud"`. */
  readonly edition?: SenseLinkEdition;
  /** A `fetch` to use instead of the global one. */
  readonly fetch?: FetchLike;
  /** Default deadline of a call in milliseconds (default 60 000; a call's own `timeoutMs` wins).
   * It covers pacing waits, retries and reading the answer. */
  readonly timeoutMs?: number;
  /** Answers larger than this many bytes fail with `RESPONSE_TOO_LARGE` (default 16 MiB). */
  readonly maxResponseBytes?: number;
  /** Added to `Date.now()` when signing: set it when the local clock is off (the server refuses
   * timestamps more than 30 minutes away from its clock). */
  readonly clockOffsetMs?: number;
}

/** Direct mode: the client signs. Only where the secret may live (a Worker, a server). */
export interface SenseLinkDirectOptions extends SenseLinkCommonOptions {
  /** The app key (`app_key`). */
  readonly appKey: string;
  /** The app secret. Never ship it to a browser. */
  readonly appSecret: string;
  /** Absent or `false` in direct mode. */
  readonly proxy?: false;
}

/** Browser mode: unsigned requests to a {@link createSenseLinkProxy} that holds the secret. */
export interface SenseLinkProxyModeOptions extends SenseLinkCommonOptions {
  /** Send unsigned requests to `baseUrl`, where a signing proxy runs. */
  readonly proxy: true;
  /** Not accepted in proxy mode. */
  readonly appKey?: undefined;
  /** Not accepted in proxy mode (passing one is an `INVALID_INPUT` error). */
  readonly appSecret?: undefined;
}

/** Options of {@link SenseLinkClient}. */
export type SenseLinkClientOptions = SenseLinkDirectOptions | SenseLinkProxyModeOptions;

// ---------------------------------------------------------------------------------------------
// Inputs (the seed's parameter names; `undefined`/`null` = not sent / unchanged, `""` = empty)
// ---------------------------------------------------------------------------------------------

/** A SenseLink id: a number, or a string of digits. */
export type SenseLinkId = number | string;
/** `1` female, `2` male. */
export type Gender = 1 | 2;
/** Person types in answers: 1 employee, 2 visitor, 3 unknown, 4 non-living, 5 deny list. */
export type PersonType = 1 | 2 | 3 | 4 | 5;
/** `YYYY-MM-DD`, e.g. `"2019-06-15"`, or a `Date` (its day in Japan time, UTC+9). */
export type SenseLinkDate = string | Date;
/** `YYYY-MM-DD hh:mm:ss` in the server's local time (Japan), e.g. `"2018-07-20 12:30:45"`, or a
 * `Date` (written in Japan time, UTC+9). Answers always give the text form. */
export type SenseLinkDateTime = string | Date;

/** Makes every property optional and nullable (`null` = unchanged). */
export type SenseLinkPatch<T> = { readonly [K in keyof T]?: T[K] | null };

/** Add an employee (seed 2.4.1). Lengths are in characters. */
export interface EmployeeInput {
  /** Required, not empty. */
  readonly name: string;
  /** Face photo: JPEG or PNG, at most 4 MB. A `Blob`/`File` is sent as it is. */
  readonly avatar?: FileInput;
  /** Employee group ids (`[]` = no group). */
  readonly groups?: readonly SenseLinkId[];
  /** ≤ 20. Required (may be `""`) on `edition: "enterprise"`. */
  readonly icNumber?: string;
  /** ≤ 45. Required (may be `""`) on `edition: "enterprise"`. */
  readonly jobNumber?: string;
  /** ≤ 20. Required (may be `""`) on `edition: "enterprise"`. */
  readonly mobile?: string;
  /** ≤ 255. Required (may be `""`) on `edition: "enterprise"`. */
  readonly remark?: string;
  /** SenseLinkDepartment id (0 = none). */
  readonly departmentId?: SenseLinkId;
  /** Country and area code of the phone number. */
  readonly areaCode?: string;
  /** `YYYY-MM-DD`. */
  readonly birthday?: SenseLinkDate;
  /** Joining date, `YYYY-MM-DD`. */
  readonly entryTime?: SenseLinkDate;
  /** ≤ 45. */
  readonly mail?: string;
  /** ≤ 45. */
  readonly position?: string;
  /** ≤ 45. */
  readonly location?: string;
  /** 6–30 (documented as unavailable). */
  readonly idNumber?: string;
  /** 1 female, 2 male. */
  readonly gender?: Gender;
  /** Message shown at the terminal on recognition. */
  readonly prompt?: string;
  /** Register even when a similar face exists (after a `SENSELINK_SIMILAR_PERSON` error). */
  readonly force?: boolean;
}

/** Change an employee (seed 2.4.2): omitted or `null` = unchanged, `""` = cleared; `name` may not
 * be `""` (and is required on `edition: "enterprise"`). */
export type EmployeeUpdate = SenseLinkPatch<EmployeeInput>;

/** Add a visitor (seed 2.4.5). */
export interface VisitorInput {
  /** Required, ≤ 45. */
  readonly name: string;
  /** Required face photo: JPEG or PNG, at most 4 MB. */
  readonly avatar: FileInput;
  /** Required, not empty, ≤ 20. */
  readonly mobile: string;
  /** Required (may be `""`), ≤ 255. */
  readonly remark: string;
  /** Required visitor group ids (`[]` = no group). */
  readonly groups: readonly SenseLinkId[];
  /** Required: the employee who receives the visitor. */
  readonly receptionUserId: SenseLinkId;
  /** Required start of the visit, `YYYY-MM-DD hh:mm:ss`. */
  readonly dateTimeFrom: SenseLinkDateTime;
  /** Required end of the visit, `YYYY-MM-DD hh:mm:ss`, not before `dateTimeFrom`. */
  readonly dateTimeTo: SenseLinkDateTime;
  /** Register even when a similar face exists. */
  readonly force?: boolean;
  /** 6–30 (documented as unavailable). */
  readonly idNumber?: string;
  /** 1 female, 2 male. */
  readonly gender?: Gender;
  /** ≤ 45. */
  readonly guestCompany?: string;
  /** ≤ 45. */
  readonly position?: string;
  /** ≤ 45. */
  readonly guestPurpose?: string;
  /** ≤ 45. */
  readonly mail?: string;
  /** ≤ 20. */
  readonly icNumber?: string;
  /** `YYYY-MM-DD`. */
  readonly birthday?: SenseLinkDate;
  /** Visitor level, ≤ 20. */
  readonly level?: string;
  /** ≤ 45. */
  readonly prompt?: string;
  /** Country and area code of the phone number. */
  readonly areaCode?: string;
}

/** Change a visitor (seed 2.4.6): `name`, `groups`, `receptionUserId` and the visit window are
 * required again; the photo, `mobile` (not `""`) and `remark` are optional. */
export type VisitorUpdate = Pick<VisitorInput, "name" | "groups" | "receptionUserId" | "dateTimeFrom" | "dateTimeTo"> &
  SenseLinkPatch<Omit<VisitorInput, "name" | "groups" | "receptionUserId" | "dateTimeFrom" | "dateTimeTo">>;

/** Add a person to the deny list (seed 2.4.8); the same fields change one (2.4.11, `name` required). */
export interface DenyListInput {
  /** Required, ≤ 45. */
  readonly name: string;
  /** Face photo: JPEG or PNG, at most 4 MB. */
  readonly avatar?: FileInput;
  /** Deny-list group ids (`[]` = no group). */
  readonly groups?: readonly SenseLinkId[];
  /** Digits only, ≤ 8. */
  readonly areaCode?: string;
  /** ≤ 20. */
  readonly mobile?: string;
  /** 1 female, 2 male. */
  readonly gender?: Gender;
  /** `YYYY-MM-DD`. */
  readonly birthday?: SenseLinkDate;
  /** ≤ 45. */
  readonly mail?: string;
  /** ≤ 20. */
  readonly icNumber?: string;
  /** 6–30 (documented as unavailable). */
  readonly idNumber?: string;
  /** ≤ 255. */
  readonly prompt?: string;
  /** ≤ 255. */
  readonly remark?: string;
  /** Register even when a similar face exists. */
  readonly force?: boolean;
}

/** Change a deny-list person (seed 2.4.11): `name` is required, the rest optional. */
export type DenyListUpdate = Pick<DenyListInput, "name"> & SenseLinkPatch<Omit<DenyListInput, "name">>;

/** Person search filters (seed 2.4.13). */
export interface PersonFilter {
  /** 1 employees, 2 visitors, 5 deny list; all when absent. */
  readonly type?: 1 | 2 | 5;
  /** Name (partial match). */
  readonly name?: string;
  /** Employee number. */
  readonly jobNumber?: string;
  /** Mobile number. */
  readonly mobile?: string;
  /** Mail address. */
  readonly mail?: string;
  /** IC card number. */
  readonly icNumber?: string;
  /** ID number. */
  readonly idNumber?: string;
  /** Person id. */
  readonly id?: SenseLinkId;
  /** SenseLinkDepartment id (Cloud only). */
  readonly departmentId?: SenseLinkId;
  /** SenseLinkGroup ids (Cloud only). */
  readonly groups?: readonly SenseLinkId[];
  /** SenseLinkPage number, from 1 (default 1). */
  readonly page?: number;
  /** SenseLinkPage size, 1–100 (default 20). */
  readonly size?: number;
}

/** Add a person group. */
export interface SenseLinkGroupInput {
  /** Required, ≤ 45. */
  readonly name: string;
  /** 1 employees, 2 visitors, 3 deny list (5 is also used for deny-list groups). */
  readonly type: 1 | 2 | 3 | 5;
  /** ≤ 255. */
  readonly remark?: string;
}

/** Change a person group: what is given changes. */
export interface SenseLinkGroupUpdate {
  /** New name (not `""`), ≤ 45. */
  readonly name?: string;
  /** New remark, ≤ 255. */
  readonly remark?: string;
}

/** Recognition record filters (v5 on Cloud, v3 on GE Enterprise). */
export interface RecordFilter {
  /** From, `YYYY-MM-DD hh:mm:ss`. */
  readonly dateTimeFrom?: SenseLinkDateTime;
  /** To, `YYYY-MM-DD hh:mm:ss`, not before `dateTimeFrom`. */
  readonly dateTimeTo?: SenseLinkDateTime;
  /** Default newest first (`"desc"`). */
  readonly order?: "asc" | "desc";
  /** SenseLinkPage number, from 1 (default 1). */
  readonly page?: number;
  /** SenseLinkPage size, 1–100 (default 20). */
  readonly size?: number;
}

// ---------------------------------------------------------------------------------------------
// Outputs (camelCase; `null` where the server gave nothing usable)
// ---------------------------------------------------------------------------------------------

/** A person's group. */
export interface SenseLinkGroupRef {
  /** SenseLinkGroup id. */
  readonly id: number | null;
  /** SenseLinkGroup name. */
  readonly name: string | null;
  /** SenseLinkGroup type (1 employees, 2 visitors, 3/5 deny list). */
  readonly type: number | null;
}

/** An employee, visitor or deny-list person. Times are `YYYY-MM-DD hh:mm:ss` (any `.0` removed). */
export interface Person {
  /** Person id. */
  readonly id: number;
  /** Name. */
  readonly name: string;
  /** 1 employee, 2 visitor, 3 unknown, 4 non-living, 5 deny list. */
  readonly type: PersonType | null;
  /** Deny list only: the type before moving in (1 or 2; 0 = added directly). */
  readonly lastType: number | null;
  /** Face image id. */
  readonly avatar: string | null;
  /** Mobile number. */
  readonly mobile: string | null;
  /** Country and area code. */
  readonly areaCode: string | null;
  /** Remark. */
  readonly remark: string | null;
  /** 1 female, 2 male (0 or `null`: unknown). */
  readonly gender: number | null;
  /** Birthday. */
  readonly birthday: string | null;
  /** Mail address. */
  readonly mail: string | null;
  /** Position. */
  readonly position: string | null;
  /** Work location. */
  readonly location: string | null;
  /** Terminal message. */
  readonly prompt: string | null;
  /** IC card number. */
  readonly icNumber: string | null;
  /** ID number (the server may return it encrypted). */
  readonly idNumber: string | null;
  /** Employee number. */
  readonly jobNumber: string | null;
  /** Company id. */
  readonly companyId: number | null;
  /** SenseLinkDepartment id. */
  readonly departmentId: number | null;
  /** Joining date. */
  readonly entryTime: string | null;
  /** Groups; `null` when the answer did not include them (the list fills them only when exactly
   * one person matches). */
  readonly groups: readonly SenseLinkGroupRef[] | null;
  /** Visitors: the receiving employee's id. */
  readonly receptionUserId: number | null;
  /** Visitors: the receiving employee's name. */
  readonly receptionUserName: string | null;
  /** Visitors: start of the visit. */
  readonly dateTimeFrom: string | null;
  /** Visitors: end of the visit. */
  readonly dateTimeTo: string | null;
  /** Visitors: company. */
  readonly guestCompany: string | null;
  /** Visitors: purpose. */
  readonly guestPurpose: string | null;
  /** Visitors: level. */
  readonly guestLevel: string | null;
  /** Who created the person (`"OPEN API"` for API calls). */
  readonly createBy: string | null;
  /** Creation time. */
  readonly createAt: string | null;
  /** Last update time. */
  readonly updateAt: string | null;
}

/** One page of a list. */
export interface SenseLinkPage<T> {
  /** The items of this page. */
  readonly items: readonly T[];
  /** This page's number. */
  readonly page: number;
  /** The page size asked for. */
  readonly size: number;
  /** The next page's number, or `null` when this is the last page. */
  readonly nextPage: number | null;
}

/**
 * What `onProgress` of a SenseLink `listAll()` is told after each page.
 * @example
 * sl.persons.listAll({ type: 1 }, { onProgress: ({ pages, items, nextPage }) => console.log(pages, items, nextPage) });
 */
export interface SenseLinkListProgress {
  /** Pages fetched so far. */
  readonly pages: number;
  /** Items delivered so far. */
  readonly items: number;
  /** The next page's number (`null` at the end): pass it as the filter's `page` to resume later. */
  readonly nextPage: number | null;
}

/**
 * Options of a SenseLink `listAll()`.
 * @example
 * sl.records.listAll({ dateTimeFrom }, { onProgress: (p) => bar.value = p.items, signal });
 */
export interface SenseLinkListOptions extends CallOptions {
  /** Called after each page. */
  readonly onProgress?: (progress: SenseLinkListProgress) => void;
}

/**
 * A lazy SenseLink list, like cyzen's: iterate items with `for await` (a `break` stops fetching),
 * pages with `pages()`, or collect with `toArray({ limit })`. Reads are retried on 5xx and network
 * failures; when a page still fails, the error carries `page` (pass it as the filter's `page` to
 * resume exactly there) and `delivered`.
 * @example
 * try {
 *   for await (const person of sl.persons.listAll({ type: 1 })) save(person);
 * } catch (error) {
 *   if (error instanceof CyzenSenseLinkError) resumeFrom = error.page;  // sl.persons.listAll({ type: 1, page: resumeFrom })
 * }
 */
export interface SenseLinkListResult<T, P extends SenseLinkPage<T> = SenseLinkPage<T>> extends AsyncIterable<T> {
  /** The pages, one request each. */
  pages(): AsyncIterable<P>;
  /** Up to `limit` items in an array. */
  toArray(options: { readonly limit: number }): Promise<T[]>;
}

/** A page of recognition records. */
export interface SenseLinkRecordPage extends SenseLinkPage<RecognitionRecord> {
  /** Total matching records when the server says (v3), else `null`. */
  readonly total: number | null;
}

/** An employee face photo added or replaced on a day (seed 2.4.4). */
export interface AvatarUpdate {
  /** Employee id (a string in the answer). */
  readonly employeeId: string | null;
  /** Link to the photo. */
  readonly imageUrl: string | null;
  /** 0 added, 1 updated. */
  readonly remark: number | null;
}

/** A person group. */
export interface SenseLinkGroup {
  /** SenseLinkGroup id. */
  readonly id: number;
  /** Name. */
  readonly name: string;
  /** 1 employees, 2 visitors, 3/5 deny list. */
  readonly type: number | null;
  /** Remark. */
  readonly remark: string | null;
  /** Number of persons in the group. */
  readonly userCount: number | null;
  /** Creation time. */
  readonly createAt: string | null;
  /** Last update time. */
  readonly updateAt: string | null;
}

/** A department and its subtree. */
export interface SenseLinkDepartment {
  /** SenseLinkDepartment id. */
  readonly id: number;
  /** Name. */
  readonly name: string;
  /** SenseLinkDepartment code. */
  readonly code: string | null;
  /** Parent id (0 = directly under the company). */
  readonly parentId: number | null;
  /** Leader's person id. */
  readonly leaderId: number | null;
  /** Leader's name. */
  readonly leaderName: string | null;
  /** Number of members. */
  readonly userNum: number | null;
  /** Child departments. */
  readonly children: readonly SenseLinkDepartment[];
}

/** A recognition at a terminal (records API and push event 30000). Times are Unix **seconds**. */
export interface RecognitionRecord {
  /** Record id. */
  readonly id: number;
  /** Person id (0 for a stranger). */
  readonly userId: number | null;
  /** Person name. */
  readonly name: string;
  /** Person type (3 = stranger). */
  readonly type: number | null;
  /** When, in Unix seconds. */
  readonly signTime: number | null;
  /** Terminal id. */
  readonly deviceId: number | null;
  /** Terminal name. */
  readonly deviceName: string | null;
  /** Terminal LDID. */
  readonly deviceLdid: string | null;
  /** Terminal location. */
  readonly location: string | null;
  /** 1 in, 2 out. */
  readonly direction: number | null;
  /** Similarity score 0–1. */
  readonly verifyScore: number | null;
  /** 1 when wearing a mask. */
  readonly mask: number | null;
  /** Employee number. */
  readonly jobNumber: string | null;
  /** IC card number. */
  readonly icNumber: string | null;
  /** Snapshot image URL. */
  readonly snapshotUrl: string | null;
}

/** A door terminal. */
export interface SenseLinkDevice {
  /** SenseLinkDevice id. */
  readonly id: number;
  /** Name. */
  readonly name: string;
  /** LDID (serial). */
  readonly ldid: string | null;
  /** Location. */
  readonly location: string | null;
  /** Status code. */
  readonly status: number | null;
  /** SenseLinkDevice type. */
  readonly type: string | null;
  /** Last heartbeat, Unix seconds. */
  readonly lastHeartbeat: number | null;
}

/** A device alert (push event 30100). Times are Unix seconds. */
export interface DeviceAlert {
  /** SenseLinkDevice id. */
  readonly deviceId: number | null;
  /** SenseLinkDevice name. */
  readonly deviceName: string | null;
  /** SenseLinkDevice LDID. */
  readonly deviceLdid: string | null;
  /** Alert type. */
  readonly alertType: number | null;
  /** Alert text. */
  readonly alertMessage: string | null;
  /** When, Unix seconds. */
  readonly alertTime: number | null;
}

/** Face-quality report of the largest face (shape from the server, keys in camelCase). */
export interface FaceQualityReport {
  /** The level checked: 1 low, 2 high, 3 strict. */
  readonly qaLevel?: number;
  /** Whether the photo passes at that level. */
  readonly pass?: boolean;
  /** Number of faces found. */
  readonly faceCount?: number;
  /** Measurements of the largest face (angles, blur, brightness, occlusion…). */
  readonly largestFace?: Readonly<Record<string, unknown>>;
  /** Names of the failed checks. */
  readonly reasons?: readonly string[];
  /** Other fields the server sends. */
  readonly [key: string]: unknown;
}

/** Server version (`GET /api/v3/server/version`), keys in camelCase. */
export interface ServerVersion {
  /** Product edition. */
  readonly edition?: string;
  /** Version string. */
  readonly version?: string;
  /** Release date. */
  readonly date?: string;
  /** Other fields the server sends. */
  readonly [key: string]: unknown;
}

/** Company settings (`GET /api/v1/company`), keys in camelCase. */
export interface CompanyInfo {
  /** Company name. */
  readonly name?: string;
  /** Licence start. */
  readonly validFrom?: string;
  /** Licence end. */
  readonly validTo?: string;
  /** Other fields the server sends. */
  readonly [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Push events
// ---------------------------------------------------------------------------------------------

/** Fields every push event has. */
export interface SenseLinkEventBase {
  /** Unique per message: de-duplicate on it (a message may be delivered more than once). */
  readonly messageId: string;
  /** When SenseLink sent it (Unix milliseconds), when given. */
  readonly sendTime: number | null;
}

/** `eventType "30000"`: a recognition record. */
export interface RecognitionEvent extends SenseLinkEventBase {
  /** Discriminant. */
  readonly eventType: "30000";
  /** The record. */
  readonly data: RecognitionRecord;
}

/** `eventType "30100"`: a device alert. */
export interface DeviceAlertEvent extends SenseLinkEventBase {
  /** Discriminant. */
  readonly eventType: "30100";
  /** The alert. */
  readonly data: DeviceAlert;
}

/** Any other event type: kept, not refused (a failed delivery stops all further pushes). */
export interface UnknownSenseLinkEvent extends SenseLinkEventBase {
  /** Discriminant. */
  readonly eventType: "unknown";
  /** The `eventType` as sent. */
  readonly rawEventType: string;
  /** `data` with keys in camelCase. */
  readonly data: unknown;
}

/** A parsed push event; switch on `eventType`. */
export type SenseLinkEvent = RecognitionEvent | DeviceAlertEvent | UnknownSenseLinkEvent;

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/** Employees (seed 2.4.1–2.4.4). */
export interface SenseLinkEmployees {
  /** Adds an employee (`POST /api/v1/user`). */
  create(input: EmployeeInput, options?: CallOptions): Promise<Person>;
  /** Changes an employee (`POST /api/v2/user/update/{id}`). */
  update(id: SenseLinkId, input: EmployeeUpdate, options?: CallOptions): Promise<Person>;
  /** Deletes an employee (`GET /api/v1/user/delete/{id}`). */
  delete(id: SenseLinkId, options?: CallOptions): Promise<void>;
  /** Employee photos added or replaced on a day, `YYYY-MM-DD` (`GET /api/v2/staff/image_updated`). */
  avatarsUpdatedOn(date: SenseLinkDate, options?: CallOptions): Promise<AvatarUpdate[]>;
}

/** Visitors (seed 2.4.5–2.4.7). */
export interface SenseLinkVisitors {
  /** Adds a visitor (`POST /api/v1/guest`); the photo is required. */
  create(input: VisitorInput, options?: CallOptions): Promise<Person>;
  /** Changes a visitor (`POST /api/v1/guest/update/{id}`). */
  update(id: SenseLinkId, input: VisitorUpdate, options?: CallOptions): Promise<Person>;
  /** Deletes a visitor (`GET /api/v1/guest/delete/{id}`). */
  delete(id: SenseLinkId, options?: CallOptions): Promise<void>;
}

/** The deny list (seed 2.4.8–2.4.12). */
export interface SenseLinkDenyList {
  /** Adds a person to the deny list (`POST /api/v2/black`). */
  create(input: DenyListInput, options?: CallOptions): Promise<Person>;
  /** Changes a deny-list person (`POST /api/v2/black/update`). */
  update(id: SenseLinkId, input: DenyListUpdate, options?: CallOptions): Promise<Person>;
  /** Deletes a deny-list person (`GET /api/v2/black/delete/{id}`). */
  delete(id: SenseLinkId, options?: CallOptions): Promise<void>;
  /** Moves an employee or visitor into the deny list (`POST /api/v2/black/move/in`); their groups
   * and department are cleared. `groupIds` may be `[]`. */
  moveIn(userId: SenseLinkId, groupIds: readonly SenseLinkId[], options?: CallOptions): Promise<void>;
  /** Moves a person back out (type returns to 1 or 2) (`GET /api/v2/black/move/out`). */
  moveOut(id: SenseLinkId, options?: CallOptions): Promise<void>;
}

/** Person search (seed 2.4.13). */
export interface SenseLinkPersons {
  /** One page (`GET /api/v1/user/list`). */
  list(filter?: PersonFilter, options?: CallOptions): Promise<SenseLinkPage<Person>>;
  /** Every matching person, page after page from `filter.page` (default 1). */
  iterate(filter?: PersonFilter, options?: CallOptions): AsyncGenerator<Person, void, undefined>;
  /** Every matching person as a lazy list: `for await`, `pages()`, `toArray({ limit })`, `onProgress`, resume from `error.page`. */
  listAll(filter?: PersonFilter, options?: SenseLinkListOptions): SenseLinkListResult<Person>;
}

/** Person groups. */
export interface SenseLinkGroups {
  /** Adds a group (`POST /api/v1/group`). */
  create(input: SenseLinkGroupInput, options?: CallOptions): Promise<SenseLinkGroup>;
  /** Every group, newest first, optionally of one type (`GET /api/v1/group`). */
  list(filter?: { readonly type?: 1 | 2 | 3 | 5 }, options?: CallOptions): Promise<SenseLinkGroup[]>;
  /** One page of a group's members (`GET /api/v1/group/user`). */
  members(groupId: SenseLinkId, page?: { readonly page?: number; readonly size?: number }, options?: CallOptions): Promise<SenseLinkPage<Person>>;
  /** Changes a group's name or remark (`POST /api/v3/group/update`). */
  update(id: SenseLinkId, input: SenseLinkGroupUpdate, options?: CallOptions): Promise<SenseLinkGroup>;
  /** Deletes a group (`GET /api/v1/group/delete/{id}`). */
  delete(id: SenseLinkId, options?: CallOptions): Promise<void>;
}

/** Departments. */
export interface SenseLinkDepartments {
  /** The department tree (`GET /api/v2/department`). */
  list(options?: CallOptions): Promise<SenseLinkDepartment[]>;
  /** One department by code, with its subtree (`GET /api/v2/department/search/code`). */
  byCode(code: string, options?: CallOptions): Promise<SenseLinkDepartment>;
}

/** Recognition records (`/api/v5/record/list` on Cloud, `/api/v3/record/list` on GE). */
export interface SenseLinkRecords {
  /** One page. */
  list(filter?: RecordFilter, options?: CallOptions): Promise<SenseLinkRecordPage>;
  /** Every matching record, page after page. */
  iterate(filter?: RecordFilter, options?: CallOptions): AsyncGenerator<RecognitionRecord, void, undefined>;
  /** Every matching record as a lazy list: `for await`, `pages()`, `toArray({ limit })`, `onProgress`, resume from `error.page`. */
  listAll(filter?: RecordFilter, options?: SenseLinkListOptions): SenseLinkListResult<RecognitionRecord, SenseLinkRecordPage>;
}

/** Face-photo checks (the same 4 MB / JPEG-or-PNG rules apply before sending). */
export interface SenseLinkRecognition {
  /** Number of faces in a photo (`POST /api/v1/recognition/check`); `SENSELINK_FACE_REJECTED`
   * when there is none. */
  check(photo: FileInput, options?: CallOptions): Promise<number>;
  /** Quality report of the largest face (`POST /api/v3|v1/recognition/quality`); `qaLevel` 1 low
   * (default), 2 high, 3 strict. */
  quality(photo: FileInput, input?: { readonly qaLevel?: 1 | 2 | 3 }, options?: CallOptions): Promise<FaceQualityReport>;
}

/** Door terminals. */
export interface SenseLinkDevices {
  /** Every terminal (`GET /api/v2/device`). */
  list(options?: CallOptions): Promise<SenseLinkDevice[]>;
}

/** System information. */
export interface SenseLinkSystem {
  /** `GET /api/v3/server/version`. */
  version(options?: CallOptions): Promise<ServerVersion>;
  /** `GET /api/v1/company`. */
  company(options?: CallOptions): Promise<CompanyInfo>;
}

const NO_PHOTO: readonly [undefined, undefined] = [undefined, undefined];

/** The photo of an input as the core takes it: a `Blob` (bytes wrapped in one here, so their bytes
 * never enter WebAssembly memory) and its first 16 bytes for the format check. Without a photo
 * the answer is not a promise: most calls have none, and an `await` less is measurable per call. */
function photoOf(input: object): readonly [unknown, Uint8Array | undefined] | Promise<readonly [unknown, Uint8Array | undefined]> {
  const avatar = (input as { readonly avatar?: unknown }).avatar;
  if (avatar === undefined || avatar === null) return NO_PHOTO;
  return photoWithHead(avatar);
}

async function photoWithHead(avatar: unknown): Promise<readonly [unknown, Uint8Array | undefined]> {
  let blob: Blob | undefined;
  if (typeof Blob !== "undefined" && avatar instanceof Blob) blob = avatar;
  else if (avatar instanceof Uint8Array || avatar instanceof ArrayBuffer) blob = new Blob([avatar as BlobPart]);
  // Anything else goes to the core as it is, which reports it with every other problem.
  if (blob === undefined) return [avatar, undefined];
  const head = await blob.slice(0, 16).arrayBuffer().then((b) => new Uint8Array(b), () => new Uint8Array(0));
  return [blob, head];
}

type Output = (typeof OUTPUTS)[SenseLinkOperation];
type Decoder = (o: Raw) => unknown;

function isObject(value: unknown): value is Raw {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function list(items: unknown, decode: Decoder): unknown[] {
  return Array.isArray(items) ? items.filter(isObject).map(decode) : [];
}

/** Turns the engine's parsed answer into the documented shape of the operation's output. */
function shape(output: Output, value: unknown): unknown {
  if (typeof output === "string") {
    switch (output) {
      case "persons":
      case "records": {
        const page = value as { items: unknown };
        page.items = list(page.items, output === "persons" ? generated.person : generated.record);
        return page;
      }
      case "camel":
        return camelize(value);
      default:
        return value;
    }
  }
  const [kind, arg] = output;
  if (kind === "person") {
    const person = generated.person(value as Raw) as { type: number | null };
    if (person.type === null) person.type = arg;
    return person;
  }
  const decode = generated[arg] as Decoder;
  return kind === "one" ? decode(value as Raw) : list(value, decode);
}

/** Marks a failed page's error with where to resume (`page`) and what was delivered. */
function failedAt(error: unknown, page: number, delivered: number): unknown {
  if (error !== null && typeof error === "object") {
    for (const [name, value] of [["page", page], ["delivered", delivered]] as const) {
      Object.defineProperty(error, name, { value, enumerable: true, configurable: true });
    }
  }
  return error;
}

/** The pages of a SenseLink list from `first` on, stopping with `DECODE` if a page repeats the last. */
async function* pageWalk<T, P extends SenseLinkPage<T>>(
  fetchPage: (page: number) => Promise<P>,
  first: number,
  what: string,
  onProgress?: (progress: SenseLinkListProgress) => void,
): AsyncGenerator<P, void, undefined> {
  let page = first;
  let previous: string | undefined;
  let delivered = 0;
  let count = 0;
  for (;;) {
    let result: P;
    try {
      result = await fetchPage(page);
    } catch (error) {
      throw failedAt(error, page, delivered);
    }
    // A server that ignores `page` would repeat itself forever: stop with an error instead.
    const signature = result.items.length > 0 ? JSON.stringify(result.items[0]) : undefined;
    if (page > first && signature !== undefined && signature === previous) {
      throw failedAt(makeError("DECODE", `${what}: page ${page} repeats page ${page - 1} (the server ignores page); stopped`, {}), page, delivered);
    }
    previous = signature;
    delivered += result.items.length;
    count += 1;
    onProgress?.({ pages: count, items: delivered, nextPage: result.nextPage });
    yield result;
    if (result.nextPage === null) return;
    page = result.nextPage;
  }
}

async function* pages<T>(
  fetchPage: (page: number) => Promise<SenseLinkPage<T>>,
  first: number,
  what: string,
): AsyncGenerator<T, void, undefined> {
  for await (const page of pageWalk(fetchPage, first, what)) yield* page.items;
}

/** A lazy list over `fetchPage` (see {@link SenseLinkListResult}). */
function listAll<T, P extends SenseLinkPage<T>>(
  fetchPage: (page: number) => Promise<P>,
  first: number,
  what: string,
  options: SenseLinkListOptions | undefined,
): SenseLinkListResult<T, P> {
  const walk = () => pageWalk<T, P>(fetchPage, first, what, options?.onProgress);
  async function* items(): AsyncGenerator<T, void, undefined> {
    for await (const page of walk()) yield* page.items;
  }
  return {
    pages: walk,
    [Symbol.asyncIterator]: items,
    async toArray({ limit }) {
      if (!Number.isInteger(limit) || limit < 1) throw invalid("limit", "must be a positive integer");
      const out: T[] = [];
      for await (const item of items()) {
        out.push(item);
        if (out.length >= limit) break;
      }
      return out;
    },
  };
}

const invalid = invalidInput;


/**
 * SenseLink client. Direct mode signs every request (use it where the secret may live: a Worker,
 * a server); browser mode (`proxy: true`) sends unsigned requests to a {@link createSenseLinkProxy}.
 *
 * Every method validates its input first (`INVALID_INPUT` naming the field and the rule, nothing
 * sent), accepts `{ signal, timeoutMs }`, and rejects with a typed error: `SENSELINK_*`
 * ({@link SenseLinkError}) for answers with `code != 200`, `NETWORK` / `TIMEOUT` / `ABORTED`,
 * `HTTP_STATUS` / `DECODE`.
 *
 * @example
 * // In a Worker (the secret stays on the server):
 * const sl = new SenseLinkClient({ baseUrl: "https://link.japancv.co.jp", appKey: env.SL_KEY, appSecret: env.SL_SECRET });
 * const person = await sl.employees.create({ name: "佐藤 太郎", jobNumber: "E0001", avatar: file });
 * for await (const p of sl.persons.iterate({ type: 1 })) console.log(p.id, p.name);
 *
 * @example
 * // In a browser page, behind createSenseLinkProxy mounted at /senselink:
 * const sl = new SenseLinkClient({ baseUrl: "/senselink", proxy: true });
 * try {
 *   await sl.visitors.create({ ...visitor, avatar: input.files[0] });
 * } catch (e) {
 *   if (e instanceof SenseLinkError && e.code === "SENSELINK_SIMILAR_PERSON" && e.canForce) {
 *     await sl.visitors.create({ ...visitor, avatar: input.files[0], force: true });
 *   }
 * }
 */
export class SenseLinkClient {
  /** Employees. */
  readonly employees: SenseLinkEmployees;
  /** Visitors. */
  readonly visitors: SenseLinkVisitors;
  /** The deny list. */
  readonly denyList: SenseLinkDenyList;
  /** Person search. */
  readonly persons: SenseLinkPersons;
  /** Person groups. */
  readonly groups: SenseLinkGroups;
  /** Departments. */
  readonly departments: SenseLinkDepartments;
  /** Recognition records. */
  readonly records: SenseLinkRecords;
  /** Face-photo checks. */
  readonly recognition: SenseLinkRecognition;
  /** Door terminals. */
  readonly devices: SenseLinkDevices;
  /** System information. */
  readonly system: SenseLinkSystem;

  /** @throws {InvalidInputError} when an option is missing or wrong (e.g. `appSecret` with `proxy: true`). */
  constructor(options: SenseLinkClientOptions) {
    const core = senselinkWasm.revivable((glue) => new glue.SenseLinkCore(options));
    const { fetch: clientFetch, timeoutMs, maxResponseBytes } = options;
    if (clientFetch !== undefined && typeof clientFetch !== "function") throw invalid("fetch", "must be a function");
    checkLimits(options);
    const hooks = checkHooks(options, invalid);
    const call = async <T>(operation: SenseLinkOperation, input: object = {}, callOptions?: CallOptions): Promise<T> => {
      checkLimits(callOptions);
      const found = photoOf(input);
      const [photo, head] = found instanceof Promise ? await found : found;
      const value = await drive(senselinkWasm, () => core().call(operation, input, photo, head), {
        fetch: clientFetch,
        signal: callOptions?.signal,
        timeoutMs: callOptions?.timeoutMs ?? timeoutMs,
        maxResponseBytes: callOptions?.maxResponseBytes ?? maxResponseBytes,
        operation,
        hooks,
      });
      return shape(OUTPUTS[operation], value) as T;
    };
    this.employees = {
      create: (input, o) => call("employees.create", input, o),
      update: (id, input, o) => call("employees.update", { ...input, id }, o),
      delete: (id, o) => call("employees.delete", { id }, o),
      avatarsUpdatedOn: (date, o) => call("employees.avatarsUpdatedOn", { date }, o),
    };
    this.visitors = {
      create: (input, o) => call("visitors.create", input, o),
      update: (id, input, o) => call("visitors.update", { ...input, id }, o),
      delete: (id, o) => call("visitors.delete", { id }, o),
    };
    this.denyList = {
      create: (input, o) => call("denyList.create", input, o),
      update: (id, input, o) => call("denyList.update", { ...input, id }, o),
      delete: (id, o) => call("denyList.delete", { id }, o),
      moveIn: (userId, groupIds, o) => call("denyList.moveIn", { userId, groupIds }, o),
      moveOut: (id, o) => call("denyList.moveOut", { id }, o),
    };
    const listPersons = (filter: PersonFilter = {}, o?: CallOptions) => call<SenseLinkPage<Person>>("persons.list", { ...filter }, o);
    this.persons = {
      list: listPersons,
      iterate: (filter = {}, o) => pages((page) => listPersons({ ...filter, page }, o), filter.page ?? 1, "persons.iterate"),
      listAll: (filter = {}, o) => listAll((page) => listPersons({ ...filter, page }, o), filter.page ?? 1, "persons.listAll", o),
    };
    this.groups = {
      create: (input, o) => call("groups.create", { ...input }, o),
      list: (filter = {}, o) => call("groups.list", { ...filter }, o),
      members: (groupId, page = {}, o) => call("groups.members", { ...page, groupId }, o),
      update: (id, input, o) => call("groups.update", { ...input, id }, o),
      delete: (id, o) => call("groups.delete", { id }, o),
    };
    this.departments = {
      list: (o) => call("departments.list", {}, o),
      byCode: (code, o) => call("departments.byCode", { code }, o),
    };
    const listRecords = (filter: RecordFilter = {}, o?: CallOptions) => call<SenseLinkRecordPage>("records.list", { ...filter }, o);
    this.records = {
      list: listRecords,
      iterate: (filter = {}, o) => pages((page) => listRecords({ ...filter, page }, o), filter.page ?? 1, "records.iterate"),
      listAll: (filter = {}, o) => listAll((page) => listRecords({ ...filter, page }, o), filter.page ?? 1, "records.listAll", o),
    };
    this.recognition = {
      check: (photo, o) => call("recognition.check", { avatar: photo }, o),
      quality: (photo, input = {}, o) => call("recognition.quality", { ...input, avatar: photo }, o),
    };
    this.devices = { list: (o) => call("devices.list", {}, o) };
    this.system = {
      version: (o) => call("system.version", {}, o),
      company: (o) => call("system.company", {}, o),
    };
  }
}
nameClasses({ SenseLinkClient });

// ---------------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------------

/**
 * The SenseLink request signature: lower-case hex `md5(timestamp + "#" + appSecret)`.
 * Use it only where the secret may live (a server or a Worker), never in a browser.
 *
 * @param timestamp Unix time in milliseconds, as a decimal string (13 digits).
 * @param appSecret The app secret.
 * @example senselinkSign("1477881215000", "2323dsfadfewrasa3434") // "e5ef72ef839bdf5397b4906b199b9fbf"
 */
export function senselinkSign(timestamp: string, appSecret: string): string {
  return senselinkWasm.call((glue) => glue.senselinkSign(timestamp, appSecret));
}
