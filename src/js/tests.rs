//! The wasm layer in real engines (tier 2: Node, a headless Chromium page and a Chromium dedicated
//! worker, run by `wasm-bindgen-test-runner`): values the engine parsed are read in place and come
//! back as the same objects, tasks step through the driver protocol, photos stay the caller's
//! `Blob`s, dropping a task gives its pacing slot back, and nothing a call carries is copied into
//! wasm memory. The package's JavaScript transport and driver are tested in tiers 3 and 4.

use js_sys::{Array, Object, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::cyzen::CyzenCore;
use super::events::parse_senselink_event;
use super::senselink::SenseLinkCore;
use super::task::Task;
use crate::doc::{Doc, Kind};

fn parse(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON")
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn text_of(value: &JsValue, key: &str) -> String {
    get(value, key).as_string().unwrap_or_default()
}

fn senselink() -> SenseLinkCore {
    SenseLinkCore::new(parse(r#"{"baseUrl":"https://link.example","appKey":"key","appSecret":"2323dsfadfewrasa3434"}"#))
        .unwrap()
}

fn persons(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(r#"{{"id":{i},"name":"佐藤 {i}","groupList":[{{"id":1,"name":"g","type":1}}],"zeta":1,"alpha":2}}"#)
        })
        .collect();
    format!(r#"{{"code":200,"message":"OK","data":[{}]}}"#, items.join(","))
}

fn respond(task: &mut Task, status: u16, body: &JsValue) -> Result<JsValue, JsValue> {
    task.respond(1_477_881_215_000.0, status, "json", body.clone(), None, None, None)
}

fn memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    get(&memory.buffer(), "byteLength").as_f64().unwrap_or(0.0)
}

#[wasm_bindgen_test]
fn engine_values_are_read_in_place() {
    let value = parse(r#"{"b":1,"a":[true,null,"x",2.5],"n":"12","s":"あ"}"#);
    assert_eq!(value.kind(), Kind::Object);
    assert_eq!(value.keys(), ["b", "a", "n", "s"], "the engine's key order");
    let list = value.get("a").unwrap();
    assert_eq!((list.kind(), list.len()), (Kind::Array, 4));
    assert_eq!(list.at(0).unwrap().kind(), Kind::Bool);
    assert_eq!(list.at(1).unwrap().kind(), Kind::Null);
    assert_eq!(list.at(3).unwrap().number_text().as_deref(), Some("2.5"));
    assert!(list.at(9).is_none() && value.get("missing").is_none());
    assert_eq!(crate::doc::integer(&value.get("n").unwrap()), Some(12));
    assert_eq!(value.get("s").unwrap().text().as_deref(), Some("あ"));
    let date: JsValue = js_sys::Date::new(&JsValue::from_f64(1_700_000_000_000.0)).into();
    assert_eq!((date.kind(), date.number()), (Kind::Date, Some(1_700_000_000_000.0)));
    let text = JsValue::from_str("\u{feff}{\"k\":[1]}");
    assert_eq!(text.parse_json().unwrap().get("k").unwrap().len(), 1);
}

#[wasm_bindgen_test]
fn a_call_steps_through_the_driver_protocol_and_hands_back_the_engines_own_items() {
    let mut task = senselink().call("persons.list", parse(r#"{"size":20}"#), JsValue::UNDEFINED, None).unwrap();
    let action = task.start(1_477_881_215_000.0).unwrap();
    assert_eq!(text_of(&action, "kind"), "send");
    let url = text_of(&action, "url");
    assert!(
        url.starts_with("https://link.example/api/v1/user/list?page=1&size=20&app_key=key&timestamp=1477881215000"),
        "{url}"
    );
    assert!(url.ends_with("&sign=e5ef72ef839bdf5397b4906b199b9fbf"), "{url}");
    let body = parse(&persons(20));
    let done = respond(&mut task, 200, &body).unwrap();
    assert_eq!(text_of(&done, "kind"), "done");
    let page = get(&done, "value");
    assert_eq!(get(&page, "nextPage").as_f64(), Some(2.0));
    // The very array the engine parsed: not copied, key order intact.
    assert!(Object::is(&get(&page, "items"), &get(&body, "data")));
    // A finished task says so instead of trapping.
    assert!(task.start(0.0).is_err());
}

#[wasm_bindgen_test]
fn bad_input_is_a_typed_error_listing_every_problem_before_anything_is_sent() {
    let mut task = senselink()
        .call("employees.create", parse(r#"{"name":"","mobile":5,"typo":1}"#), JsValue::UNDEFINED, None)
        .unwrap();
    let error = task.start(0.0).unwrap_err();
    assert_eq!(text_of(&error, "code"), "INVALID_INPUT");
    assert_eq!(text_of(&error, "field"), "typo");
    let issues = Array::from(&get(&error, "issues"));
    assert_eq!(issues.length(), 3);
    assert_eq!(text_of(&issues.get(1), "field"), "name");
    let mut task =
        senselink().call("employees.create", parse(r#"{"name":"a"}"#), JsValue::from_str("face.jpg"), None).unwrap();
    assert_eq!(text_of(&task.start(0.0).unwrap_err(), "field"), "avatar");
}

#[wasm_bindgen_test]
fn a_photo_goes_into_the_multipart_parts_as_the_callers_own_blob() {
    let jpeg = Uint8Array::from(&[0xff_u8, 0xd8, 0xff, 0xe0, 0, 0x10][..]);
    let blob: JsValue = web_blob(&jpeg);
    let mut task = senselink()
        .call("employees.create", parse(r#"{"name":"佐藤 太郎","groups":[1,2]}"#), blob.clone(), Some(jpeg.to_vec()))
        .unwrap();
    let action = task.start(0.0).unwrap();
    assert_eq!(text_of(&action, "method"), "POST");
    let parts = Array::from(&get(&action, "multipart"));
    assert_eq!(parts.length(), 3);
    let file = Array::from(&parts.get(2));
    assert_eq!(file.get(0).as_string().as_deref(), Some("avatarFile"));
    assert!(Object::is(&file.get(1), &blob), "the same Blob");
    assert_eq!(file.get(3).as_string().as_deref(), Some("image/jpeg"));
}

#[wasm_bindgen_test]
fn large_answers_do_not_grow_wasm_memory() {
    let core = senselink();
    // Warm up: first-call allocations.
    let mut task = core.call("persons.list", parse(r#"{"size":100}"#), JsValue::UNDEFINED, None).unwrap();
    task.start(0.0).unwrap();
    respond(&mut task, 200, &parse(&persons(100))).unwrap();
    let big = parse(&persons(20_000));
    let before = memory_bytes();
    let mut task = core.call("persons.list", parse(r#"{"size":100}"#), JsValue::UNDEFINED, None).unwrap();
    task.start(0.0).unwrap();
    let page = get(&respond(&mut task, 200, &big).unwrap(), "value");
    assert_eq!(Array::from(&get(&page, "items")).length(), 20_000);
    assert_eq!(memory_bytes(), before, "a 20 000-item answer stayed in the engine");
}

#[wasm_bindgen_test]
fn dropping_a_task_gives_its_in_flight_slot_back() {
    let core = CyzenCore::new(
        parse(r#"{"companyId":"0123456789abcdef0123456789abcdef","baseUrl":"https://api.test/webapi/v0","requestsPerSecond":100,"auth":{"staticToken":"t"}}"#),
        None,
    )
    .unwrap();
    let start = |now: f64| {
        let mut task = core.list_page("users".into(), parse("{}"), JsValue::UNDEFINED);
        let action = task.start(now).unwrap();
        (task, text_of(&action, "kind"))
    };
    let mut in_flight: Vec<Task> = (0..6)
        .map(|_| start(0.0))
        .map(|(task, kind)| {
            assert_eq!(kind, "send");
            task
        })
        .collect();
    // Six requests in flight: the seventh waits.
    let (waiting, kind) = start(0.0);
    assert_eq!(kind, "sleep");
    drop(waiting);
    // An abandoned call (the driver frees it) releases its slot: the next call goes out.
    drop(in_flight.pop());
    assert_eq!(start(0.0).1, "send");
    let _ = in_flight;
}

#[wasm_bindgen_test]
fn push_events_keep_their_data_object() {
    let body = parse(r#"{"eventType":"30000","messageId":"m1","sendTime":1,"data":{"user_id":5}}"#);
    let event = parse_senselink_event(body.clone()).unwrap();
    assert_eq!(text_of(&event, "eventType"), "30000");
    assert!(Object::is(&get(&event, "data"), &get(&body, "data")));
    let error = parse_senselink_event(JsValue::from_str("<xml/>")).unwrap_err();
    assert_eq!(text_of(&error, "code"), "DECODE");
}

#[wasm_bindgen_test]
fn signs_the_documented_vector() {
    assert_eq!(super::senselink_sign("1477881215000", "2323dsfadfewrasa3434"), "e5ef72ef839bdf5397b4906b199b9fbf");
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Blob)]
    type TestBlob;
    #[wasm_bindgen(constructor, js_class = "Blob")]
    fn new(parts: &Array) -> TestBlob;
}

fn web_blob(bytes: &Uint8Array) -> JsValue {
    TestBlob::new(&Array::of1(bytes)).into()
}

#[wasm_bindgen_test]
fn a_second_host_action_parked_before_the_first_is_answered_fails_typed() {
    use core::future::{poll_fn, Future};
    use core::pin::pin;

    use crate::runtime::{Runtime, Wait};
    // Two host calls awaited together: the mailbox holds one action, so the second must not
    // overwrite the first (whose caller would then wait forever) but fail as a bug.
    let mut task = Task::new(|rt| async move {
        let mut first = pin!(rt.sleep(5, Wait::Pacing));
        let mut second = pin!(rt.load("key"));
        poll_fn(|cx| {
            let _ = first.as_mut().poll(cx);
            second.as_mut().poll(cx).map(|outcome| outcome.map(|_| JsValue::UNDEFINED))
        })
        .await
    });
    let error = task.start(0.0).expect_err("the second action fails the call");
    assert_eq!(text_of(&error, "code"), "INTERNAL");
    assert!(text_of(&error, "message").contains("two host actions"), "{}", text_of(&error, "message"));
}
