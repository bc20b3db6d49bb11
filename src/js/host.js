// The few operations the wasm core performs on the engine's values, one call across the boundary
// each (wasm-bindgen imports this file; see src/js/value.rs and src/js/task.rs). Reading a value
// through js-sys alone costs several calls (typeof tests one by one, Reflect with an exception
// wrapper); these are the same operations in one step.
//
// The builders below return a value even where js-sys's equivalent returns nothing or a flag: V8
// compiles one wrapper per distinct import signature when the module is compiled and instantiated
// (about 0.1–0.2 ms each in Node 20), so each import here reuses a signature another one already
// has — (value, value, value) → value, (value, value) → value, (value) → value.

/** 0 undefined, 1 null, 2 boolean, 3 number, 4 string, 5 array, 6 other object, 7 Date. */
export function kindOf(value) {
  switch (typeof value) {
    case "undefined":
      return 0;
    case "boolean":
      return 2;
    case "number":
      return 3;
    case "string":
      return 4;
    default:
      if (value === null) return 1;
      if (Array.isArray(value)) return 5;
      return value instanceof Date ? 7 : 6;
  }
}

/** A member of an object (`undefined` for anything else). */
export function memberOf(object, key) {
  return object !== null && typeof object === "object" ? object[key] : undefined;
}

/** An element of an array (`undefined` for anything else). */
export function elementOf(array, index) {
  return Array.isArray(array) ? array[index] : undefined;
}

/** The length of an array (0 for anything else). */
export function lengthOf(array) {
  return Array.isArray(array) ? array.length : 0;
}

/** An object's own keys joined by NUL (one string across the boundary instead of one per key). */
export function keysOf(object) {
  return object !== null && typeof object === "object" && !Array.isArray(object) ? Object.keys(object).join("\0") : "";
}

/** An object from NUL-separated names and values (`"a\0x\0b\0y"` → `{ a: "x", b: "y" }`). */
export function pairsOf(joined) {
  const out = {};
  if (joined === "") return out;
  const parts = joined.split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) out[parts[i]] = parts[i + 1];
  return out;
}

/** Sets `object[key] = value`; returns the object. */
export function setMember(object, key, value) {
  object[key] = value;
  return object;
}

/** Appends `value` to `array`; returns the array. */
export function append(array, value) {
  array.push(value);
  return array;
}

/** The first `length` UTF-16 units of a string. */
export function headOf(text, length) {
  return text.slice(0, length);
}

/** A string without its leading byte order mark, if it has one. */
export function withoutBom(text) {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The time of a `Date` in milliseconds (NaN for an invalid one), as a number value. */
export function timeOf(date) {
  return date.getTime();
}

/** `factory(code, message, props)`: an error of the package's classes. */
export function callFactory(factory, code, message, props) {
  return factory(code, message, props);
}

/** An `Error` named `CyzenSenseLinkError` with `code` and `props`: before the package's classes are registered. */
export function plainError(message, code, props) {
  const error = Object.assign(new Error(message), props, { code });
  error.name = "CyzenSenseLinkError";
  return error;
}

// The steps a task hands to the driver (pkg-template/src/driver.ts).

export function sendStep(url, method, headers, form, json, multipart, blob, token) {
  const step = { kind: "send", url };
  if (method !== undefined) step.method = method;
  if (headers !== undefined) step.headers = headers;
  if (form !== undefined) step.form = form;
  if (json !== undefined) step.json = json;
  if (multipart !== undefined) step.multipart = multipart;
  if (blob) step.expect = "blob";
  if (token) step.token = true;
  return step;
}

export function sleepStep(ms, why, status, attempt) {
  return { kind: "sleep", ms, why, status, attempt };
}

export function loadStep(key) {
  return { kind: "load", key };
}

export function saveStep(key, value) {
  return { kind: "save", key, value };
}

export function lockStep(key, held) {
  return { kind: held ? "lock" : "unlock", key };
}

export function doneStep(value) {
  return { kind: "done", value };
}

// Results.

/** A SenseLink page (`total` only for records). */
export function pageOf(items, page, size, nextPage, records, total) {
  return records ? { items, page, size, total, nextPage } : { items, page, size, nextPage };
}

/** A cyzen page: the items, the cursor it was fetched with, the next one. */
export function cursorPageOf(items, cursor, next) {
  return { items, cursor, next };
}
