//! THE table of SenseLink operations: one row per operation, with everything needed to plan it and
//! read its answer — name, method, path (per edition), parameter rules, body kind, photo rule,
//! output kind.
//!
//! Everything else is derived from these rows: the planner ([`super::plan`]), the signing proxy's
//! default allow-list ([`super::proxy`]), the TypeScript wrapper's operation table and output
//! decoders (`pkg-template/src/generated/senselink.ts`, written by `make generate` and checked by a
//! test), and the sandbox's coverage test. Adding an endpoint is one row here plus the sandbox.
//!
//! Parameter tables follow the seed (section 2.4) for the 13 person endpoints and the public manual
//! for the rest; lengths are in characters.

#[allow(unused_imports)]
use crate::prelude::*;

use super::rules::{opt, req, text, Field, Kind, Need, ANY_TEXT};
use super::shapes::Shape;
use crate::http::Method;

/// How the parameters travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// In the query string (GET).
    Query,
    /// As `multipart/form-data` text fields (and the photo's file part).
    Multipart,
    /// As a JSON object.
    Json,
}

/// Whether an operation uploads a photo, and under which part name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoRule {
    /// No photo.
    None,
    /// An optional photo in this part.
    Optional(&'static str),
    /// A required photo in this part.
    Required(&'static str),
}

impl PhotoRule {
    /// The multipart part name, when the operation takes a photo.
    pub fn part(self) -> Option<&'static str> {
        match self {
            PhotoRule::None => None,
            PhotoRule::Optional(part) | PhotoRule::Required(part) => Some(part),
        }
    }
}

/// What a successful answer's `data` becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Nothing (`undefined`): deletes and moves.
    Nothing,
    /// One person; `type` is filled with this value when the answer lacks it (visitor answers do).
    Person(u8),
    /// A page of persons: `{ items, page, size, nextPage }`.
    Persons,
    /// A page of records (v5 `{list, page_num, page_size}` or v3 `{list, page, size, total}`).
    Records,
    /// One object of a shape.
    One(Shape),
    /// A list of objects of a shape.
    List(Shape),
    /// An integer (number of faces).
    Count,
    /// Any JSON, keys turned into camelCase.
    Camel,
}

/// One SenseLink operation.
#[derive(Debug)]
pub struct Operation {
    /// Name in the JavaScript API (`employees.create`).
    pub name: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path on SenseLink Cloud; `{id}` stands for the `id` parameter.
    pub path: &'static str,
    /// Path on GE Enterprise, when it differs.
    pub path_enterprise: Option<&'static str>,
    /// How the parameters travel.
    pub body: BodyKind,
    /// The parameters.
    pub fields: &'static [Field],
    /// The photo.
    pub photo: PhotoRule,
    /// What the answer becomes.
    pub output: Output,
    /// `page` and `size` are always sent (defaults 1 and 20).
    pub paged: bool,
    /// Two date-time parameters that must be in order (`from ≤ to`).
    pub window: Option<(&'static str, &'static str)>,
    /// A read: safe to retry after a network failure or a 5xx.
    pub read: bool,
}

const fn op(
    name: &'static str,
    method: Method,
    path: &'static str,
    body: BodyKind,
    fields: &'static [Field],
    output: Output,
) -> Operation {
    Operation {
        name,
        method,
        path,
        path_enterprise: None,
        body,
        fields,
        photo: PhotoRule::None,
        output,
        paged: false,
        window: None,
        read: false,
    }
}

const fn get(name: &'static str, path: &'static str, fields: &'static [Field], output: Output) -> Operation {
    Operation { read: true, ..op(name, Method::Get, path, BodyKind::Query, fields, output) }
}

/// A GET that changes something (SenseLink deletes and moves out with GET): never retried.
const fn get_write(name: &'static str, path: &'static str, fields: &'static [Field]) -> Operation {
    op(name, Method::Get, path, BodyKind::Query, fields, Output::Nothing)
}

const fn multipart(
    name: &'static str,
    path: &'static str,
    fields: &'static [Field],
    photo: PhotoRule,
    output: Output,
) -> Operation {
    Operation { photo, ..op(name, Method::Post, path, BodyKind::Multipart, fields, output) }
}

use BodyKind::Json;
use Need::{NonEmpty, NotEmptyIfGiven, Required};

