//! THE path table: every cyzen resource, its path, list key, id key, the operations the vendor's
//! overview lists, cursor fields, date window and the filters the client may send.
//!
//! `docs/cyzen-paths.md`'s table and the TypeScript wrapper's resource list are generated from this
//! one (`make generate`; a test checks them), and the sandbox's coverage test reads it. Paths marked [`Status::Guess`] follow the visible convention (snake_case plural,
//! `<singular>_id`, `next_<singular>_id`) and can be replaced with the client's `paths` option.

#[allow(unused_imports)]
use crate::prelude::*;

/// `GET` (list, or for `images` one binary object).
pub const GET: u8 = 1;
/// `POST` (create).
pub const ADD: u8 = 2;
/// `PUT` (update; the id goes in the form body).
pub const UPDATE: u8 = 4;
/// `DELETE` (the id goes in the query string).
pub const DELETE: u8 = 8;

/// How sure we are about a resource's path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Called by public clients against the real service.
    Confirmed,
    /// The read path is confirmed; the note says what is not.
    Partly(&'static str),
    /// Best guess from the naming convention.
    Guess,
}

/// A date window the server enforces on a list (inclusive bounds, `YYYY-MM-DDThh:mm:ss` UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Query name of the lower bound.
    pub from: &'static str,
    /// Query name of the upper bound.
    pub to: &'static str,
    /// Longest span the server accepts, in days.
    pub max_days: u32,
}

/// How a filter value is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    /// As given (strings and numbers).
    Text,
    /// A boolean sent as `1` / `0`.
    Flag,
    /// Never sent: applied by the client to the items it receives.
    ClientSide,
}

/// One resource of the integration API.
#[derive(Debug)]
pub struct Resource {
    /// Name in the JavaScript API (`client.spots`).
    pub name: &'static str,
    /// Path under the base URL.
    pub path: &'static str,
    /// Key of the item array in a list answer (empty for binary `images`).
    pub list_key: &'static str,
    /// Id field (query parameter of DELETE, form field of PUT, key of POST/PUT answers).
    pub id_key: &'static str,
    /// Operations of the vendor's table ([`GET`] | [`ADD`] | [`UPDATE`] | [`DELETE`]).
    pub ops: u8,
    /// Cursor fields the server is known to send (every `next_*` field is echoed anyway).
    pub cursor: &'static [&'static str],
    /// Date window, when the server enforces one.
    pub window: Option<Window>,
    /// Filters besides the id key and the window.
    pub filters: &'static [(&'static str, Filter)],
    /// Parameters the server accepts but silently ignores: refused so callers are not misled.
    pub ignored: &'static [(&'static str, &'static str)],
    /// `/schedules`: a 500 on a window wider than a day is retried as one-day windows.
    pub split_on_500: bool,
    /// The answer is a binary body (`images`).
    pub binary: bool,
    /// Confirmed or guessed.
    pub status: Status,
}

const fn r(
    name: &'static str,
    path: &'static str,
    id_key: &'static str,
    ops: u8,
    cursor: &'static [&'static str],
) -> Resource {
    Resource {
        name,
        path,
        list_key: path,
        id_key,
        ops,
        cursor,
        window: None,
        filters: &[],
        ignored: &[],
        split_on_500: false,
        binary: false,
        status: Status::Guess,
    }
}

const fn w(from: &'static str, to: &'static str, max_days: u32) -> Option<Window> {
    Some(Window { from, to, max_days })
}

use Filter::{ClientSide, Flag, Text};
use Status::{Confirmed, Partly};

