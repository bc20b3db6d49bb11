//! Reading and validating caller input (a JSON object with the seed's camelCase parameter names).
//!
//! Every rule is data: a [`Field`] names the parameter, the wire name, its [`Kind`] (length limits in
//! characters, date formats, ids, gender…) and whether it is required. [`read_fields`] checks an input
//! object against a table and returns the wire fields in table order, or the first broken rule as an
//! `INVALID_INPUT` error naming the field and the rule. Nothing here performs I/O, so a bad input never
//! reaches the network.
//!
//! Semantics shared by every endpoint: a missing property and `null` both mean "not given" (on
//! updates: unchanged); `""` is sent as it is (on updates: cleared) unless the rule forbids it.

use crate::json::{Map, Value};

use crate::date::{parse_date, parse_datetime};
use crate::error::Error;

/// What a parameter holds and how it is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text of `min..=max` characters (`max` 0 = no limit); `""` always passes the length check.
    Text {
        /// Fewest characters of a non-empty value.
        min: u16,
        /// Most characters (0 = no limit).
        max: u16,
    },
    /// ASCII digits only, at most `max` characters (deny-list `areaCode`).
    Digits {
        /// Most characters.
        max: u16,
    },
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// A date and time `YYYY-MM-DD hh:mm:ss`.
    DateTime,
    /// A positive integer id (a number or a string of digits).
    Id,
    /// A non-negative integer id where 0 means "none" (`departmentId`).
    IdOrZero,
    /// A list of ids, sent as one comma-joined field (`groups=1,2`; `[]` sends `""`).
    Ids,
    /// `1` (female) or `2` (male).
    Gender,
    /// A boolean, sent as `1` / `0` (`force`).
    Flag,
    /// An integer in `min..=max` (page numbers, sizes, enumerations).
    Int {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
    },
    /// One of the listed integers (person `type`).
    OneOf(&'static [i64]),
    /// One of the listed strings (record `order`).
    Word(&'static [&'static str]),
}

/// Whether a parameter must be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// May be omitted.
    Optional,
    /// Must be given (`""` allowed for text).
    Required,
    /// Must be given and not `""`.
    NonEmpty,
    /// May be omitted, but not `""` when given (`name` on updates).
    NotEmptyIfGiven,
}

/// One parameter of an endpoint.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Property name in the caller's input (camelCase, as in the seed).
    pub name: &'static str,
    /// Parameter name on the wire.
    pub wire: &'static str,
    /// Type and format rules.
    pub kind: Kind,
    /// Presence rule.
    pub need: Need,
}

impl Field {
    /// The same field with another presence rule.
    pub const fn need(self, need: Need) -> Field {
        Field { need, ..self }
    }
}

/// An optional parameter sent under its own name.
pub const fn opt(name: &'static str, kind: Kind) -> Field {
    Field { name, wire: name, kind, need: Need::Optional }
}

/// A required parameter sent under its own name.
pub const fn req(name: &'static str, kind: Kind) -> Field {
    Field { name, wire: name, kind, need: Need::Required }
}

/// Text of at most `max` characters.
pub const fn text(max: u16) -> Kind {
    Kind::Text { min: 0, max }
}

/// Text without a documented limit.
pub const ANY_TEXT: Kind = Kind::Text { min: 0, max: 0 };

/// The input as an object (`INVALID_INPUT` otherwise).
pub fn as_object<'a>(input: &'a Value, what: &str) -> Result<&'a Map<String, Value>, Error> {
    input.as_object().ok_or_else(|| Error::invalid_input(what, "must be an object"))
}

/// A present, non-null property.
pub fn given<'a>(input: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    input.get(name).filter(|v| !v.is_null())
}

/// Refuses properties that are not in `fields` or `extra` (a typo must not be dropped silently).
pub fn check_known(input: &Map<String, Value>, fields: &[Field], extra: &[&str], what: &str) -> Result<(), Error> {
    for key in input.keys() {
        if !fields.iter().any(|f| f.name == key) && !extra.contains(&key.as_str()) {
            return Err(Error::invalid_input(key.as_str(), format!("is not a parameter of {what}")));
        }
    }
    Ok(())
}

