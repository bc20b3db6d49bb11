/**
 * `httpRequest`: one request through the package's transport (the runtime's own `fetch`,
 * `redirect: "manual"`, per-call timeout, `AbortSignal`, typed errors), for endpoints the typed
 * clients do not cover.
 */
import { invalidInput } from "./errors.js";
import { checkLimits, DEFAULT_MAX_RESPONSE_BYTES, guarded, joined, readLimited, type CallOptions, type FetchLike } from "./transport.js";

export type { CallOptions, FetchLike } from "./transport.js";

/** HTTP methods the transport sends. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A value that goes into a query string or form field as text. */
export type Scalar = string | number | boolean;

/** Name/value pairs: an object (`undefined`/`null` values are skipped) or ordered pairs. */
export type Fields = Readonly<Record<string, Scalar | null | undefined>> | ReadonlyArray<readonly [string, Scalar]>;

/** File input accepted wherever the API takes a file. A `Blob`/`File` is sent as it is (its bytes
 * are never copied into WebAssembly memory); `Uint8Array`/`ArrayBuffer` are wrapped in a `Blob` on the
 * JavaScript side, so their bytes never enter WebAssembly memory either. */
export type FileInput = Blob | Uint8Array | ArrayBuffer;

/** One field of a `multipart/form-data` body. */
export type MultipartField =
  | { readonly name: string; readonly value: Scalar }
  | { readonly name: string; readonly file: FileInput; readonly filename?: string; readonly contentType?: string };

/** Options of {@link httpRequest}. At most one of `form`, `json`, `multipart`. */
export interface HttpRequestOptions extends CallOptions {
  /** Absolute `http(s)` URL. */
  readonly url: string;
  /** Default `GET`. */
  readonly method?: HttpMethod;
  /** Query parameters appended to `url`. */
  readonly query?: Fields;
  /** Request headers. */
  readonly headers?: Fields;
  /** `application/x-www-form-urlencoded` body. */
  readonly form?: Fields;
  /** JSON body (serialised with `JSON.stringify`). */
  readonly json?: unknown;
  /** `multipart/form-data` body, built with the runtime's `FormData` (the runtime writes the boundary). */
  readonly multipart?: ReadonlyArray<MultipartField>;
  /** `"bytes"` (default) reads the body into `body`; `"blob"` keeps it as a `Blob` in `blob`. */
  readonly responseType?: "bytes" | "blob";
  /** A `fetch` to use instead of the global one. */
  readonly fetch?: FetchLike;
}

/** A response: any HTTP status resolves. */
export interface HttpResponse {
  /** HTTP status (0 when the runtime hid a redirect: redirects are never followed). */
  readonly status: number;
  /** Lower-case header names; repeated headers joined with `", "`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes (empty with `responseType: "blob"`). */
  readonly body: Uint8Array;
  /** The body with `responseType: "blob"`. */
  readonly blob?: Blob;
}

const METHODS: readonly string[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

const invalid = invalidInput;

function scalar(value: unknown, field: string): string {
  if (typeof value === "string") return value;
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean") return String(value);
  throw invalid(field, "must be a string, a finite number or a boolean");
}

function pairs(value: unknown, field: string): [string, string][] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.map((entry: unknown) => {
      if (!Array.isArray(entry) || typeof entry[0] !== "string") throw invalid(field, "entries must be [name, value] pairs");
      return [entry[0], scalar(entry[1], `${field}.${entry[0]}`)];
    });
  }
  if (typeof value !== "object") throw invalid(field, "must be an object");
  const out: [string, string][] = [];
  for (const [name, item] of Object.entries(value)) {
    if (item !== undefined && item !== null) out.push([name, scalar(item, `${field}.${name}`)]);
  }
  return out;
}

function fileOf(value: unknown, field: string): Blob {
  if (typeof Blob !== "undefined" && value instanceof Blob) return value;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return new Blob([value as BlobPart]);
  throw invalid(field, "must be a Blob, File, Uint8Array or ArrayBuffer");
}

