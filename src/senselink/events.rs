//! Event push (spec §5): SenseLink POSTs `{eventType, messageId, sendTime, data}` to the subscriber.
//!
//! [`parse_event`] reads a body the engine parsed (or the body's text, which it asks the engine to
//! parse) and decides what it is: `"30000"` a recognition record, `"30100"` a device alert; any other
//! type is kept as [`EventType::Unknown`], so a receiver never fails on a new event type (a failed
//! delivery stops all further pushes). `data` stays the engine's value; the TypeScript side shapes
//! it by the event type.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::doc::{integer, scalar_text, Doc, Kind};
use crate::error::{Error, ErrorCode};

/// Recognition record event.
pub const EVENT_RECORD: &str = "30000";
/// Device alert event.
pub const EVENT_DEVICE_ALERT: &str = "30100";

/// What an event is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventType {
    /// `30000`: a recognition record.
    Record,
    /// `30100`: a device alert.
    DeviceAlert,
    /// Any other type, as sent.
    Unknown(String),
}

/// A push event.
#[derive(Clone, Debug, PartialEq)]
pub struct Event<V> {
    /// What it is.
    pub event_type: EventType,
    /// Unique per message (de-duplicate on it).
    pub message_id: String,
    /// When SenseLink sent it (Unix ms), when given.
    pub send_time: Option<i64>,
    /// The payload (`None` when absent).
    pub data: Option<V>,
}

fn decode_error(message: &str) -> Error {
    Error::new(ErrorCode::Decode, format!("not a SenseLink push event: {message}"))
}

/// Reads a push body: the parsed object, or its text.
pub fn parse_event<D: Doc>(body: &D) -> Result<Event<D>, Error> {
    let parsed;
    let event = if body.kind() == Kind::Text {
        parsed = body.parse_json().ok_or_else(|| decode_error("the body is not JSON"))?;
        &parsed
    } else {
        body
    };
    if event.kind() != Kind::Object {
        return Err(decode_error("the body is not a JSON object"));
    }
    let text_of = |key: &str| event.get(key).and_then(|v| scalar_text(&v)).filter(|t| !t.is_empty());
    let type_text = text_of("eventType").ok_or_else(|| decode_error("eventType is missing"))?;
    let message_id = text_of("messageId").ok_or_else(|| decode_error("messageId is missing"))?;
    let send_time = event.get("sendTime").and_then(|v| integer(&v));
    let mut data = event.given("data");
    if let Some(text) = data.as_ref().filter(|d| d.kind() == Kind::Text) {
        // Some deployments send `data` as a JSON string.
        if let Some(object) = text.parse_json().filter(|v| v.kind() == Kind::Object) {
            data = Some(object);
        }
    }
    let event_type = match type_text.as_str() {
        EVENT_RECORD => EventType::Record,
        EVENT_DEVICE_ALERT => EventType::DeviceAlert,
        _ => EventType::Unknown(type_text.clone()),
    };
    if event_type != EventType::Unknown(type_text.clone()) && data.as_ref().map(Doc::kind) != Some(Kind::Object) {
        return Err(decode_error(&format!("data of event {type_text} is not an object")));
    }
    Ok(Event { event_type, message_id, send_time, data })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn text(body: &str) -> Value {
        Value::String(body.to_string())
    }

    #[test]
    fn recognition_record_event() {
        let body = json!({"eventType": "30000", "messageId": "9f1c", "sendTime": 1_743_433_200_000_i64,
            "data": {"id": 1000123, "user_id": 60001, "name": "佐藤 太郎"}});
        let e = parse_event(&body).unwrap();
        assert_eq!(
            (e.event_type, e.message_id.as_str(), e.send_time),
            (EventType::Record, "9f1c", Some(1_743_433_200_000))
        );
        assert_eq!(e.data.unwrap()["user_id"], 60001);
        let e = parse_event(&text(&format!("\u{feff}{body}"))).unwrap();
        assert_eq!(e.message_id, "9f1c");
    }

    #[test]
    fn device_alert_event_with_loose_types() {
        let body = r#"{"eventType": 30100, "messageId": 77, "sendTime": "1743433200000",
            "data": "{\"device_id\": \"500\", \"alert_type\": 1, \"alert_message\": \"offline\", \"alert_time\": 1743433200}"}"#;
        let e = parse_event(&text(body)).unwrap();
        assert_eq!(e.event_type, EventType::DeviceAlert);
        assert_eq!(e.message_id, "77");
        assert_eq!(e.send_time, Some(1_743_433_200_000));
        assert_eq!(e.data.unwrap()["alert_message"], "offline");
    }

    #[test]
    fn unknown_types_are_kept_not_refused() {
        let e = parse_event(&text(r#"{"eventType":"30200","messageId":"m","data":[1]}"#)).unwrap();
        assert_eq!(e.event_type, EventType::Unknown("30200".into()));
        assert_eq!(e.data, Some(json!([1])));
        assert_eq!(e.send_time, None);
    }

    #[test]
    fn bad_bodies_are_decode_errors() {
        for (body, says) in [
            ("<xml/>", "the body is not JSON"),
            ("[1]", "the body is not a JSON object"),
            (r#"{"messageId":"m"}"#, "eventType is missing"),
            (r#"{"eventType":"30000"}"#, "messageId is missing"),
            (r#"{"eventType":"30000","messageId":"m","data":[1]}"#, "data of event 30000 is not an object"),
            (r#"{"eventType":"30100","messageId":"m"}"#, "data of event 30100 is not an object"),
        ] {
            let e = parse_event(&text(body)).unwrap_err();
            assert_eq!(e.code, ErrorCode::Decode);
            assert!(e.message.ends_with(says), "{}", e.message);
        }
        assert_eq!(parse_event(&json!(5)).unwrap_err().code, ErrorCode::Decode);
    }
}
