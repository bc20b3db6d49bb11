//! The shapes of SenseLink answers as callers see them: camelCase objects where every documented
//! property is present (`null` when the server gave nothing usable).
//!
//! The server is loose about types: `gender` is an int or a string, ids come as numbers or strings,
//! times carry a `.0` suffix or none, fields are `null` or missing, and the same field is spelled
//! `snake_case` in one answer and `camelCase` in another. Each shape is a table of [`OutField`]s.
//! The tables are data for the TypeScript side: the decoders that turn the engine's parsed objects
//! into these shapes are generated from them (`pkg-template/src/generated/senselink.ts`), so the
//! items of a page never enter WebAssembly memory. The generated TypeScript is checked against
//! these tables by a test.

#[allow(unused_imports)]
use crate::prelude::*;

/// A shape of an answer's object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A person (employee, visitor, deny-list entry, list item).
    Person,
    /// A person's group reference.
    GroupRef,
    /// A person group.
    Group,
    /// A department with its subtree.
    Department,
    /// A recognition record (records API and push event 30000).
    Record,
    /// A device alert (push event 30100).
    DeviceAlert,
    /// A door terminal.
    Device,
    /// An employee face photo added or replaced on a day (2.4.4).
    AvatarUpdate,
}

/// Every shape, with its name in the generated TypeScript and its table.
pub static SHAPES: &[(Shape, &str, &[OutField])] = &[
    (Shape::Person, "person", PERSON),
    (Shape::GroupRef, "groupRef", GROUP_REF),
    (Shape::Group, "group", GROUP),
    (Shape::Department, "department", DEPARTMENT),
    (Shape::Record, "record", RECORD),
    (Shape::DeviceAlert, "deviceAlert", DEVICE_ALERT),
    (Shape::Device, "device", DEVICE),
    (Shape::AvatarUpdate, "avatarUpdate", IMAGE_UPDATE),
];

impl Shape {
    /// The shape's name in the generated TypeScript.
    pub fn name(self) -> &'static str {
        SHAPES.iter().find(|(s, _, _)| *s == self).map_or("", |(_, name, _)| name)
    }
}

/// How a property is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Out {
    /// An id: an integer, `0` when missing or unreadable (so `id` is always a number).
    Key,
    /// A name: a string, `""` when missing (so `name` is always a string).
    Name,
    /// An integer (number, integral float or digit string); `null` otherwise.
    Int,
    /// A string (numbers and booleans are rendered); `null` otherwise.
    Str,
    /// A `YYYY-MM-DD hh:mm:ss` string with any `.0` fraction removed.
    Time,
    /// A number (or numeric string).
    Float,
    /// Unix seconds (a value that looks like milliseconds is divided by 1000).
    Secs,
    /// A list of `{ id, name, type }` group references; `null` when absent.
    Groups,
    /// A list of departments (the tree's `children`); `[]` when absent.
    Children,
}

/// One output property: its camelCase name and the server names it may come under (the camelCase
/// name itself is tried last).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutField(pub &'static str, pub &'static [&'static str], pub Out);

use Out::*;

