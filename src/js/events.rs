//! `parseSenseLinkEvent`: reads SenseLink push bodies (feature `events`, server-side).

#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::prelude::*;

use super::to_js_error;
use super::value::{object, set};
use crate::error::Error;
use crate::senselink::events::{parse_event, EventType};

/// Reads a SenseLink push body (its text, or its parsed object): `{ eventType, messageId, sendTime,
/// data, rawEventType? }` with `data` as the engine parsed it (the wrapper shapes it by the type).
#[wasm_bindgen(js_name = parseSenseLinkEvent)]
pub fn parse_senselink_event(body: JsValue) -> Result<JsValue, JsValue> {
    if !(body.is_string() || body.is_object()) {
        return Err(to_js_error(Error::invalid_input(
            "body",
            "must be the request body text or its parsed JSON object",
        )));
    }
    let event = parse_event(&body).map_err(to_js_error)?;
    // Members in name order, as this function has always given them.
    let (event_type, raw) = match &event.event_type {
        EventType::Record => (crate::senselink::events::EVENT_RECORD, None),
        EventType::DeviceAlert => (crate::senselink::events::EVENT_DEVICE_ALERT, None),
        EventType::Unknown(raw) => ("unknown", Some(raw.as_str())),
    };
    let out = object(&[
        ("data", event.data.unwrap_or(JsValue::NULL)),
        ("eventType", JsValue::from_str(event_type)),
        ("messageId", JsValue::from_str(&event.message_id)),
    ]);
    if let Some(raw) = raw {
        set(&out, "rawEventType", &JsValue::from_str(raw));
    }
    set(&out, "sendTime", &event.send_time.map_or(JsValue::NULL, |t| JsValue::from_f64(t as f64)));
    Ok(out.into())
}
