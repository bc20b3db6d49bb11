//! What bulk import (`importPeople`, `parsePeopleCsv` in `pkg-template/src/senselink-import.ts`)
//! asks of the core: the checks of a single call without the call, and an operation's parameters
//! (name, kind, whether required) for turning spreadsheet cells into inputs — both read from the one
//! table of operations, so an import follows exactly the rules of `employees.create` and the others.
//!
//! The import itself (concurrency, look-ups before a retry, progress) drives I/O and lives in the
//! TypeScript wrapper; the CSV tokenizer lives there too (docs/import.md says why).

#[allow(unused_imports)]
use crate::prelude::*;

use crate::doc::Doc;
use crate::error::Error;

use super::operations::{self, Operation};
use super::photo::PhotoInput;
use super::plan::plan;
use super::rules::{Kind, Need};
use super::Edition;

/// The operation called `name`, or `INVALID_INPUT` naming it.
pub fn operation(name: &str) -> Result<&'static Operation, Error> {
    operations::find(name)
        .ok_or_else(|| Error::invalid_input("operation", format!("unknown SenseLink operation \"{name}\"")))
}

/// The edition called `name` (`"cloud"`, `"enterprise"`), or `INVALID_INPUT`.
pub fn edition(name: &str) -> Result<Edition, Error> {
    Edition::parse(name).ok_or_else(|| Error::invalid_input("edition", "must be \"cloud\" or \"enterprise\""))
}

/// Checks `input` (and `photo`) for `operation` on `edition` exactly as the call would before
/// sending: `Ok` when it would be sent, else the one `INVALID_INPUT` error listing every problem.
pub fn check<D: Doc>(
    operation: &'static Operation,
    input: &D,
    photo: Option<PhotoInput>,
    edition: Edition,
) -> Result<(), Error> {
    plan(operation, input, photo, edition).map(|_| ())
}

/// How a cell is read into a parameter of this kind: `text`, `date` (`YYYY-MM-DD`), `datetime`
/// (`YYYY-MM-DD hh:mm:ss`), `id`, `ids` (a list), `gender` (1/2), `flag` (boolean), `number`.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Text { .. } | Kind::Digits { .. } | Kind::Word(_) => "text",
        Kind::Date => "date",
        Kind::DateTime => "datetime",
        Kind::Id | Kind::IdOrZero => "id",
        Kind::Ids => "ids",
        Kind::Gender => "gender",
        Kind::Flag => "flag",
        Kind::Int { .. } | Kind::OneOf(_) => "number",
    }
}

/// One parameter as the import reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parameter {
    /// Property name (camelCase, as in the single calls).
    pub name: &'static str,
    /// [`kind_name`] of its kind.
    pub kind: &'static str,
    /// Whether the call requires it on the edition (`""` or `[]` may still be allowed).
    pub required: bool,
}

/// The parameters of `operation` on `edition`, in table order, without those of another edition.
pub fn parameters(operation: &Operation, edition: Edition) -> Vec<Parameter> {
    operation
        .fields
        .iter()
        .filter(|f| f.need_on(edition) != Need::Absent)
        .map(|f| Parameter {
            name: f.name,
            kind: kind_name(f.kind),
            required: matches!(f.need_on(edition), Need::Required | Need::NonEmpty),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::senselink::photo::tests::{blob, PNG};
    use serde_json::json;

    fn required(op: &str, edition: Edition) -> Vec<&'static str> {
        parameters(operation(op).unwrap(), edition).into_iter().filter(|p| p.required).map(|p| p.name).collect()
    }

    #[test]
    fn the_three_create_operations_read_like_the_single_calls() {
        assert_eq!(required("employees.create", Edition::Cloud), ["name"]);
        assert_eq!(
            required("employees.create", Edition::Enterprise),
            ["name", "icNumber", "jobNumber", "mobile", "remark"]
        );
        assert_eq!(
            required("visitors.create", Edition::Cloud),
            ["name", "mobile", "remark", "groups", "receptionUserId", "dateTimeFrom", "dateTimeTo"]
        );
        assert_eq!(required("denyList.create", Edition::Cloud), ["name"]);
        let kinds = |op: &str| {
            parameters(operation(op).unwrap(), Edition::Cloud).into_iter().map(|p| (p.name, p.kind)).collect::<Vec<_>>()
        };
        let employee = kinds("employees.create");
        for (name, kind) in [
            ("groups", "ids"),
            ("departmentId", "id"),
            ("birthday", "date"),
            ("gender", "gender"),
            ("force", "flag"),
            ("jobNumber", "text"),
        ] {
            assert!(employee.contains(&(name, kind)), "{name}: {employee:?}");
        }
        assert!(kinds("visitors.create").contains(&("dateTimeFrom", "datetime")));
        assert!(kinds("denyList.create").contains(&("areaCode", "text")));
        // Cloud-only list filters are not parameters on GE Enterprise.
        let ge: Vec<_> =
            parameters(operation("persons.list").unwrap(), Edition::Enterprise).into_iter().map(|p| p.name).collect();
        assert!(!ge.contains(&"departmentId") && !ge.contains(&"groups"), "{ge:?}");
    }

    #[test]
    fn check_reports_every_problem_and_passes_what_the_call_would_send() {
        let op = operation("visitors.create").unwrap();
        let bad = json!({"name": "", "mobile": "1".repeat(21), "groups": [1, "x"], "extra": 1});
        let error = check(op, &bad, None, Edition::Cloud).unwrap_err();
        let fields: Vec<String> = match error.details.iter().find(|(k, _)| *k == "issues") {
            Some((_, crate::error::Detail::Issues(issues))) => issues.iter().map(|(f, _)| f.clone()).collect(),
            other => panic!("{other:?}"),
        };
        for field in ["name", "mobile", "groups[1]", "extra", "avatar", "remark", "receptionUserId", "dateTimeFrom"] {
            assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
        }
        let good = json!({"name": "山田 花子", "mobile": "09012345678", "remark": "", "groups": [], "receptionUserId": "60001",
            "dateTimeFrom": "2025-04-01 10:00:00", "dateTimeTo": "2025-04-01 12:00:00"});
        assert!(check(op, &good, Some(PhotoInput::File(blob(100, PNG, None))), Edition::Cloud).is_ok());
        let employee = operation("employees.create").unwrap();
        assert!(check(employee, &json!({"name": "a"}), None, Edition::Cloud).is_ok());
        assert_eq!(
            check(employee, &json!({"name": "a"}), None, Edition::Enterprise).unwrap_err().field.as_deref(),
            Some("icNumber")
        );
        assert_eq!(operation("employees.explode").unwrap_err().field.as_deref(), Some("operation"));
        assert_eq!(edition("ge").unwrap_err().field.as_deref(), Some("edition"));
    }
}
