//! Parameter validation shared by the person endpoints: length limits counted in characters
//! (names are Japanese), date formats, group lists, duplicates.

use super::api::*;
use super::store::*;
use crate::common::time::{parse_date, parse_datetime_jst};

/// What a text parameter must look like besides its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Any,
    /// `YYYY-MM-DD`.
    Date,
    /// ASCII digits only (deny-list `areaCode`).
    Digits,
    /// `local@domain`.
    Mail,
    /// Digits and `+ - ( )` and spaces.
    Phone,
}

/// Validation rule of one optional text parameter.
#[derive(Debug, Clone, Copy)]
pub struct FieldRule {
    pub param: &'static str,
    /// Inclusive length range in characters; `""` is always accepted (it clears the field).
    pub min: usize,
    pub max: usize,
    pub format: Format,
    /// Seed description of a length error.
    pub ja_length: &'static str,
    /// Seed description of a format error.
    pub ja_format: &'static str,
}

const fn rule(param: &'static str, max: usize, ja_length: &'static str) -> FieldRule {
    FieldRule { param, min: 0, max, format: Format::Any, ja_length, ja_format: "無効なパラメーターです" }
}

const fn date(param: &'static str, ja_format: &'static str) -> FieldRule {
    FieldRule { param, min: 0, max: usize::MAX, format: Format::Date, ja_length: "", ja_format }
}

const UNLIMITED: usize = usize::MAX;

/// Employee fields (2.4.1 / 2.4.2).
pub const EMPLOYEE_FIELDS: &[FieldRule] = &[
    rule("icNumber", 20, "無効なパラメーターです。登録者IC 番号の長さが無効です"),
    rule("jobNumber", 45, "無効なパラメーターです。登録者番号の長さが無効です"),
    rule("mobile", 20, "無効なパラメーターです。登録者の携帯電話番号の長さが無効です"),
    rule("remark", 255, "無効なパラメーターです。特記事項の長さが無効です"),
    rule("mail", 45, "無効なパラメーターです。メールアドレスの長さが無効です"),
    rule("position", 45, "無効なパラメーターです。役職の長さが無効です"),
    rule("location", 45, "無効なパラメーターです。勤務地の長さが無効です"),
    FieldRule { min: 6, ..rule("idNumber", 30, "無効なパラメーターです。ID 番号の長さが無効です") },
    rule("areaCode", UNLIMITED, ""),
    rule("prompt", UNLIMITED, ""),
    date("birthday", "無効なパラメーターです。誕生日の形式が無効です"),
    date("entryTime", "無効なパラメーターです。入社日の形式が無効です"),
];

/// Visitor fields (2.4.5 / 2.4.6), besides the required ones handled by the endpoints.
pub const VISITOR_FIELDS: &[FieldRule] = &[
    rule("mobile", 20, "無効なパラメーターです。ビジターの携帯電話番号の長さが空です"),
    rule("remark", 255, "無効なパラメーターです。ビジターのコメントの長さが無効です"),
    rule("guestCompany", 45, "無効なパラメーターです。ビジターの企業の長さが無効です"),
    rule("position", 45, "無効なパラメーターです。役職の長さが無効です"),
    rule("guestPurpose", 45, "無効なパラメーターです。来訪目的の長さが無効です"),
    rule("mail", 45, "無効なパラメーターです。メールアドレスの長さが無効です"),
    rule("icNumber", 20, "無効なパラメーターです。IC カード番号の長さが無効です"),
    rule("level", 20, "無効なパラメーターです。ビジターのレベルの長さが無効です"),
    rule("prompt", 45, "無効なパラメーターです。プロンプトの長さが無効です"),
    FieldRule { min: 6, ..rule("idNumber", 30, "無効なパラメーターです。ビジターのID 番号の長さが無効です") },
    rule("areaCode", UNLIMITED, ""),
    date("birthday", "無効なパラメーターです。誕生日の形式が無効です"),
];