/// An integer from a JSON number (no fraction) or a string of ASCII digits (optionally negative).
pub fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64)),
        Value::String(s) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        }
        _ => None,
    }
}

/// A positive integer id (`INVALID_INPUT` naming `field` otherwise).
pub fn id_value(value: &Value, field: &str) -> Result<i64, Error> {
    match integer(value) {
        Some(id) if id >= 1 => Ok(id),
        _ => Err(Error::invalid_input(field, format!("must be a positive integer id (got {})", shown(value)))),
    }
}

/// A required positive integer id property.
pub fn required_id(input: &Map<String, Value>, name: &str) -> Result<i64, Error> {
    match given(input, name) {
        Some(value) => id_value(value, name),
        None => Err(Error::invalid_input(name, "is required")),
    }
}

/// A list of ids (`INVALID_INPUT` naming the element otherwise).
pub fn id_list(value: &Value, field: &str) -> Result<Vec<i64>, Error> {
    let Some(items) = value.as_array() else {
        return Err(Error::invalid_input(field, format!("must be an array of ids (got {})", shown(value))));
    };
    items.iter().enumerate().map(|(i, item)| id_value(item, &format!("{field}[{i}]"))).collect()
}

/// Number of characters (Unicode scalar values): `s.chars().count()` without core's large
/// vectorised counter.
pub fn char_count(s: &str) -> usize {
    // Every character has exactly one byte that is not a continuation byte (0b10xx_xxxx).
    s.bytes().filter(|&b| (b as i8) >= -0x40).count()
}

/// A short rendering of a value for error messages (strings quoted, long values cut).
pub fn shown(value: &Value) -> String {
    let text = match value {
        Value::String(s) => format!("\"{s}\""),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
        other => super::json::to_json(other),
    };
    if char_count(&text) > 40 {
        let cut: String = text.chars().take(37).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// `a<sep>b<sep>c` (a loop, not `join`, which costs a generic copy per element type in wasm).
pub fn join<T: std::fmt::Display>(items: &[T], separator: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(&item.to_string());
    }
    out
}

fn join_ids(ids: &[i64]) -> String {
    join(ids, ",")
}

/// Checks one given value against its kind and renders it for the wire.
pub fn check_value(field: &Field, value: &Value) -> Result<String, Error> {
    let name = field.name;
    let bad = |rule: &str| Error::invalid_input(name, format!("{rule} (got {})", shown(value)));
    match field.kind {
        Kind::Id => id_value(value, name).map(|id| id.to_string()),
        Kind::IdOrZero => match integer(value) {
            Some(id) if id >= 0 => Ok(id.to_string()),
            _ => Err(bad("must be a non-negative integer id (0 = none)")),
        },
        Kind::Ids => id_list(value, name).map(|ids| join_ids(&ids)),
        Kind::Gender => match integer(value) {
            Some(g @ (1 | 2)) => Ok(g.to_string()),
            _ => Err(bad("must be 1 (female) or 2 (male)")),
        },
        Kind::Flag => match value {
            Value::Bool(b) => Ok(if *b { "1" } else { "0" }.to_string()),
            other => match integer(other) {
                Some(n @ (0 | 1)) => Ok(n.to_string()),
                _ => Err(bad("must be true or false")),
            },
        },
        Kind::Int { min, max } => match integer(value) {
            Some(n) if n >= min && n <= max => Ok(n.to_string()),
            _ => Err(bad(&format!("must be an integer from {min} to {max}"))),
        },
        Kind::OneOf(allowed) => match integer(value) {
            Some(n) if allowed.contains(&n) => Ok(n.to_string()),
            _ => Err(bad(&format!("must be one of {}", join(allowed, ", ")))),
        },
        Kind::Word(allowed) => match value.as_str() {
            Some(s) if allowed.contains(&s) => Ok(s.to_string()),
            _ => Err(bad(&format!("must be one of \"{}\"", join(allowed, "\", \"")))),
        },
        Kind::Text { .. } | Kind::Digits { .. } | Kind::Date | Kind::DateTime => {
            let Some(s) = value.as_str() else {
                return Err(bad("must be a string"));
            };
            if s.is_empty() {
                return Ok(String::new());
            }
            check_text(field, s)?;
            Ok(s.to_string())
        }
    }
}

fn check_text(field: &Field, s: &str) -> Result<(), Error> {
    let name = field.name;
    let chars = char_count(s);
    match field.kind {
        Kind::Text { min, max } => {
            let (min, max) = (usize::from(min), usize::from(max));
            if min > 0 && (chars < min || chars > max) {
                return Err(Error::invalid_input(name, format!("must be {min} to {max} characters (got {chars})")));
            }
            if max > 0 && chars > max {
                return Err(Error::invalid_input(name, format!("at most {max} characters (got {chars})")));
            }
        }
        Kind::Digits { max } => {
            if !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::invalid_input(name, format!("digits only (got \"{s}\")")));
            }
            if chars > usize::from(max) {
                return Err(Error::invalid_input(name, format!("at most {max} characters (got {chars})")));
            }
        }
        Kind::Date if parse_date(s).is_none() => {
            return Err(Error::invalid_input(name, format!("must be a date YYYY-MM-DD (got \"{s}\")")));
        }
        Kind::DateTime if s.len() != 19 || s.as_bytes()[10] != b' ' || parse_datetime(s).is_none() => {
            return Err(Error::invalid_input(name, format!("must be a date and time YYYY-MM-DD hh:mm:ss (got \"{s}\")")));
        }
        _ => {}
    }
    Ok(())
}

