//! Recognition records (v5 on Cloud, v3 on GE Enterprise), devices and system information (spec §5).
//! Record and device times are Unix **seconds**.

use crate::json::{Map, Value};

use super::input::{opt, read_fields, Field, Kind};
use super::ops::{Output, Plan};
use super::persons::{paged_query, PAGE, SIZE};
use super::types;
use super::Edition;
use crate::error::Error;

/// Record filters: camelCase in, the API's snake_case on the wire.
pub const RECORD_FILTERS: &[Field] = &[
    Field { name: "dateTimeFrom", wire: "date_time_from", kind: Kind::DateTime, need: super::input::Need::Optional },
    Field { name: "dateTimeTo", wire: "date_time_to", kind: Kind::DateTime, need: super::input::Need::Optional },
    opt("order", Kind::Word(&["asc", "desc"])),
    opt("page", PAGE),
    opt("size", SIZE),
];

/// Plans a records, devices or system operation.
pub fn plan(operation: &str, input: &Map<String, Value>, edition: Edition) -> Result<Plan, Error> {
    match operation {
        "records.list" => {
            let (query, page, size) = paged_query(input, RECORD_FILTERS, operation)?;
            let value = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
            if let (Some(from), Some(to)) = (value("date_time_from"), value("date_time_to")) {
                if to < from {
                    return Err(Error::invalid_input("dateTimeTo", format!("must not be earlier than dateTimeFrom ({to} < {from})")));
                }
            }
            let path = match edition {
                Edition::Cloud => "/api/v5/record/list",
                Edition::Enterprise => "/api/v3/record/list",
            };
            Ok(Plan::get(path.into(), query, Output::Records { page, size }))
        }
        "devices.list" | "system.version" | "system.company" => {
            read_fields(input, &[], &[], operation)?;
            Ok(match operation {
                "devices.list" => Plan::get("/api/v2/device".into(), Vec::new(), Output::List(types::DEVICE)),
                "system.version" => Plan::get("/api/v3/server/version".into(), Vec::new(), Output::Camel),
                _ => Plan::get("/api/v1/company".into(), Vec::new(), Output::Camel),
            })
        }
        _ => Err(super::ops::unknown(operation)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    #[test]
    fn records_use_the_edition_path_and_snake_case_filters() {
        let input = json!({"dateTimeFrom": "2025-03-01 00:00:00", "order": "asc", "size": 50});
        let p = plan("records.list", input.as_object().unwrap(), Edition::Cloud).unwrap();
        assert_eq!(p.path, "/api/v5/record/list");
        assert_eq!(p.query, vec![
            ("date_time_from".into(), "2025-03-01 00:00:00".into()), ("order".into(), "asc".into()),
            ("page".into(), "1".into()), ("size".into(), "50".into()),
        ]);
        let p = plan("records.list", &Map::new(), Edition::Enterprise).unwrap();
        assert_eq!(p.path, "/api/v3/record/list");
        let bad = json!({"dateTimeFrom": "2025-03-02 00:00:00", "dateTimeTo": "2025-03-01 00:00:00"});
        assert_eq!(plan("records.list", bad.as_object().unwrap(), Edition::Cloud).unwrap_err().field.as_deref(), Some("dateTimeTo"));
        let bad = json!({"order": "newest"});
        assert!(plan("records.list", bad.as_object().unwrap(), Edition::Cloud).is_err());
    }

    #[test]
    fn devices_and_system() {
        assert_eq!(plan("devices.list", &Map::new(), Edition::Cloud).unwrap().path, "/api/v2/device");
        assert_eq!(plan("system.version", &Map::new(), Edition::Cloud).unwrap().output, Output::Camel);
        assert_eq!(plan("system.company", &Map::new(), Edition::Cloud).unwrap().path, "/api/v1/company");
    }
}