/// Deny-list fields (2.4.8 / 2.4.11).
pub const DENY_LIST_FIELDS: &[FieldRule] = &[
    FieldRule {
        format: Format::Digits,
        ja_format: "拒否リストの領域の形式が無効です",
        ..rule("areaCode", 8, "拒否リストの領域の長さが無効です")
    },
    FieldRule {
        format: Format::Phone,
        ja_format: "拒否リストの電話番号が無効です",
        ..rule("mobile", 20, "拒否リストの電話番号が長すぎます")
    },
    FieldRule {
        format: Format::Mail,
        ja_format: "拒否リストのメールアドレスが無効です",
        ..rule("mail", 45, "拒否リストのメールアドレスが長すぎます")
    },
    rule("icNumber", 20, "拒否リストのIC カード番号が長すぎます"),
    FieldRule { min: 6, ..rule("idNumber", 30, "拒否リストのID カード番号の長さが無効です") },
    rule("prompt", 255, "拒否リストのカスタマイズメッセージが長すぎます"),
    rule("remark", 255, "拒否リストの特記事項が長すぎます"),
    date("birthday", "拒否リストの誕生日の形式が無効です"),
];

/// Validates one optional text parameter: None when absent.
pub fn read_field(params: &Params, rule: &FieldRule) -> Result<Option<String>, ApiError> {
    let Some(value) = params.get(rule.param) else { return Ok(None) };
    if value.is_empty() {
        return Ok(Some(String::new()));
    }
    let chars = value.chars().count();
    if chars > rule.max || chars < rule.min {
        let range = if rule.min > 0 { format!("{}–{}", rule.min, rule.max) } else { format!("at most {}", rule.max) };
        return Err(ApiError::param(
            rule.ja_length,
            format!("{}: {chars} characters, allowed {range}", rule.param),
        ));
    }
    let well_formed = match rule.format {
        Format::Any => true,
        Format::Date => parse_date(value).is_some(),
        Format::Digits => value.bytes().all(|b| b.is_ascii_digit()),
        Format::Mail => value
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.contains('@')),
        Format::Phone => value.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c)),
    };
    if !well_formed {
        let expected = match rule.format {
            Format::Date => "YYYY-MM-DD",
            Format::Digits => "digits only",
            Format::Mail => "an e-mail address",
            Format::Phone => "digits, + - ( ) and spaces",
            Format::Any => "",
        };
        return Err(ApiError::param(rule.ja_format, format!("{} must be {expected}, got {value:?}", rule.param)));
    }
    Ok(Some(value.to_string()))
}

/// Writes every sent parameter of `rules` into `person` (omitted = unchanged, `""` = cleared).
pub fn apply_fields(person: &mut Person, params: &Params, rules: &[FieldRule]) -> Result<(), ApiError> {
    for rule in rules {
        if let Some(value) = read_field(params, rule)? {
            *person.text_field_mut(rule.param) = Some(value);
        }
    }
    Ok(())
}

/// Seed descriptions for `name` errors.
#[derive(Debug, Clone, Copy)]
pub struct NameMessages {
    pub empty: &'static str,
    pub too_long: &'static str,
}

pub const EMPLOYEE_NAME: NameMessages = NameMessages {
    empty: "無効なパラメーターです。登録者名が空です。",
    too_long: "無効なパラメーターです。登録者名の長さが無効です",
};
pub const VISITOR_NAME: NameMessages = NameMessages {
    empty: "無効なパラメーターです。ビジター名が空です",
    too_long: "無効なパラメーターです。ビジター名の長さが無効です",
};
pub const DENY_LIST_NAME: NameMessages =
    NameMessages { empty: "拒否リスト名は空にはできません", too_long: "拒否リスト名が長すぎます" };

/// Longest name: 45 characters (the seed states it for visitors and the deny list; the sandbox
/// applies it to employees too, whose table has the error row but no number).
pub const NAME_MAX_CHARS: usize = 45;

/// The `name` parameter: refused when `""` (or blank); when absent, refused if `required`.
pub fn read_name(params: &Params, required: bool, messages: NameMessages) -> Result<Option<String>, ApiError> {
    match params.get("name") {
        None if required => Err(ApiError::param(messages.empty, "name is required")),
        None => Ok(None),
        Some(name) if name.trim().is_empty() => Err(ApiError::param(messages.empty, "name may not be empty")),
        Some(name) if name.chars().count() > NAME_MAX_CHARS => Err(ApiError::param(
            messages.too_long,
            format!("name: {} characters, allowed at most {NAME_MAX_CHARS}", name.chars().count()),
        )),
        Some(name) => Ok(Some(name.to_string())),
    }
}

