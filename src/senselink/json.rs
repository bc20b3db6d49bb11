//! The JSON writer used for request bodies, error details and outputs handed to JavaScript: the
//! crate's own [`crate::json::to_string`] (kept here under its former name).

pub use crate::json::to_string as to_json;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    #[test]
    fn writes_what_the_parser_reads_back() {
        let value = json!({"a": [1, -2, 2.5, true, null], "名前": "佐藤 \"太郎\"\n\t\u{1}\\", "n": {"x": 1e300}});
        let text = to_json(&value);
        assert_eq!(crate::json::from_str(&text).unwrap(), value);
        assert_eq!(to_json(&json!({"userId": 5, "groupIds": []})), r#"{"groupIds":[],"userId":5}"#);
        assert_eq!(to_json(&json!("\u{1f}")), r#""\u001f""#);
    }
}