/// Person (employee, visitor, deny-list entry, list item).
pub const PERSON: &[OutField] = &[
    OutField("id", &["id"], Key),
    OutField("name", &["name"], Name),
    OutField("type", &["type"], Int),
    OutField("lastType", &["last_type"], Int),
    OutField("avatar", &["avatar"], Str),
    OutField("mobile", &["mobile"], Str),
    OutField("areaCode", &["area_code"], Str),
    OutField("remark", &["remark"], Str),
    OutField("gender", &["gender"], Int),
    OutField("birthday", &["birthday"], Str),
    OutField("mail", &["mail"], Str),
    OutField("position", &["position"], Str),
    OutField("location", &["location"], Str),
    OutField("prompt", &["prompt"], Str),
    OutField("icNumber", &["ic_number"], Str),
    OutField("idNumber", &["id_number"], Str),
    OutField("jobNumber", &["job_number"], Str),
    OutField("companyId", &["company_id"], Int),
    OutField("departmentId", &["department_id"], Int),
    OutField("entryTime", &["entry_time"], Str),
    OutField("groups", &["groupList", "groups"], Groups),
    OutField("receptionUserId", &["reception_user_id"], Int),
    OutField("receptionUserName", &["reception_user_name"], Str),
    OutField("dateTimeFrom", &["date_time_from"], Time),
    OutField("dateTimeTo", &["date_time_to"], Time),
    OutField("guestCompany", &["guest_company"], Str),
    OutField("guestPurpose", &["guest_purpose"], Str),
    OutField("guestLevel", &["guest_level", "level"], Str),
    OutField("createBy", &["create_by", "createBy"], Str),
    OutField("createAt", &["create_at"], Time),
    OutField("updateAt", &["update_at"], Time),
];

/// `{ id, name, type }` of a person's group.
pub const GROUP_REF: &[OutField] =
    &[OutField("id", &["id"], Int), OutField("name", &["name"], Str), OutField("type", &["type"], Int)];

/// A person group.
pub const GROUP: &[OutField] = &[
    OutField("id", &["id"], Key),
    OutField("name", &["name"], Name),
    OutField("type", &["type"], Int),
    OutField("remark", &["remark"], Str),
    OutField("userCount", &["user_count"], Int),
    OutField("createAt", &["create_at"], Time),
    OutField("updateAt", &["update_at"], Time),
];

/// A department with its subtree.
pub const DEPARTMENT: &[OutField] = &[
    OutField("id", &["id"], Key),
    OutField("name", &["name"], Name),
    OutField("code", &["code"], Str),
    OutField("parentId", &["parent_id"], Int),
    OutField("leaderId", &["leader_id"], Int),
    OutField("leaderName", &["leader_name"], Str),
    OutField("userNum", &["user_num"], Int),
    OutField("children", &["children"], Children),
];

/// A recognition record (records API and push event 30000).
pub const RECORD: &[OutField] = &[
    OutField("id", &["id"], Key),
    OutField("userId", &["user_id"], Int),
    OutField("name", &["name"], Name),
    OutField("type", &["type"], Int),
    OutField("signTime", &["sign_time"], Secs),
    OutField("deviceId", &["device_id"], Int),
    OutField("deviceName", &["device_name"], Str),
    OutField("deviceLdid", &["device_ldid"], Str),
    OutField("location", &["location"], Str),
    OutField("direction", &["direction"], Int),
    OutField("verifyScore", &["verify_score"], Float),
    OutField("mask", &["mask"], Int),
    OutField("jobNumber", &["job_number"], Str),
    OutField("icNumber", &["ic_number"], Str),
    OutField("snapshotUrl", &["snapshot_url"], Str),
];

/// A device alert (push event 30100).
pub const DEVICE_ALERT: &[OutField] = &[
    OutField("deviceId", &["device_id"], Int),
    OutField("deviceName", &["device_name"], Str),
    OutField("deviceLdid", &["device_ldid"], Str),
    OutField("alertType", &["alert_type"], Int),
    OutField("alertMessage", &["alert_message"], Str),
    OutField("alertTime", &["alert_time"], Secs),
];

/// A door terminal.
pub const DEVICE: &[OutField] = &[
    OutField("id", &["id"], Key),
    OutField("name", &["name"], Name),
    OutField("ldid", &["ldid"], Str),
    OutField("location", &["location"], Str),
    OutField("status", &["status"], Int),
    OutField("type", &["type"], Str),
    OutField("lastHeartbeat", &["last_heartbeat"], Secs),
];

/// An employee face photo added or replaced on a day (2.4.4).
pub const IMAGE_UPDATE: &[OutField] = &[
    OutField("employeeId", &["employee_id"], Str),
    OutField("imageUrl", &["image_URL", "image_url"], Str),
    OutField("remark", &["remark"], Int),
];