function multipart(value: unknown): FormData {
  if (!Array.isArray(value)) throw invalid("multipart", "must be an array of { name, value } or { name, file } fields");
  const form = new FormData();
  value.forEach((field: unknown, index) => {
    const at = `multipart[${index}]`;
    const f = (field ?? {}) as { name?: unknown; value?: unknown; file?: unknown; filename?: unknown; contentType?: unknown };
    if (typeof f.name !== "string" || f.name === "") throw invalid(at, "needs a name");
    if (f.file === undefined || f.file === null) {
      form.append(f.name, scalar(f.value, `${at}.value`));
      return;
    }
    let blob = fileOf(f.file, `${at}.file`);
    const type = typeof f.contentType === "string" ? f.contentType : blob.type || "application/octet-stream";
    if (blob.type !== type) blob = new Blob([blob], { type });
    const given = (f.file as { name?: unknown }).name;
    const filename = typeof f.filename === "string" ? f.filename : typeof given === "string" && given !== "" ? given : "blob";
    form.append(f.name, blob, filename);
  });
  return form;
}

/**
 * Sends one request. Resolves with any HTTP status; rejects with `NETWORK`, `TIMEOUT` or `ABORTED`
 * ({@link TransportError}) when no complete response arrives, and with `INVALID_INPUT` before
 * anything is sent when the options are wrong.
 *
 * @example
 * const res = await httpRequest({ url: "https://example.test/upload", method: "POST",
 *   multipart: [{ name: "note", value: "hi" }, { name: "photo", file: blob, filename: "me.jpg" }],
 *   timeoutMs: 10_000 });
 */
export async function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  if (options === null || typeof options !== "object") throw invalid("options", "must be an object");
  const { url, timeoutMs, signal } = options;
  if (typeof url !== "string" || !/^https?:\/\//.test(url)) throw invalid("url", "must be an absolute http(s) URL");
  const method = options.method ?? "GET";
  if (!METHODS.includes(method)) throw invalid("method", "must be GET, POST, PUT, PATCH or DELETE");
  checkLimits(options);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalid("signal", "must be an AbortSignal");
  if (options.fetch !== undefined && typeof options.fetch !== "function") throw invalid("fetch", "must be a function");
  const bodies = [options.form, options.json, options.multipart].filter((b) => b !== undefined && b !== null).length;
  if (bodies > 1) throw invalid("options", "give at most one of form, json and multipart");
  if (bodies === 1 && method === "GET") throw invalid("method", "a GET request cannot have a body");
  const responseType = options.responseType ?? "bytes";
  if (responseType !== "bytes" && responseType !== "blob") throw invalid("responseType", 'must be "bytes" or "blob"');
  const query = pairs(options.query, "query");
  const target = query.length === 0 ? url : `${url}${url.includes("?") ? "&" : "?"}${new URLSearchParams(query)}`;
  const headers = pairs(options.headers, "headers");
  const init: RequestInit = { method, redirect: "manual" };
  if (options.form !== undefined && options.form !== null) {
    headers.push(["content-type", "application/x-www-form-urlencoded;charset=UTF-8"]);
    init.body = new URLSearchParams(pairs(options.form, "form")).toString();
  } else if (options.json !== undefined && options.json !== null) {
    let text: string | undefined;
    try {
      text = JSON.stringify(options.json);
    } catch {
      text = undefined;
    }
    if (text === undefined) throw invalid("json", "cannot be serialised as JSON");
    headers.push(["content-type", "application/json"]);
    init.body = text;
  } else if (options.multipart !== undefined && options.multipart !== null) {
    init.body = multipart(options.multipart);
  }
  init.headers = headers;
  const doFetch = options.fetch ?? fetch;
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return guarded({ signal, timeoutMs }, target, async (abort) => {
    init.signal = abort;
    const response = await doFetch(target, init);
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
    });
    const status = response.type === "opaqueredirect" ? 0 : response.status;
    const chunks = await readLimited(response, limit, target, status);
    if (responseType === "blob") {
      const type = response.headers.get("content-type");
      return { status, headers: out, body: new Uint8Array(0), blob: new Blob(chunks as BlobPart[], type === null ? {} : { type }) };
    }
    return { status, headers: out, body: joined(chunks) };
  });
}