const ID_NUMBER: Kind = Kind::Text { min: 6, max: 30 };
/// Page numbers start at 1.
pub const PAGE: Kind = Kind::Int { min: 1, max: 1_000_000_000 };
/// At most 100 items per page (seed 2.4.13).
pub const SIZE: Kind = Kind::Int { min: 1, max: 100 };
/// Default page size (seed 2.4.13).
pub const DEFAULT_SIZE: i64 = 20;
/// Group types: 1 employees, 2 visitors, 3 deny list (5 is also seen for deny-list groups).
pub const GROUP_TYPE: Kind = Kind::OneOf(&[1, 2, 3, 5]);
const ID: Field = req("id", Kind::Id);
const FACE: PhotoRule = PhotoRule::Optional("avatarFile");
/// A visit (or a records query) from `dateTimeFrom` to `dateTimeTo`.
const VISIT: Option<(&str, &str)> = Some(("dateTimeFrom", "dateTimeTo"));

/// Employee parameters (2.4.1): GE Enterprise requires `icNumber`, `jobNumber`, `mobile` and
/// `remark` (`""` allowed); Cloud does not. Employee `name` has no documented length (the seed lists
/// the error but no number), so it is left to the server.
static EMPLOYEE_CREATE: &[Field] = &[
    req("name", ANY_TEXT).need(NonEmpty),
    opt("groups", Kind::Ids),
    opt("icNumber", text(20)).enterprise(Required),
    opt("jobNumber", text(45)).enterprise(Required),
    opt("mobile", text(20)).enterprise(Required),
    opt("remark", text(255)).enterprise(Required),
    opt("departmentId", Kind::IdOrZero),
    opt("areaCode", ANY_TEXT),
    opt("birthday", Kind::Date),
    opt("entryTime", Kind::Date),
    opt("mail", text(45)),
    opt("position", text(45)),
    opt("location", text(45)),
    opt("idNumber", ID_NUMBER),
    opt("gender", Kind::Gender),
    opt("prompt", ANY_TEXT),
    opt("force", Kind::Flag),
];

/// Employee update (2.4.2): what is given changes; `name` may not be `""` (and GE requires it).
static EMPLOYEE_UPDATE: &[Field] = &[
    ID,
    opt("name", ANY_TEXT).need(NotEmptyIfGiven).enterprise(NonEmpty),
    opt("groups", Kind::Ids),
    opt("icNumber", text(20)),
    opt("jobNumber", text(45)),
    opt("mobile", text(20)),
    opt("remark", text(255)),
    opt("departmentId", Kind::IdOrZero),
    opt("areaCode", ANY_TEXT),
    opt("birthday", Kind::Date),
    opt("entryTime", Kind::Date),
    opt("mail", text(45)),
    opt("position", text(45)),
    opt("location", text(45)),
    opt("idNumber", ID_NUMBER),
    opt("gender", Kind::Gender),
    opt("prompt", ANY_TEXT),
    opt("force", Kind::Flag),
];

/// Visitor parameters (2.4.5).
static VISITOR_CREATE: &[Field] = &[
    req("name", text(45)).need(NonEmpty),
    req("mobile", text(20)).need(NonEmpty),
    req("remark", text(255)),
    req("groups", Kind::Ids),
    req("receptionUserId", Kind::Id),
    req("dateTimeFrom", Kind::DateTime).need(NonEmpty),
    req("dateTimeTo", Kind::DateTime).need(NonEmpty),
    opt("force", Kind::Flag),
    opt("idNumber", ID_NUMBER),
    opt("gender", Kind::Gender),
    opt("guestCompany", text(45)),
    opt("position", text(45)),
    opt("guestPurpose", text(45)),
    opt("mail", text(45)),
    opt("icNumber", text(20)),
    opt("birthday", Kind::Date),
    opt("level", text(20)),
    opt("prompt", text(45)),
    opt("areaCode", ANY_TEXT),
];

/// Visitor update (2.4.6): `mobile` (not `""`) and `remark` become optional.
static VISITOR_UPDATE: &[Field] = &[
    ID,
    req("name", text(45)).need(NonEmpty),
    opt("mobile", text(20)).need(NotEmptyIfGiven),
    opt("remark", text(255)),
    req("groups", Kind::Ids),
    req("receptionUserId", Kind::Id),
    req("dateTimeFrom", Kind::DateTime).need(NonEmpty),
    req("dateTimeTo", Kind::DateTime).need(NonEmpty),
    opt("force", Kind::Flag),
    opt("idNumber", ID_NUMBER),
    opt("gender", Kind::Gender),
    opt("guestCompany", text(45)),
    opt("position", text(45)),
    opt("guestPurpose", text(45)),
    opt("mail", text(45)),
    opt("icNumber", text(20)),
    opt("birthday", Kind::Date),
    opt("level", text(20)),
    opt("prompt", text(45)),
    opt("areaCode", ANY_TEXT),
];