/// `gender`: absent → None (unchanged), `""` → Some(None) (cleared), 1 female / 2 male.
pub fn read_gender(params: &Params) -> Result<Option<Option<u8>>, ApiError> {
    match params.get("gender").map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some("1") => Ok(Some(Some(1))),
        Some("2") => Ok(Some(Some(2))),
        Some(other) => Err(ApiError::param("無効なパラメーターです", format!("gender must be 1 (female) or 2 (male), got {other:?}"))),
    }
}

/// `groups`: one field of comma-joined ids; absent → None, `""` → Some(empty).
pub fn read_groups(params: &Params) -> Result<Option<Vec<i64>>, ApiError> {
    let Some(raw) = params.get("groups") else { return Ok(None) };
    parse_id_list(raw, "groups").map(Some)
}

/// Parses `1,2,3` (spaces around ids tolerated, `""` = empty list).
pub fn parse_id_list(raw: &str, param: &str) -> Result<Vec<i64>, ApiError> {
    if raw.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut ids = Vec::new();
    for part in raw.split(',') {
        let id: i64 = part.trim().parse().map_err(|_| {
            ApiError::param(
                "無効なパラメーターです",
                format!("{param} must be comma-joined ids in one field (e.g. {param}=1,2), got {raw:?}"),
            )
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Every id must be an existing group of one of `kinds`.
pub fn validate_groups(store: &Store, ids: &[i64], kinds: &[u8], ja: &str) -> Result<Vec<i64>, ApiError> {
    for id in ids {
        match store.groups.get(id) {
            None => return Err(ApiError::param(ja, format!("group {id} does not exist"))),
            Some(g) if !kinds.contains(&g.kind) => {
                return Err(ApiError::param(ja, format!("group {id} is of type {}, expected {kinds:?}", g.kind)))
            }
            Some(_) => {}
        }
    }
    Ok(ids.to_vec())
}

/// `departmentId`: absent → None, `""`/0 → Some(0) (none), otherwise an existing department.
pub fn read_department(params: &Params, store: &Store) -> Result<Option<i64>, ApiError> {
    if !params.has("departmentId") {
        return Ok(None);
    }
    let id = params.long("departmentId")?.unwrap_or(0);
    if id != 0 && !store.departments.contains_key(&id) {
        return Err(ApiError::param("無効なパラメーターです", format!("department {id} does not exist")));
    }
    Ok(Some(id))
}

/// A visit time `YYYY-MM-DD hh:mm:ss` (JST) into Unix seconds.
pub fn read_visit_time(params: &Params, param: &str, ja: &str) -> Result<Option<i64>, ApiError> {
    match params.get(param) {
        None | Some("") => Ok(None),
        Some(value) => parse_datetime_jst(value)
            .map(Some)
            .ok_or_else(|| ApiError::param(ja, format!("{param} must be YYYY-MM-DD hh:mm:ss, got {value:?}"))),
    }
}

/// Uniqueness rule: (parameter, seed description).
pub type UniqueRule = (&'static str, &'static str);

pub const EMPLOYEE_UNIQUE: &[UniqueRule] = &[
    ("icNumber", "無効なパラメーターです。登録者のICカード番号がすでに存在します"),
    ("idNumber", "無効なパラメーターです。登録者のIDカード番号がすでに存在します"),
    ("mobile", "無効なパラメーターです。登録者の携帯電話番号がすでに存在します"),
];

pub const DENY_LIST_UNIQUE: &[UniqueRule] = &[
    ("mobile", "電話番号はシステム内に存在しています"),
    ("idNumber", "ID カード番号はシステム内に存在しています"),
    ("icNumber", "IC カード番号はシステム内に存在しています"),
    ("jobNumber", "従業員IDはシステム内に存在しています"),
];

/// Refuses values another person already has (empty values never clash).
pub fn check_unique(store: &Store, person: &Person, exclude: Option<i64>, rules: &[UniqueRule]) -> Result<(), ApiError> {
    for (param, ja) in rules {
        if let Some(value) = person.text_field(param) {
            if let Some(other) = store.person_with(param, value, exclude) {
                return Err(ApiError::param(ja, format!("{param} {value:?} already belongs to person {}", other.id)));
            }
        }
    }
    Ok(())
}

/// A `{id}` path segment.
pub fn path_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::param("無効なパラメーターです", format!("id must be an integer, got {raw:?}")))
}