/// The table.
pub static RESOURCES: &[Resource] = &[
    Resource {
        window: w("from_date", "to_date", 15),
        status: Confirmed,
        ..r("histories", "histories", "history_id", GET, &["next_history_created_at", "next_history_id"])
    },
    Resource {
        window: w("from_date", "to_date", 15),
        filters: &[("user_id", Text)],
        ..r("trackings", "trackings", "tracking_id", GET, &["next_tracking_id"])
    },
    Resource {
        status: Partly("list key guessed"),
        ..r("latestLocations", "members_statuses", "user_id", GET, &["next_user_id"])
    },
    Resource {
        window: w("updated_from", "updated_to", 7),
        filters: &[("spot_code", Text)],
        status: Partly("DELETE guessed"),
        ..r("spots", "spots", "spot_id", GET | ADD | UPDATE | DELETE, &["next_spot_id"])
    },
    Resource {
        filters: &[("spot_id", Text)],
        ..r("spotCustomers", "spot_customers", "spot_customer_id", GET, &["next_spot_customer_id"])
    },
    Resource {
        filters: &[("spot_id", Text), ("user_id", Text)],
        ..r("spotStaff", "spot_staffs", "spot_staff_id", GET | ADD | DELETE, &["next_spot_staff_id"])
    },
    r("spotTagLinks", "spot_tag_links", "spot_tag_link_id", ADD | UPDATE | DELETE, &[]),
    Resource {
        filters: &[("group_id", Text)],
        status: Confirmed,
        ..r("spotTags", "spot_tags", "spot_tag_id", GET, &["next_spot_tag_id"])
    },
    Resource {
        status: Partly("writes guessed"),
        ..r("groups", "groups", "group_id", GET | ADD | UPDATE | DELETE, &["next_group_id"])
    },
    Resource {
        filters: &[("field", Text)],
        status: Partly("writes guessed"),
        ..r("users", "users", "user_id", GET | ADD | UPDATE | DELETE, &["next_user_id"])
    },
    r("userAffiliations", "user_affiliations", "user_affiliation_id", ADD | UPDATE | DELETE, &[]),
    Resource {
        filters: &[("group_id", Text)],
        status: Confirmed,
        ..r("statuses", "statuses", "status_id", GET, &["next_status_id"])
    },
    r("actionTypes", "action_types", "action_type_id", GET, &["next_action_type_id"]),
    Resource {
        status: Confirmed,
        ..r("reportDefinitions", "report_definitions", "report_definition_id", GET, &["next_report_definition_id"])
    },
    Resource {
        window: w("updated_from", "updated_to", 7),
        filters: &[("report_definition_id", ClientSide)],
        ignored: &[("from_date", "updated_from"), ("to_date", "updated_to")],
        status: Confirmed,
        ..r("reports", "reports", "report_id", GET, &["next_report_id", "next_report_updated_at"])
    },
    Resource { list_key: "", binary: true, ..r("images", "images", "image_id", GET, &[]) },
    Resource {
        window: w("from_date", "to_date", 7),
        filters: &[("get_deleted", Flag), ("with_actual", Flag)],
        split_on_500: true,
        status: Partly("PUT and DELETE guessed"),
        ..r("schedules", "schedules", "schedule_id", GET | ADD | UPDATE | DELETE, &["next_start_date"])
    },
    Resource {
        filters: &[("schedule_id", Text), ("user_id", Text)],
        ..r(
            "scheduleMembers",
            "schedule_members",
            "schedule_member_id",
            GET | ADD | UPDATE | DELETE,
            &["next_schedule_member_id"],
        )
    },
    Resource {
        filters: &[("user_id", Text)],
        ..r("transportExpenses", "transport_expenses", "transport_expense_id", GET, &["next_transport_expense_id"])
    },
    Resource {
        filters: &[("spot_id", Text)],
        ..r("spotPhotos", "spot_photos", "spot_photo_id", GET | DELETE, &["next_spot_photo_id"])
    },
    Resource {
        filters: &[("spot_photo_id", Text)],
        ..r("spotPhotoTags", "spot_photo_tags", "spot_photo_tag_id", GET | DELETE, &["next_spot_photo_tag_id"])
    },
    Resource {
        filters: &[("spot_id", Text)],
        ..r(
            "spotClassifications",
            "spot_classifications",
            "spot_classification_id",
            GET | UPDATE,
            &["next_spot_classification_id"],
        )
    },
    r(
        "spotClassificationDefinitions",
        "spot_classification_definitions",
        "spot_classification_definition_id",
        GET,
        &["next_spot_classification_definition_id"],
    ),
    r("spotPhotoMetadata", "spot_photo_metadata", "spot_photo_id", GET | UPDATE, &["next_spot_photo_id"]),
    Resource {
        status: Partly("not in the vendor's table"),
        ..r("userTags", "user_tags", "user_tag_id", GET, &["next_user_tag_id"])
    },
];

/// The resource with this JavaScript name.
pub fn find(name: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.name == name)
}

/// Write names of spots differ from read names: a read name given to a write is renamed.
pub const SPOT_WRITE_NAMES: &[(&str, &str)] =
    &[("spot_name_kana", "kana_name"), ("latitude", "lat"), ("longitude", "lon")];

