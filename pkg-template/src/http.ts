/**
 * `httpRequest`: one request through the package's transport (the runtime's own `fetch`,
 * `redirect: "manual"`, per-call timeout, `AbortSignal`, typed errors).
 */
import { httpRequest as wasmHttpRequest } from "../cyzen_senselink.js";

/** HTTP methods the transport sends. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A value that goes into a query string or form field as text. */
export type Scalar = string | number | boolean;

/** Name/value pairs: an object (`undefined`/`null` values are skipped) or ordered pairs. */
export type Fields = Readonly<Record<string, Scalar | null | undefined>> | ReadonlyArray<readonly [string, Scalar]>;

/** A `fetch`-compatible function (the runtime's own, a proxy, a tracer, a test double). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** File input accepted wherever the API takes a file. A `Blob`/`File` is sent as it is (its bytes
 * are never copied into WebAssembly memory); `Uint8Array`/`ArrayBuffer` are wrapped in a `Blob` on the
 * JavaScript side, so their bytes never enter WebAssembly memory either. */
export type FileInput = Blob | Uint8Array | ArrayBuffer;

/** One field of a `multipart/form-data` body. */
export type MultipartField =
  | { readonly name: string; readonly value: Scalar }
  | { readonly name: string; readonly file: FileInput; readonly filename?: string; readonly contentType?: string };

/** Options every network call accepts. */
export interface CallOptions {
  /** Cancels the call (rejects with `ABORTED`). */
  readonly signal?: AbortSignal;
  /** Aborts the call after this many milliseconds (rejects with `TIMEOUT`). */
  readonly timeoutMs?: number;
}

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
export function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  return wasmHttpRequest(options) as Promise<HttpResponse>;
}