/// Deny-list parameters (2.4.8).
static DENY_LIST_CREATE: &[Field] = &[
    req("name", text(45)).need(NonEmpty),
    opt("groups", Kind::Ids),
    opt("areaCode", Kind::Digits { max: 8 }),
    opt("mobile", text(20)),
    opt("gender", Kind::Gender),
    opt("birthday", Kind::Date),
    opt("mail", text(45)),
    opt("icNumber", text(20)),
    opt("idNumber", ID_NUMBER),
    opt("prompt", text(255)),
    opt("remark", text(255)),
    opt("force", Kind::Flag),
];

/// Deny-list update (2.4.11): the id is a form field, then the 2.4.8 fields.
static DENY_LIST_UPDATE: &[Field] = &[
    ID,
    req("name", text(45)).need(NonEmpty),
    opt("groups", Kind::Ids),
    opt("areaCode", Kind::Digits { max: 8 }),
    opt("mobile", text(20)),
    opt("gender", Kind::Gender),
    opt("birthday", Kind::Date),
    opt("mail", text(45)),
    opt("icNumber", text(20)),
    opt("idNumber", ID_NUMBER),
    opt("prompt", text(255)),
    opt("remark", text(255)),
    opt("force", Kind::Flag),
];

/// Person search filters (2.4.13); `departmentId` and `groups` exist on Cloud only.
static PERSON_FILTERS: &[Field] = &[
    opt("type", Kind::OneOf(&[1, 2, 5])),
    opt("name", ANY_TEXT),
    opt("jobNumber", ANY_TEXT),
    opt("mobile", ANY_TEXT),
    opt("mail", ANY_TEXT),
    opt("icNumber", ANY_TEXT),
    opt("idNumber", ANY_TEXT),
    opt("id", Kind::Id),
    opt("departmentId", Kind::IdOrZero).enterprise(Need::Absent),
    opt("groups", Kind::Ids).enterprise(Need::Absent),
    opt("page", PAGE),
    opt("size", SIZE),
];

/// Record filters: camelCase in, the API's snake_case on the wire.
static RECORD_FILTERS: &[Field] = &[
    opt("dateTimeFrom", Kind::DateTime).wire("date_time_from"),
    opt("dateTimeTo", Kind::DateTime).wire("date_time_to"),
    opt("order", Kind::Word(&["asc", "desc"])),
    opt("page", PAGE),
    opt("size", SIZE),
];

static ONLY_ID: &[Field] = &[ID];
static NONE: &[Field] = &[];
static DATE: &[Field] = &[req("date", Kind::Date).need(NonEmpty)];
static MOVE_IN: &[Field] = &[req("userId", Kind::Id), req("groupIds", Kind::Ids).hint("[] for no deny-list group")];
static GROUP_CREATE: &[Field] =
    &[req("name", text(45)).need(NonEmpty), req("type", GROUP_TYPE), opt("remark", text(255))];
static GROUP_FILTER: &[Field] = &[opt("type", GROUP_TYPE)];
static GROUP_MEMBERS: &[Field] = &[req("groupId", Kind::Id), opt("page", PAGE), opt("size", SIZE)];
static GROUP_UPDATE: &[Field] = &[ID, opt("name", text(45)).need(NotEmptyIfGiven), opt("remark", text(255))];
static BY_CODE: &[Field] = &[req("code", ANY_TEXT).need(NonEmpty)];
static QUALITY: &[Field] = &[opt("qaLevel", Kind::OneOf(&[1, 2, 3])).wire("qa_level")];

