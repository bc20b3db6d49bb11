//! Event push (spec §5): SenseLink POSTs `{eventType, messageId, sendTime, data}` to the subscriber.
//!
//! [`parse_event`] turns a body into `{ eventType, messageId, sendTime, data }` with `data` decoded
//! by type: `"30000"` a recognition record, `"30100"` a device alert; any other type is returned as
//! `eventType: "unknown"` with `rawEventType` and camelCased `data`, so a receiver never fails on a
//! new event type (a failed delivery stops all further pushes).

use crate::json::{Map, Value};

use super::input::integer;
use super::types::{camelize, decode, text, DEVICE_ALERT, RECORD};
use crate::error::{Error, ErrorCode};

/// Recognition record event.
pub const EVENT_RECORD: &str = "30000";
/// Device alert event.
pub const EVENT_DEVICE_ALERT: &str = "30100";

fn decode_error(message: &str) -> Error {
    Error::new(ErrorCode::Decode, format!("not a SenseLink push event: {message}"))
}

/// Parses a push body (the request body text).
pub fn parse_event(body: &str) -> Result<Value, Error> {
    let value: Value = crate::json::from_slice(body.trim_start_matches('\u{feff}').as_bytes()).map_err(|_| decode_error("the body is not JSON"))?;
    let event = value.as_object().ok_or_else(|| decode_error("the body is not a JSON object"))?;
    let event_type = event
        .get("eventType")
        .and_then(text)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| decode_error("eventType is missing"))?;
    let message_id = event
        .get("messageId")
        .and_then(text)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| decode_error("messageId is missing"))?;
    let send_time = event.get("sendTime").and_then(integer);
    let mut data = event.get("data").cloned().unwrap_or(Value::Null);
    if let Value::String(s) = &data {
        // Some deployments send `data` as a JSON string.
        if let Ok(parsed @ Value::Object(_)) = crate::json::from_slice(s.as_bytes()) {
            data = parsed;
        }
    }
    let table = match event_type.as_str() {
        EVENT_RECORD => Some(RECORD),
        EVENT_DEVICE_ALERT => Some(DEVICE_ALERT),
        _ => None,
    };
    let mut out = Map::new();
    match table {
        Some(table) => {
            out.insert("eventType".into(), Value::from(event_type.clone()));
            let decoded = decode(&data, table).ok_or_else(|| decode_error(&format!("data of event {event_type} is not an object")))?;
            out.insert("data".into(), decoded);
        }
        None => {
            out.insert("eventType".into(), Value::from("unknown"));
            out.insert("rawEventType".into(), Value::from(event_type));
            out.insert("data".into(), camelize(&data));
        }
    }
    out.insert("messageId".into(), Value::from(message_id));
    out.insert("sendTime".into(), send_time.map_or(Value::Null, Value::from));
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    #[test]
    fn recognition_record_event() {
        let body = json!({"eventType": "30000", "messageId": "9f1c", "sendTime": 1_743_433_200_000_i64,
            "data": {"id": 1000123, "user_id": 60001, "name": "佐藤 太郎", "type": 1, "sign_time": 1_743_433_199,
                "device_id": 500, "device_name": "正面玄関", "verify_score": 0.93, "snapshot_url": null}});
        let e = parse_event(&body.to_string()).unwrap();
        assert_eq!(e["eventType"], "30000");
        assert_eq!(e["messageId"], "9f1c");
        assert_eq!(e["sendTime"], json!(1_743_433_200_000_i64));
        assert_eq!(e["data"]["userId"], 60001);
        assert_eq!(e["data"]["signTime"], 1_743_433_199);
        assert_eq!(e["data"]["deviceName"], "正面玄関");
        assert_eq!(e["data"]["snapshotUrl"], Value::Null);
    }

    #[test]
    fn device_alert_event_with_loose_types() {
        let body = r#"{"eventType": 30100, "messageId": 77, "sendTime": "1743433200000",
            "data": "{\"device_id\": \"500\", \"alert_type\": 1, \"alert_message\": \"offline\", \"alert_time\": 1743433200}"}"#;
        let e = parse_event(body).unwrap();
        assert_eq!(e["eventType"], "30100");
        assert_eq!(e["messageId"], "77");
        assert_eq!(e["sendTime"], json!(1_743_433_200_000_i64));
        assert_eq!(e["data"]["deviceId"], 500);
        assert_eq!(e["data"]["alertMessage"], "offline");
    }

    #[test]
    fn unknown_types_are_kept_not_refused() {
        let e = parse_event(r#"{"eventType":"30200","messageId":"m","data":{"some_field":1}}"#).unwrap();
        assert_eq!(e["eventType"], "unknown");
        assert_eq!(e["rawEventType"], "30200");
        assert_eq!(e["data"], json!({"someField": 1}));
        assert_eq!(e["sendTime"], Value::Null);
    }

    #[test]
    fn bad_bodies_are_decode_errors() {
        for (body, says) in [
            ("<xml/>", "the body is not JSON"),
            ("[1]", "the body is not a JSON object"),
            (r#"{"messageId":"m"}"#, "eventType is missing"),
            (r#"{"eventType":"30000"}"#, "messageId is missing"),
            (r#"{"eventType":"30000","messageId":"m","data":[1]}"#, "data of event 30000 is not an object"),
        ] {
            let e = parse_event(body).unwrap_err();
            assert_eq!(e.code, ErrorCode::Decode);
            assert!(e.message.ends_with(says), "{}", e.message);
        }
    }
}
