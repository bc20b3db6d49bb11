//! Parameter rules and the validation of caller input against them.
//!
//! Every rule is data: a [`Field`] names the parameter (camelCase, as in the seed), its wire name,
//! its [`Kind`] (length limits in characters, date formats, ids, gender…) and whether it is required
//! on each edition. [`read_fields`] checks the caller's own object (read through [`Doc`], never
//! copied whole) against a table and returns the values to send in table order — or every broken
//! rule at once, so a form can show all its problems together. Nothing here performs I/O, so bad
//! input never reaches the network.
//!
//! Semantics shared by every endpoint: a missing property and `null` both mean "not given" (on
//! updates: unchanged); `""` is sent as it is (on updates: cleared) unless the rule forbids it.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::date::{parse_date, parse_datetime};
use crate::doc::{integer, Doc, Kind as DocKind};
use crate::error::Issues;

use super::Edition;

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
    /// An integer in `min..=max` (page numbers, sizes).
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
    /// Not a parameter of this edition (Cloud-only list filters on GE Enterprise).
    Absent,
}

/// One parameter of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// Property name in the caller's input (camelCase, as in the seed).
    pub name: &'static str,
    /// Parameter name on the wire.
    pub wire: &'static str,
    /// Type and format rules.
    pub kind: Kind,
    /// Presence rule on SenseLink Cloud.
    pub need: Need,
    /// Presence rule on SenseLink GE Enterprise.
    pub need_enterprise: Need,
    /// What to say about a missing required value (empty: derived from the kind).
    pub hint: &'static str,
}

impl Field {
    /// The same field with another presence rule on both editions.
    pub const fn need(self, need: Need) -> Field {
        Field { need, need_enterprise: need, ..self }
    }

    /// The same field with another presence rule on GE Enterprise only.
    pub const fn enterprise(self, need: Need) -> Field {
        Field { need_enterprise: need, ..self }
    }

    /// The same field with its own hint for a missing value.
    pub const fn hint(self, hint: &'static str) -> Field {
        Field { hint, ..self }
    }

    /// The same field under another wire name.
    pub const fn wire(self, wire: &'static str) -> Field {
        Field { wire, ..self }
    }

    /// The presence rule on an edition.
    pub fn need_on(&self, edition: Edition) -> Need {
        match edition {
            Edition::Cloud => self.need,
            Edition::Enterprise => self.need_enterprise,
        }
    }
}

/// An optional parameter sent under its own name.
pub const fn opt(name: &'static str, kind: Kind) -> Field {
    Field { name, wire: name, kind, need: Need::Optional, need_enterprise: Need::Optional, hint: "" }
}

/// A required parameter sent under its own name.
pub const fn req(name: &'static str, kind: Kind) -> Field {
    Field { name, wire: name, kind, need: Need::Required, need_enterprise: Need::Required, hint: "" }
}

/// Text of at most `max` characters.
pub const fn text(max: u16) -> Kind {
    Kind::Text { min: 0, max }
}

/// Text without a documented limit.
pub const ANY_TEXT: Kind = Kind::Text { min: 0, max: 0 };

/// A checked value, typed for the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wire {
    /// Text (sent as it is).
    Text(String),
    /// An integer.
    Int(i64),
    /// A list of ids.
    Ids(Vec<i64>),
    /// A boolean (sent as `1` / `0` in forms and queries).
    Flag(bool),
}

impl Wire {
    /// The value as a form field or query parameter carries it.
    pub fn to_text(&self) -> String {
        match self {
            Wire::Text(text) => text.clone(),
            Wire::Int(n) => n.to_string(),
            Wire::Ids(ids) => join(ids, ","),
            Wire::Flag(b) => if *b { "1" } else { "0" }.to_string(),
        }
    }

    /// The value as JSON.
    pub fn to_json(&self) -> String {
        match self {
            Wire::Text(text) => crate::doc::json_string(text),
            Wire::Int(n) => n.to_string(),
            Wire::Ids(ids) => format!("[{}]", join(ids, ",")),
            Wire::Flag(b) => b.to_string(),
        }
    }

    fn is_empty_text(&self) -> bool {
        matches!(self, Wire::Text(t) if t.is_empty())
    }
}

/// The checked, given fields of an input, in table order.
pub type Checked = Vec<(&'static Field, Wire)>;

/// The value of a checked field, by input name.
pub fn value_of<'a>(checked: &'a Checked, name: &str) -> Option<&'a Wire> {
    checked.iter().find(|(f, _)| f.name == name).map(|(_, w)| w)
}

/// Number of characters (Unicode scalar values), without core's large vectorised counter.
pub fn char_count(s: &str) -> usize {
    // Every character has exactly one byte that is not a continuation byte (0b10xx_xxxx).
    s.bytes().filter(|&b| (b as i8) >= -0x40).count()
}