/// Every operation. Order: seed 2.4.1–2.4.13, then groups, departments, records, devices,
/// face-photo checks and system information.
pub static OPERATIONS: &[Operation] = &[
    multipart("employees.create", "/api/v1/user", EMPLOYEE_CREATE, FACE, Output::Person(1)),
    multipart("employees.update", "/api/v2/user/update/{id}", EMPLOYEE_UPDATE, FACE, Output::Person(1)),
    get_write("employees.delete", "/api/v1/user/delete/{id}", ONLY_ID),
    get("employees.avatarsUpdatedOn", "/api/v2/staff/image_updated", DATE, Output::List(Shape::AvatarUpdate)),
    Operation {
        window: VISIT,
        ..multipart(
            "visitors.create",
            "/api/v1/guest",
            VISITOR_CREATE,
            PhotoRule::Required("avatarFile"),
            Output::Person(2),
        )
    },
    Operation {
        window: VISIT,
        ..multipart("visitors.update", "/api/v1/guest/update/{id}", VISITOR_UPDATE, FACE, Output::Person(2))
    },
    get_write("visitors.delete", "/api/v1/guest/delete/{id}", ONLY_ID),
    multipart("denyList.create", "/api/v2/black", DENY_LIST_CREATE, FACE, Output::Person(5)),
    op("denyList.moveIn", Method::Post, "/api/v2/black/move/in", Json, MOVE_IN, Output::Nothing),
    get_write("denyList.moveOut", "/api/v2/black/move/out", ONLY_ID),
    multipart("denyList.update", "/api/v2/black/update", DENY_LIST_UPDATE, FACE, Output::Person(5)),
    get_write("denyList.delete", "/api/v2/black/delete/{id}", ONLY_ID),
    Operation { paged: true, ..get("persons.list", "/api/v1/user/list", PERSON_FILTERS, Output::Persons) },
    multipart("groups.create", "/api/v1/group", GROUP_CREATE, PhotoRule::None, Output::One(Shape::Group)),
    get("groups.list", "/api/v1/group", GROUP_FILTER, Output::List(Shape::Group)),
    Operation { paged: true, ..get("groups.members", "/api/v1/group/user", GROUP_MEMBERS, Output::Persons) },
    op("groups.update", Method::Post, "/api/v3/group/update", Json, GROUP_UPDATE, Output::One(Shape::Group)),
    get_write("groups.delete", "/api/v1/group/delete/{id}", ONLY_ID),
    get("departments.list", "/api/v2/department", NONE, Output::List(Shape::Department)),
    get("departments.byCode", "/api/v2/department/search/code", BY_CODE, Output::One(Shape::Department)),
    Operation {
        path_enterprise: Some("/api/v3/record/list"),
        paged: true,
        window: VISIT,
        ..get("records.list", "/api/v5/record/list", RECORD_FILTERS, Output::Records)
    },
    get("devices.list", "/api/v2/device", NONE, Output::List(Shape::Device)),
    Operation {
        read: true,
        ..multipart(
            "recognition.check",
            "/api/v1/recognition/check",
            NONE,
            PhotoRule::Required("face_avatar"),
            Output::Count,
        )
    },
    Operation {
        path_enterprise: Some("/api/v1/recognition/quality"),
        read: true,
        ..multipart(
            "recognition.quality",
            "/api/v3/recognition/quality",
            QUALITY,
            PhotoRule::Required("face_avatar"),
            Output::Camel,
        )
    },
    get("system.version", "/api/v3/server/version", NONE, Output::Camel),
    get("system.company", "/api/v1/company", NONE, Output::Camel),
];

/// The operation with this name.
pub fn find(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.name == name)
}

impl Operation {
    /// The path template on an edition.
    pub fn path_on(&self, edition: super::Edition) -> &'static str {
        match (edition, self.path_enterprise) {
            (super::Edition::Enterprise, Some(path)) => path,
            _ => self.path,
        }
    }

    /// Whether a field is consumed by the path (`{id}`).
    pub fn in_path(&self, field: &Field) -> bool {
        field.name == "id" && self.path.ends_with("{id}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_are_unique_and_well_formed() {
        assert_eq!(OPERATIONS.len(), 26);
        for (i, a) in OPERATIONS.iter().enumerate() {
            for b in OPERATIONS.iter().skip(i + 1) {
                assert_ne!(a.name, b.name);
                assert!(a.path != b.path || a.method != b.method, "{} and {}", a.name, b.name);
            }
            assert!(a.path.starts_with("/api/v"), "{}", a.name);
            assert_eq!(a.body == BodyKind::Query, a.method == Method::Get, "{}", a.name);
            if a.path.contains('{') {
                assert!(a.path.ends_with("{id}") && a.fields.iter().any(|f| f.name == "id"), "{}", a.name);
            }
            for f in a.fields {
                assert!(a.fields.iter().filter(|g| g.name == f.name).count() == 1, "{}: {}", a.name, f.name);
            }
            if a.paged {
                assert!(
                    a.fields.iter().any(|f| f.name == "page") && a.fields.iter().any(|f| f.name == "size"),
                    "{}",
                    a.name
                );
            }
        }
    }

    #[test]
    fn the_update_tables_are_the_create_tables_plus_id() {
        for (create, update) in [
            ("denyList.create", "denyList.update"),
            ("employees.create", "employees.update"),
            ("visitors.create", "visitors.update"),
        ] {
            let (c, u) = (find(create).unwrap(), find(update).unwrap());
            let names = |fields: &[Field]| fields.iter().map(|f| f.name).filter(|n| *n != "id").collect::<Vec<_>>();
            assert_eq!(names(c.fields), names(u.fields), "{update}");
            for (a, b) in c.fields.iter().zip(u.fields.iter().skip(1)) {
                assert_eq!((a.wire, a.kind), (b.wire, b.kind), "{update}: {}", a.name);
            }
        }
    }
}