/// What a write field must hold (checked before anything is sent; other fields pass as given).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Text (a string; a number is taken as its text).
    Text,
    /// A latitude: a number, or numeric text, from -90 to 90.
    Latitude,
    /// A longitude: a number, or numeric text, from -180 to 180.
    Longitude,
    /// `0` or `1` (a boolean is taken as 1 / 0).
    Flag,
    /// A `Date`, or a datetime text the client reads (`YYYY-MM-DD`, `YYYY-MM-DDThh:mm:ss`, …).
    DateTime,
    /// An object (sent as JSON text) or JSON text.
    Json,
}

/// The write fields the vendor's table documents, by resource, with what each must hold. A
/// resource's read names of spot fields (`latitude`…) are mapped by [`SPOT_WRITE_NAMES`] first.
pub const WRITE_FIELDS: &[(&str, &[(&str, FieldKind)])] = {
    use FieldKind::{DateTime, Flag, Json, Latitude, Longitude, Text};
    &[
        (
            "spots",
            &[
                ("spot_code", Text),
                ("spot_name", Text),
                ("kana_name", Text),
                ("zip_code", Text),
                ("tel", Text),
                ("fax", Text),
                ("address", Text),
                ("lat", Latitude),
                ("lon", Longitude),
                ("valid_from", DateTime),
                ("valid_to", DateTime),
                ("url", Text),
                ("comment", Text),
                ("group_id", Text),
                ("spot_tag_id", Text),
                ("extend_data", Json),
            ],
        ),
        ("spotStaff", &[("spot_id", Text), ("user_id", Text)]),
        ("spotTagLinks", &[("spot_id", Text), ("spot_tag_id", Text)]),
        ("groups", &[("group_code", Text), ("group_name", Text)]),
        ("users", &[("user_login_id", Text), ("user_code", Text), ("user_name", Text), ("account_status", Flag)]),
        ("userAffiliations", &[("user_id", Text), ("group_id", Text)]),
        (
            "schedules",
            &[
                ("title", Text),
                ("detail", Text),
                ("start_date", DateTime),
                ("end_date", DateTime),
                ("all_day", Flag),
                ("group_id", Text),
                ("schedule_category", Text),
                ("spot_id", Text),
                ("address", Text),
                ("lat", Latitude),
                ("lon", Longitude),
                ("user_id", Text),
            ],
        ),
        ("scheduleMembers", &[("schedule_id", Text), ("user_id", Text)]),
        ("spotClassifications", &[("spot_classification_definition_id", Text)]),
        ("spotPhotoMetadata", &[("title", Text), ("description", Text)]),
    ]
};

/// What write field `field` of resource `name` must hold, when the vendor's table documents it.
pub fn write_field_kind(name: &str, field: &str) -> Option<FieldKind> {
    let (_, fields) = WRITE_FIELDS.iter().find(|(n, _)| *n == name)?;
    fields.iter().find(|(f, _)| *f == field).map(|(_, kind)| *kind)
}

impl Resource {
    /// Whether the vendor's table lists this operation.
    pub fn has(&self, op: u8) -> bool {
        self.ops & op != 0
    }

    /// The filter kind of a name, if it may be sent on a list (id key and window included).
    pub fn filter_kind(&self, name: &str) -> Option<Filter> {
        if name == self.id_key {
            return Some(Filter::Text);
        }
        self.filters.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    /// `GET`, `POST`… as the seed table spells them, for docs and errors.
    pub fn ops_text(&self) -> String {
        let names = [(GET, "get"), (ADD, "add"), (UPDATE, "update"), (DELETE, "delete")];
        names.iter().filter(|(bit, _)| self.has(*bit)).map(|(_, n)| *n).collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_complete() {
        assert_eq!(RESOURCES.len(), 25);
        for (i, a) in RESOURCES.iter().enumerate() {
            for b in &RESOURCES[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.path, b.path);
            }
            assert!(a.ops != 0, "{}", a.name);
            for c in a.cursor {
                assert!(c.starts_with("next_"), "{c}");
            }
        }
        assert_eq!(find("spots").unwrap().window.unwrap().max_days, 7);
        assert_eq!(find("histories").unwrap().window.unwrap().max_days, 15);
        assert!(find("nope").is_none());
    }
}