/// A short rendering of a value for error messages (strings quoted, long values cut).
pub fn shown<D: Doc>(value: &D) -> String {
    let text = match value.kind() {
        DocKind::Text => format!("\"{}\"", value.text_head(40).unwrap_or_default()),
        DocKind::Array => "an array".to_string(),
        DocKind::Object => "an object".to_string(),
        DocKind::Date => "a Date".to_string(),
        DocKind::Absent => "undefined".to_string(),
        DocKind::Null => "null".to_string(),
        _ => crate::doc::scalar_text(value).unwrap_or_default(),
    };
    if char_count(&text) > 40 {
        let cut: String = text.chars().take(37).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// `a<sep>b<sep>c` (a loop, not `join`, which costs a generic copy per element type in wasm).
pub fn join<T: core::fmt::Display>(items: &[T], separator: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(&item.to_string());
    }
    out
}

/// A positive integer id, or an issue naming `field`.
pub fn id_value<D: Doc>(value: &D, field: &str, issues: &mut Issues) -> Option<i64> {
    match integer(value) {
        Some(id) if id >= 1 => Some(id),
        _ => {
            issues.add(field, format!("must be a positive integer id (got {})", shown(value)));
            None
        }
    }
}

/// A list of ids; every bad element is an issue naming it (`groups[1]`).
pub fn id_list<D: Doc>(value: &D, field: &str, issues: &mut Issues) -> Option<Vec<i64>> {
    if value.kind() != DocKind::Array {
        issues.add(field, format!("must be an array of ids (got {})", shown(value)));
        return None;
    }
    let before = issues.len();
    let mut ids = Vec::with_capacity(value.len());
    for index in 0..value.len() {
        let item = value.at(index)?;
        if let Some(id) = id_value(&item, &format!("{field}[{index}]"), issues) {
            ids.push(id);
        }
    }
    (issues.len() == before).then_some(ids)
}

/// Japan's offset from UTC, in seconds (no daylight saving time).
pub const JST_OFFSET_S: i64 = 9 * 3600;

/// Checks one given value against its kind and types it for the wire.
pub fn check_value<D: Doc>(field: &Field, value: &D, issues: &mut Issues) -> Option<Wire> {
    let name = field.name;
    let rule = match field.kind {
        Kind::Id => return id_value(value, name, issues).map(Wire::Int),
        Kind::Ids => return id_list(value, name, issues).map(Wire::Ids),
        Kind::IdOrZero => match integer(value) {
            Some(id) if id >= 0 => return Some(Wire::Int(id)),
            _ => "must be a non-negative integer id (0 = none)".to_string(),
        },
        Kind::Gender => match integer(value) {
            Some(g @ (1 | 2)) => return Some(Wire::Int(g)),
            _ => "must be 1 (female) or 2 (male)".to_string(),
        },
        Kind::Flag => match (value.boolean(), integer(value)) {
            (Some(b), _) => return Some(Wire::Flag(b)),
            (None, Some(n @ (0 | 1))) => return Some(Wire::Flag(n == 1)),
            _ => "must be true or false".to_string(),
        },
        Kind::Int { min, max } => match integer(value) {
            Some(n) if n >= min && n <= max => return Some(Wire::Int(n)),
            _ => format!("must be an integer from {min} to {max}"),
        },
        Kind::OneOf(allowed) => match integer(value) {
            Some(n) if allowed.contains(&n) => return Some(Wire::Int(n)),
            _ => format!("must be one of {}", join(allowed, ", ")),
        },
        Kind::Word(allowed) => match value.text() {
            Some(s) if allowed.contains(&s.as_str()) => return Some(Wire::Text(s)),
            _ => format!("must be one of \"{}\"", join(allowed, "\", \"")),
        },
        // A JavaScript `Date` is written in Japan time (UTC+9), as SenseLink shows and takes times.
        Kind::Date | Kind::DateTime if value.kind() == DocKind::Date => {
            match value.number().filter(|ms| ms.is_finite()) {
                Some(ms) => {
                    let local = crate::date::DateTime::from_unix(libm::floor(ms / 1000.0) as i64 + JST_OFFSET_S);
                    return Some(Wire::Text(if field.kind == Kind::Date {
                        local.date_string()
                    } else {
                        local.to_senselink()
                    }));
                }
                None => "must be a valid Date".to_string(),
            }
        }
        Kind::Text { .. } | Kind::Digits { .. } | Kind::Date | Kind::DateTime => match value.text() {
            Some(text) if text.is_empty() || check_text(field, &text, issues) => return Some(Wire::Text(text)),
            Some(_) => return None,
            None => "must be a string".to_string(),
        },
    };
    issues.add(name, format!("{rule} (got {})", shown(value)));
    None
}

/// Checks a non-empty text against its kind; records the issue and returns false when it breaks it.
fn check_text(field: &Field, s: &str, issues: &mut Issues) -> bool {
    let name = field.name;
    let chars = char_count(s);
    let problem = match field.kind {
        Kind::Text { min, max } => {
            let (min, max) = (usize::from(min), usize::from(max));
            if min > 0 && (chars < min || chars > max) {
                Some(format!("must be {min} to {max} characters (got {chars})"))
            } else if max > 0 && chars > max {
                Some(format!("at most {max} characters (got {chars})"))
            } else {
                None
            }
        }
        Kind::Digits { max } => {
            if !s.bytes().all(|b| b.is_ascii_digit()) {
                Some(format!("digits only (got \"{s}\")"))
            } else if chars > usize::from(max) {
                Some(format!("at most {max} characters (got {chars})"))
            } else {
                None
            }
        }
        Kind::Date => parse_date(s).is_none().then(|| format!("must be a date YYYY-MM-DD (got \"{s}\")")),
        Kind::DateTime => (s.len() != 19 || s.get(10..11) != Some(" ") || parse_datetime(s).is_none())
            .then(|| format!("must be a date and time YYYY-MM-DD hh:mm:ss (got \"{s}\")")),
        _ => None,
    };
    match problem {
        Some(message) => {
            issues.add(name, message);
            false
        }
        None => true,
    }
}

/// Checks `input` against `fields` on `edition` and returns every given field, typed, in table
/// order. Properties not in the table (nor in `extra`, which the caller handles) are issues too:
/// a typo must not be dropped silently. Every problem is recorded in `issues`.
pub fn read_fields<D: Doc>(
    input: &D,
    fields: &'static [Field],
    extra: &[&str],
    edition: Edition,
    operation: &str,
    issues: &mut Issues,
) -> Checked {
    let keys = input.keys();
    for key in &keys {
        if !fields.iter().any(|f| f.name == key) && !extra.contains(&key.as_str()) {
            issues.add(key, format!("is not a parameter of {operation}"));
        }
    }
    let mut out = Vec::new();
    for field in fields {
        let need = field.need_on(edition);
        let value = if keys.iter().any(|k| k == field.name) { input.given(field.name) } else { None };
        let Some(value) = value else {
            if matches!(need, Need::Required | Need::NonEmpty) {
                let hint = match (field.hint, need, field.kind) {
                    ("", Need::Required, Kind::Text { .. }) => "\"\" is allowed",
                    ("", _, Kind::Ids) => "[] for none",
                    (hint, _, _) => hint,
                };
                if hint.is_empty() {
                    issues.add(field.name, "is required");
                } else {
                    issues.add(field.name, format!("is required ({hint})"));
                }
            }
            continue;
        };
        if need == Need::Absent {
            issues.add(field.name, "is a filter of SenseLink Cloud only (edition: \"enterprise\" has no such filter)");
            continue;
        }
        let Some(wire) = check_value(field, &value, issues) else { continue };
        if wire.is_empty_text() && matches!(need, Need::NonEmpty | Need::NotEmptyIfGiven) {
            issues.add(field.name, "may not be empty");
            continue;
        }
        out.push((field, wire));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    static FIELDS: &[Field] = &[
        req("name", text(45)).need(Need::NonEmpty),
        opt("mobile", text(20)),
        opt("idNumber", Kind::Text { min: 6, max: 30 }),
        opt("areaCode", Kind::Digits { max: 8 }),
        opt("birthday", Kind::Date),
        opt("dateTimeFrom", Kind::DateTime),
        opt("groups", Kind::Ids),
        opt("gender", Kind::Gender),
        opt("force", Kind::Flag),
        opt("departmentId", Kind::IdOrZero).enterprise(Need::Absent),
        opt("size", Kind::Int { min: 1, max: 100 }),
        opt("type", Kind::OneOf(&[1, 2, 5])),
        opt("order", Kind::Word(&["asc", "desc"])),
        opt("icNumber", text(20)).enterprise(Need::Required),
    ];

    fn run_on(input: Value, edition: Edition) -> Result<Vec<(String, String)>, Issues> {
        let mut issues = Issues::default();
        let out = read_fields(&input, FIELDS, &["id"], edition, "test", &mut issues);
        if issues.is_empty() {
            Ok(out.iter().map(|(f, w)| (f.wire.to_string(), w.to_text())).collect())
        } else {
            Err(issues)
        }
    }

    fn run(input: Value) -> Result<Vec<(String, String)>, Issues> {
        run_on(input, Edition::Cloud)
    }

    fn message(input: Value) -> String {
        let issues = run(input).unwrap_err();
        let (field, message) = issues.first().unwrap();
        format!("{field}: {message}")
    }

    #[test]
    fn renders_wire_values_in_table_order() {
        let out = run(
            json!({"force": true, "groups": [1, "2"], "name": "佐藤 太郎", "gender": 2, "departmentId": 0, "id": 5}),
        )
        .unwrap();
        assert_eq!(
            out,
            vec![
                ("name".to_string(), "佐藤 太郎".to_string()),
                ("groups".to_string(), "1,2".to_string()),
                ("gender".to_string(), "2".to_string()),
                ("force".to_string(), "1".to_string()),
                ("departmentId".to_string(), "0".to_string()),
            ]
        );
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
        assert_eq!(message(json!({})), "name: is required");
        assert_eq!(message(json!({"name": ""})), "name: may not be empty");
        assert_eq!(message(json!({"name": null})), "name: is required");
    }

    #[test]
    fn edition_rules() {
        let issues = run_on(json!({"name": "a", "departmentId": 3}), Edition::Enterprise).unwrap_err();
        let fields: Vec<&str> = issues.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["departmentId", "icNumber"]);
        assert!(run_on(json!({"name": "a", "icNumber": ""}), Edition::Enterprise).is_ok());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let issues = run(json!({"name": "", "mobile": 5, "groups": [0, "x"], "typo": 1})).unwrap_err();
        let all: Vec<String> = issues.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        assert_eq!(
            all,
            [
                "typo: is not a parameter of test",
                "name: may not be empty",
                "mobile: must be a string (got 5)",
                "groups[0]: must be a positive integer id (got 0)",
                "groups[1]: must be a positive integer id (got \"x\")",
            ]
        );
    }

    #[test]
    fn formats_and_types() {
        assert_eq!(
            message(json!({"name": "a", "birthday": "2019/06/15"})),
            "birthday: must be a date YYYY-MM-DD (got \"2019/06/15\")"
        );
        assert_eq!(
            message(json!({"name": "a", "birthday": "2023-02-29"})),
            "birthday: must be a date YYYY-MM-DD (got \"2023-02-29\")"
        );
        assert!(message(json!({"name": "a", "dateTimeFrom": "2018-07-20T12:30:45"}))
            .starts_with("dateTimeFrom: must be a date and time"));
        assert!(message(json!({"name": "a", "dateTimeFrom": "２０１８-07-20 12:30:45"}))
            .starts_with("dateTimeFrom: must be a date and time"));
        assert!(run(json!({"name": "a", "dateTimeFrom": "2018-07-20 12:30:45"})).is_ok());
        assert_eq!(message(json!({"name": "a", "gender": 0})), "gender: must be 1 (female) or 2 (male) (got 0)");
        assert_eq!(
            message(json!({"name": "a", "gender": "male"})),
            "gender: must be 1 (female) or 2 (male) (got \"male\")"
        );
        assert_eq!(message(json!({"name": "a", "groups": [1, 0]})), "groups[1]: must be a positive integer id (got 0)");
        assert_eq!(message(json!({"name": "a", "groups": "1,2"})), "groups: must be an array of ids (got \"1,2\")");
        assert_eq!(message(json!({"name": 12})), "name: must be a string (got 12)");
        assert_eq!(message(json!({"name": "a", "force": "yes"})), "force: must be true or false (got \"yes\")");
        assert_eq!(message(json!({"name": "a", "areaCode": "+81"})), "areaCode: digits only (got \"+81\")");
        assert_eq!(message(json!({"name": "a", "areaCode": "123456789"})), "areaCode: at most 8 characters (got 9)");
        assert_eq!(message(json!({"name": "a", "size": 101})), "size: must be an integer from 1 to 100 (got 101)");
        assert_eq!(message(json!({"name": "a", "type": 3})), "type: must be one of 1, 2, 5 (got 3)");
        assert_eq!(
            message(json!({"name": "a", "order": "up"})),
            "order: must be one of \"asc\", \"desc\" (got \"up\")"
        );
        assert_eq!(
            message(json!({"name": "a", "departmentId": -1})),
            "departmentId: must be a non-negative integer id (0 = none) (got -1)"
        );
        assert_eq!(message(json!({"name": "a", "size": 2.5})), "size: must be an integer from 1 to 100 (got 2.5)");
        assert_eq!(shown(&json!("x".repeat(60))).chars().count(), 38);
    }

    #[test]
    fn unknown_properties_are_refused() {
        assert_eq!(message(json!({"name": "a", "jobnumber": "x"})), "jobnumber: is not a parameter of test");
    }

    #[test]
    fn wire_forms() {
        assert_eq!(Wire::Ids(vec![1, 2]).to_text(), "1,2");
        assert_eq!(Wire::Ids(vec![]).to_json(), "[]");
        assert_eq!(Wire::Text("a\"b".into()).to_json(), "\"a\\\"b\"");
        assert_eq!(Wire::Flag(true).to_text(), "1");
    }
}
