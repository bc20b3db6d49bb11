//! JavaScript bindings of the SenseLink client: `SenseLinkCore` starts one [`Task`] per call (every
//! operation by name, from the one table), `SenseLinkProxyCore` decides for the signing proxy, and
//! `parseSenseLinkEvent` reads push bodies. The public API (`SenseLinkClient`,
//! `createSenseLinkProxy`, …) is the TypeScript wrapper in `pkg-template/src/senselink.ts`, which
//! also shapes the answers with the decoders generated from [`crate::senselink::shapes`].

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::task::Task;
use super::to_js_error;
use crate::doc::Doc;
use crate::error::Error;
use crate::http::FileRef;
use crate::senselink::envelope::Output;
use crate::senselink::operations::{self, Output as Shaping};
use crate::senselink::photo::{Photo, PhotoInput, SNIFF_BYTES};
use crate::senselink::Client;

/// The engine behind `SenseLinkClient` (not part of the public API).
#[wasm_bindgen]
pub struct SenseLinkCore {
    client: Rc<Client>,
}

#[wasm_bindgen(module = "/src/js/host.js")]
extern "C" {
    #[wasm_bindgen(js_name = pageOf)]
    fn page_of(items: JsValue, page: f64, size: f64, next_page: JsValue, records: bool, total: JsValue) -> JsValue;
}

fn number_or_null(n: Option<i64>) -> JsValue {
    n.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64))
}

fn output_to_js(output: Output<JsValue>, records: bool) -> JsValue {
    match output {
        Output::Nothing => JsValue::UNDEFINED,
        Output::Data(value) => value,
        Output::Count(n) => JsValue::from_f64(n as f64),
        Output::Page { items, page, size, next, total } => {
            page_of(items, page as f64, size as f64, number_or_null(next), records, number_or_null(total))
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// The runtime's `Blob` (only for `instanceof`).
    #[wasm_bindgen(js_name = Blob)]
    type BlobClass;
}

/// A photo from the wrapper: a `Blob` (bytes are wrapped in one on the JavaScript side) and its
/// first bytes, read with `blob.slice(0, 16)`; anything else is not a file.
fn photo_of(blob: JsValue, head: Option<Vec<u8>>) -> Option<PhotoInput> {
    if blob.is_undefined() || blob.is_null() {
        return None;
    }
    if !blob.is_instance_of::<BlobClass>() {
        return Some(PhotoInput::NotAFile);
    }
    let size = blob.get("size").and_then(|s| s.as_f64()).filter(|s| *s >= 0.0).unwrap_or(0.0) as u64;
    let filename = blob.get("name").and_then(|n| n.as_string()).filter(|n| !n.is_empty());
    let mut head = head.unwrap_or_default();
    head.truncate(SNIFF_BYTES);
    Some(PhotoInput::File(Photo { data: FileRef::new(blob, size), filename, head }))
}

#[wasm_bindgen]
impl SenseLinkCore {
    /// Checks the options (`INVALID_INPUT` naming the option at fault).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<SenseLinkCore, JsValue> {
        let client = super::config::senselink_config(&options, true).and_then(Client::new).map_err(to_js_error)?;
        Ok(SenseLinkCore { client: Rc::new(client) })
    }

    /// A task running `operation` (`employees.create`, …) with the caller's `input` object and
    /// photo (`undefined`, or a `Blob` and its first bytes).
    pub fn call(
        &self,
        operation: &str,
        input: JsValue,
        photo: JsValue,
        head: Option<Vec<u8>>,
    ) -> Result<Task, JsValue> {
        let operation = operations::find(operation).ok_or_else(|| {
            to_js_error(Error::invalid_input("operation", format!("unknown SenseLink operation \"{operation}\"")))
        })?;
        let client = self.client.clone();
        let photo = photo_of(photo, head);
        let records = operation.output == Shaping::Records;
        Ok(Task::new(move |rt| async move {
            let output = client.call(&rt, operation, &input, photo).await?;
            Ok(output_to_js(output, records))
        }))
    }
}

#[cfg(feature = "import")]
/// Bulk import (`importPeople` and `parsePeopleCsv` in `pkg-template/src/senselink-import.ts`): the
/// single calls' checks without the call, and the parameters a spreadsheet cell can fill. Static:
/// an import has a client, not its core.
#[wasm_bindgen]
impl SenseLinkCore {
    /// Checks `input` (and the photo: `undefined`, or a `Blob` and its first bytes) for `operation`
    /// on `edition` exactly as the call would, and sends nothing: `undefined` when the call would be
    /// sent, else the `INVALID_INPUT` error (returned, not thrown) listing every problem in `issues`.
    pub fn check(edition: &str, operation: &str, input: JsValue, photo: JsValue, head: Option<Vec<u8>>) -> JsValue {
        use crate::senselink::import;
        let checked = import::edition(edition)
            .and_then(|edition| Ok((edition, import::operation(operation)?)))
            .and_then(|(edition, operation)| import::check(operation, &input, photo_of(photo, head), edition));
        checked.err().map_or(JsValue::UNDEFINED, to_js_error)
    }

    /// The parameters of `operation` on `edition`, in table order: `[name, kind, required]` triples
    /// (kinds: `text`, `date`, `datetime`, `id`, `ids`, `gender`, `flag`, `number`).
    pub fn parameters(edition: &str, operation: &str) -> Result<js_sys::Array, JsValue> {
        use crate::senselink::import;
        let edition = import::edition(edition).map_err(to_js_error)?;
        let operation = import::operation(operation).map_err(to_js_error)?;
        Ok(super::value::array_of(
            import::parameters(operation, edition)
                .into_iter()
                .map(|p| -> JsValue { js_sys::Array::of3(&p.name.into(), &p.kind.into(), &p.required.into()).into() }),
        ))
    }
}