/// Checks `input` against `fields` and returns `(wire name, value)` for every given field, in table
/// order. Properties not in the table fail unless listed in `extra` (handled by the caller).
pub fn read_fields(
    input: &Map<String, Value>,
    fields: &[Field],
    extra: &[&str],
    what: &str,
) -> Result<Vec<(String, String)>, Error> {
    check_known(input, fields, extra, what)?;
    let mut out = Vec::new();
    for field in fields {
        let Some(value) = given(input, field.name) else {
            if matches!(field.need, Need::Required | Need::NonEmpty) {
                let hint = match (field.need, field.kind) {
                    (Need::Required, Kind::Text { .. }) => " (\"\" is allowed)",
                    (_, Kind::Ids) => " ([] for none)",
                    _ => "",
                };
                return Err(Error::invalid_input(field.name, format!("is required{hint}")));
            }
            continue;
        };
        let wire = check_value(field, value)?;
        if wire.is_empty() && matches!(field.need, Need::NonEmpty | Need::NotEmptyIfGiven) && field.kind != Kind::Ids {
            return Err(Error::invalid_input(field.name, "may not be empty"));
        }
        out.push((field.wire.to_string(), wire));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    const FIELDS: &[Field] = &[
        req("name", text(45)).need(Need::NonEmpty),
        opt("mobile", text(20)),
        opt("idNumber", Kind::Text { min: 6, max: 30 }),
        opt("areaCode", Kind::Digits { max: 8 }),
        opt("birthday", Kind::Date),
        opt("dateTimeFrom", Kind::DateTime),
        opt("groups", Kind::Ids),
        opt("gender", Kind::Gender),
        opt("force", Kind::Flag),
        opt("departmentId", Kind::IdOrZero),
        opt("size", Kind::Int { min: 1, max: 100 }),
        opt("type", Kind::OneOf(&[1, 2, 5])),
        opt("order", Kind::Word(&["asc", "desc"])),
    ];

    fn run(input: Value) -> Result<Vec<(String, String)>, Error> {
        read_fields(input.as_object().unwrap(), FIELDS, &["id"], "test")
    }

    fn message(input: Value) -> String {
        run(input).unwrap_err().message.clone()
    }

    #[test]
    fn renders_wire_values_in_table_order() {
        let out = run(json!({"force": true, "groups": [1, "2"], "name": "佐藤 太郎", "gender": 2, "departmentId": 0, "id": 5}))
            .unwrap();
        assert_eq!(out, vec![
            ("name".to_string(), "佐藤 太郎".to_string()),
            ("groups".to_string(), "1,2".to_string()),
            ("gender".to_string(), "2".to_string()),
            ("force".to_string(), "1".to_string()),
            ("departmentId".to_string(), "0".to_string()),
        ]);
    }

    #[test]
    fn null_means_not_given_and_empty_string_is_kept() {
        let out = run(json!({"name": "a", "mobile": "", "birthday": null, "groups": []})).unwrap();
        assert_eq!(out, vec![("name".into(), "a".into()), ("mobile".into(), "".into()), ("groups".into(), "".into())]);
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(run(json!({"name": "あ".repeat(45)})).is_ok());
        assert_eq!(message(json!({"name": "あ".repeat(46)})), "name: at most 45 characters (got 46)");
        assert_eq!(message(json!({"name": "a", "mobile": "0".repeat(23)})), "mobile: at most 20 characters (got 23)");
        assert_eq!(message(json!({"name": "a", "idNumber": "12345"})), "idNumber: must be 6 to 30 characters (got 5)");
        assert!(run(json!({"name": "a", "idNumber": ""})).is_ok());
    }

    #[test]
    fn required_and_empty_rules() {
        let e = run(json!({})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        assert_eq!(e.message, "name: is required");
        assert_eq!(message(json!({"name": ""})), "name: may not be empty");
        assert_eq!(message(json!({"name": null})), "name: is required");
    }

    #[test]
    fn formats_and_types() {
        assert_eq!(message(json!({"name": "a", "birthday": "2019/06/15"})), "birthday: must be a date YYYY-MM-DD (got \"2019/06/15\")");
        assert_eq!(message(json!({"name": "a", "birthday": "2023-02-29"})), "birthday: must be a date YYYY-MM-DD (got \"2023-02-29\")");
        assert!(message(json!({"name": "a", "dateTimeFrom": "2018-07-20T12:30:45"})).starts_with("dateTimeFrom: must be a date and time"));
        assert!(run(json!({"name": "a", "dateTimeFrom": "2018-07-20 12:30:45"})).is_ok());
        assert_eq!(message(json!({"name": "a", "gender": 0})), "gender: must be 1 (female) or 2 (male) (got 0)");
        assert_eq!(message(json!({"name": "a", "gender": "male"})), "gender: must be 1 (female) or 2 (male) (got \"male\")");
        assert_eq!(message(json!({"name": "a", "groups": [1, 0]})), "groups[1]: must be a positive integer id (got 0)");
        assert_eq!(message(json!({"name": "a", "groups": "1,2"})), "groups: must be an array of ids (got \"1,2\")");
        assert_eq!(message(json!({"name": 12})), "name: must be a string (got 12)");
        assert_eq!(message(json!({"name": "a", "force": "yes"})), "force: must be true or false (got \"yes\")");
        assert_eq!(message(json!({"name": "a", "areaCode": "+81"})), "areaCode: digits only (got \"+81\")");
        assert_eq!(message(json!({"name": "a", "areaCode": "123456789"})), "areaCode: at most 8 characters (got 9)");
        assert_eq!(message(json!({"name": "a", "size": 101})), "size: must be an integer from 1 to 100 (got 101)");
        assert_eq!(message(json!({"name": "a", "type": 3})), "type: must be one of 1, 2, 5 (got 3)");
        assert_eq!(message(json!({"name": "a", "order": "up"})), "order: must be one of \"asc\", \"desc\" (got \"up\")");
        assert_eq!(message(json!({"name": "a", "departmentId": -1})), "departmentId: must be a non-negative integer id (0 = none) (got -1)");
        assert_eq!(message(json!({"name": "a", "size": 2.5})), "size: must be an integer from 1 to 100 (got 2.5)");
    }

    #[test]
    fn unknown_properties_are_refused() {
        let e = run(json!({"name": "a", "jobnumber": "x"})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("jobnumber"));
        assert_eq!(e.message, "jobnumber: is not a parameter of test");
    }

    #[test]
    fn integers_from_numbers_and_digit_strings() {
        assert_eq!(integer(&json!(12)), Some(12));
        assert_eq!(integer(&json!(12.0)), Some(12));
        assert_eq!(integer(&json!("12")), Some(12));
        assert_eq!(integer(&json!("-3")), Some(-3));
        assert_eq!(integer(&json!("1e3")), None);
        assert_eq!(integer(&json!(" 1")), None);
        assert_eq!(integer(&json!(true)), None);
        assert_eq!(shown(&json!("x".repeat(60))).chars().count(), 38);
    }
}
