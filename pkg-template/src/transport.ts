/**
 * The package's one transport: every request the clients send and every request the proxies
 * forward goes through here, so timeouts, aborts, `redirect: "manual"`, header filtering and body
 * reading live in one place. It binds the runtime's global `fetch` and `setTimeout` (never
 * `window`), so the same code runs in pages, web workers, Cloudflare Workers, Node, Deno and Bun.
 *
 * The engine owns the bytes: answers are read with `response.text()` and parsed with `JSON.parse`
 * (once), or kept as a `Blob`; multipart bodies are the runtime's own `FormData`, with the caller's
 * `Blob`s appended as they are.
 * @internal
 */
import { CyzenSenseLinkError, invalidInput, makeError } from "./errors.js";
import { SENSITIVE } from "./hooks.js";

/** A `fetch`-compatible function (the runtime's own, a proxy, a tracer, a test double). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A call's deadline when it sets none: long enough for a 200-record page on a slow link. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** The largest answer read when a call sets no `maxResponseBytes` (16 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Options every network call accepts. */
export interface CallOptions {
  /** Cancels the call (rejects with `ABORTED`). */
  readonly signal?: AbortSignal;
  /**
   * The call's deadline in milliseconds (default 60 000): it covers the wait for a pacing slot,
   * every retry and its backoff, a token refresh and reading the answer. When it passes, the
   * request in flight is aborted and the call rejects with `TIMEOUT`.
   */
  readonly timeoutMs?: number;
  /** Answers larger than this many bytes fail with `RESPONSE_TOO_LARGE` (default 16 MiB); reading
   * stops at the limit. */
  readonly maxResponseBytes?: number;
}

/** The largest `timeoutMs` timers accept (2³¹ − 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Checks `timeoutMs` and `maxResponseBytes` of a client's or a call's options: integers from 1
 * (to 2³¹ − 1 ms, and 2⁵³ − 1 bytes); anything else is `INVALID_INPUT` before anything is sent.
 * @internal
 */
export function checkLimits<T extends { readonly timeoutMs?: unknown; readonly maxResponseBytes?: unknown }>(options: T | undefined): void {
  if (options === undefined || options === null) return;
  const { timeoutMs, maxResponseBytes } = options;
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS)) {
    throw invalidInput("timeoutMs", `must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
  }
  if (maxResponseBytes !== undefined && (typeof maxResponseBytes !== "number" || !Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1)) {
    throw invalidInput("maxResponseBytes", "must be a positive integer");
  }
}

/** How one request is sent. @internal */
export interface SendOptions extends CallOptions {
  readonly fetch?: FetchLike | undefined;
}

/** A request as the core planned it. @internal */
export interface PlannedRequest {
  readonly url: string;
  readonly method?: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly form?: string;
  readonly json?: string;
  readonly multipart?: ReadonlyArray<readonly [string, string] | readonly [string, Blob, string, string]>;
  readonly expect?: "blob";
}

/** An answer as the core reads it. @internal */
export interface Answer {
  readonly status: number;
  readonly kind: "json" | "text" | "blob" | "empty";
  readonly body: unknown;
  readonly retryAfter: string | null;
  readonly date: string | null;
  readonly requestId: string | null;
}

const REQUEST_ID_HEADERS = ["x-request-id", "request-id", "x-amzn-requestid", "cf-ray"];

/** The host of a URL, for messages (no path, no query: nothing secret). */
export function hostOf(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  return match?.[1] ?? "this origin";
}

/**
 * One call's deadline: a signal that aborts when the caller's `signal` fires or `timeoutMs`
 * passes, whichever comes first. One `AbortController` and one timer per call, however many
 * requests, sleeps and retries the call makes. `dispose()` clears the timer.
 * @internal
 */
export class Deadline {
  /** Aborts on the caller's signal or at the deadline. */
  readonly signal: AbortSignal;
  /** When the deadline passes (`Date.now()` scale), `Infinity` for none. */
  readonly at: number;
  /** The budget, for messages. */
  readonly timeoutMs: number;
  #timedOut = false;
  #interrupted: Error | undefined;
  readonly #controller: AbortController;
  readonly #caller: AbortSignal | undefined;
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onAbort: (() => void) | undefined;

  constructor(options: CallOptions) {
    const caller = options.signal;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#caller = caller;
    const controller = new AbortController();
    this.#controller = controller;
    this.signal = controller.signal;
    this.at = Number.isFinite(this.timeoutMs) ? Date.now() + this.timeoutMs : Infinity;
    if (caller?.aborted) {
      controller.abort(caller.reason);
      return;
    }
    if (Number.isFinite(this.timeoutMs)) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        controller.abort();
      }, this.timeoutMs);
    }
    if (caller !== undefined) {
      this.#onAbort = () => controller.abort(caller.reason);
      caller.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** Stops the call now with `error` (the instance trapped): what is in flight is aborted. */
  interrupt(error: Error): void {
    this.#interrupted ??= error;
    this.#controller.abort(error);
  }

  /**
   * The typed error for a failure of the request to `url` while this deadline ran: `TIMEOUT`,
   * `ABORTED`, else `NETWORK`. The runtime's error becomes a {@link sanitizedCause} copy.
   */
  failure(url: string, cause: unknown): Error {
    if (this.#interrupted) return this.#interrupted;
    if (cause instanceof CyzenSenseLinkError) return cause;
    if (this.#timedOut) return this.timeout(`no complete response from ${hostOf(url)}`, sanitizedCause(cause, url));
    if (this.#caller?.aborted) return aborted(this.#caller);
    return networkError(hostOf(url), sanitizedCause(cause, url));
  }

  /** `TIMEOUT`, saying what did not finish in time. */
  timeout(what: string, cause?: unknown): Error {
    return makeError("TIMEOUT", `${what} within the call's deadline of ${this.timeoutMs} ms (timeoutMs; it covers pacing waits, retries and token refreshes)`, { cause });
  }

  /** `ABORTED` or `TIMEOUT` when the signal has fired, else `undefined`. */
  stopped(): Error | undefined {
    if (!this.signal.aborted) return undefined;
    if (this.#interrupted) return this.#interrupted;
    if (this.#timedOut) return this.timeout("the call did not finish");
    return aborted(this.#caller ?? this.signal);
  }

  /** Stops the timer and detaches from the caller's signal. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.#caller?.removeEventListener("abort", this.#onAbort);
  }
}

/**
 * Runs `start(signal)` under its own {@link Deadline} and turns what it throws into `TIMEOUT`,
 * `ABORTED` or `NETWORK` (naming the host of `url`); the package's own typed errors pass through.
 * @internal
 */
export async function guarded<T>(options: CallOptions, url: string, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const deadline = new Deadline(options);
  try {
    return await underDeadline(deadline, url, start);
  } finally {
    deadline.dispose();
  }
}

/**
 * Runs `start(signal)` under an existing `deadline`; what it throws becomes the deadline's typed
 * error, naming the host of `url` (read only then: a request that succeeds does not parse it).
 */
async function underDeadline<T>(deadline: Deadline, url: string, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stopped = deadline.stopped();
  if (stopped) throw stopped;
  try {
    return await start(deadline.signal);
  } catch (cause) {
    throw deadline.failure(url, cause);
  }
}

function aborted(signal: AbortSignal): Error {
  return makeError("ABORTED", "the call was aborted by its AbortSignal", { cause: signal.reason });
}

/**
 * A URL in an error's text (`scheme://…` up to white space or a quote): group 1 is what is kept
 * (scheme, host and path), user info is dropped, and group 2 is the query or fragment.
 */
const URL_IN_TEXT = /([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#@"'<>]*@)?([^\s?#"'<>]*)([?#][^\s"'<>]*)?/gi;

/**
 * `text` with every URL's query and fragment replaced by `[redacted]` (trailing punctuation kept)
 * and its user info dropped, and the values of `url`'s credential-like query parameters (a
 * SenseLink `app_key` and `sign`…) masked wherever they still appear.
 */
function redactText(text: string, url: string): string {
  let out = text.replace(URL_IN_TEXT, (_match, scheme: string, rest: string, query: string | undefined) => {
    if (query === undefined) return scheme + rest;
    const tail = /[)\]}>,.:;!]*$/.exec(query)?.[0] ?? "";
    return `${scheme}${rest}${query[0]}[redacted]${tail}`;
  });
  const query = url.indexOf("?");
  if (query >= 0) {
    for (const pair of url.slice(query + 1).split(/[&#]/)) {
      const equals = pair.indexOf("=");
      const value = pair.slice(equals + 1);
      if (equals > 0 && value.length >= 4 && SENSITIVE.test(pair.slice(0, equals))) out = out.split(value).join("[redacted]");
    }
  }
  return out;
}

/**
 * A copy of a runtime's error safe to keep as a `cause`: Deno's and Bun's `fetch` errors carry the
 * whole request URL (a SenseLink URL holds `app_key`, `timestamp` and `sign`, which replay against
 * any endpoint for a while) in their message, `stack`, a nested `cause` or a `path`, and
 * `console.error` prints every nested cause. The copy keeps the class (`TypeError`, `AggregateError`
 * or `Error`), `name`, `message`, `stack` and own primitive properties (`code`, `errno`, `syscall`…)
 * with every URL redacted ({@link redactText}), and copies of the nested `cause` and `errors`; it
 * holds no reference to the original object.
 */
function sanitizedCause(cause: unknown, url: string, depth = 0): unknown {
  if (typeof cause === "string") return redactText(cause, url);
  if (cause === null || typeof cause !== "object") return cause;
  if (depth > 4) return undefined;
  const clean = (value: unknown): unknown => (typeof value === "string" ? redactText(value, url) : value);
  try {
    const source = cause as Record<string, unknown>;
    const message = typeof source.message === "string" ? redactText(source.message, url) : "";
    const nested = Array.isArray(source.errors) ? source.errors.map((e: unknown) => sanitizedCause(e, url, depth + 1)) : undefined;
    const copy: Error =
      nested && typeof AggregateError === "function" ? new AggregateError(nested, message)
      : cause instanceof TypeError ? new TypeError(message)
      : new Error(message);
    const hidden = (key: string, value: unknown) => Object.defineProperty(copy, key, { value, writable: true, configurable: true, enumerable: false });
    if (typeof source.name === "string") hidden("name", redactText(source.name, url));
    hidden("stack", typeof source.stack === "string" ? redactText(source.stack, url) : undefined);
    for (const key of Object.keys(source)) {
      const value = source[key];
      if (key !== "cause" && key !== "errors" && (value === null || typeof value !== "object") && typeof value !== "function") {
        Object.defineProperty(copy, key, { value: clean(value), writable: true, configurable: true, enumerable: true });
      }
    }
    if (source.cause !== undefined) hidden("cause", sanitizedCause(source.cause, url, depth + 1));
    return copy;
  } catch {
    return new Error("the runtime's error could not be copied safely");
  }
}

function networkError(host: string, cause: unknown): Error {
  const detail = (cause as { message?: unknown } | null)?.message;
  const said = typeof detail === "string" && detail !== "" ? `: ${detail}` : "";
  return makeError("NETWORK", `the request to ${host} failed${said}`, { cause });
}

function formData(parts: NonNullable<PlannedRequest["multipart"]>): FormData {
  const form = new FormData();
  for (const part of parts) {
    if (part.length === 2) {
      form.append(part[0], part[1]);
    } else {
      const [name, blob, filename, type] = part;
      // Re-labelling wraps the Blob by reference: its bytes are not copied.
      form.append(name, blob.type === type ? blob : new Blob([blob], { type }), filename);
    }
  }
  return form;
}

/**
 * Sends a planned request and reads the answer for the core: the status (0 for a redirect, which
 * is never followed), the body parsed as JSON (or the text, or a `Blob` when asked and the answer is
 * not JSON), and the `Retry-After`, `Date` and request-id headers. Runs under `deadline` when the
 * call has one (the driver's), else under its own.
 * @internal
 */
export function send(request: PlannedRequest, options: SendOptions, deadline?: Deadline): Promise<Answer> {
  const init: RequestInit = { method: request.method ?? "GET", redirect: "manual" };
  const headers: [string, string][] = request.headers ? request.headers.map(([k, v]) => [k, v]) : [];
  if (request.form !== undefined) {
    headers.push(["content-type", "application/x-www-form-urlencoded;charset=UTF-8"]);
    init.body = request.form;
  } else if (request.json !== undefined) {
    headers.push(["content-type", "application/json"]);
    init.body = request.json;
  } else if (request.multipart !== undefined) {
    // No Content-Type: the runtime writes `multipart/form-data; boundary=…` itself.
    init.body = formData(request.multipart);
  }
  if (headers.length > 0) init.headers = headers;
  const doFetch = options.fetch ?? fetch;
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const exchange = async (signal: AbortSignal) => {
    init.signal = signal;
    const response = await doFetch(request.url, init);
    // `return await`: an async function that returns a promise settles two ticks later.
    return await read(response, request.expect === "blob", limit, request.url);
  };
  return deadline === undefined ? guarded(options, request.url, exchange) : underDeadline(deadline, request.url, exchange);
}

async function read(response: Response, blob: boolean, limit: number, url: string): Promise<Answer> {
  const redirect = response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400);
  const status = response.type === "opaqueredirect" ? 0 : response.status;
  const headers = response.headers;
  let requestId: string | null = null;
  for (const name of REQUEST_ID_HEADERS) {
    requestId = headers.get(name);
    if (requestId !== null) break;
  }
  const meta = { status, retryAfter: headers.get("retry-after"), date: headers.get("date"), requestId };
  if (redirect) {
    await response.body?.cancel();
    return { ...meta, status: 0, kind: "empty", body: undefined };
  }
  const type = headers.get("content-type") ?? "";
  const chunks = await readLimited(response, limit, url, status);
  if (blob && response.ok && !type.includes("json")) {
    return { ...meta, kind: "blob", body: new Blob(chunks as BlobPart[], type === "" ? {} : { type }) };
  }
  const text = decodeText(chunks);
  if (text === "") return { ...meta, kind: "empty", body: undefined };
  try {
    return { ...meta, kind: "json", body: JSON.parse(text) };
  } catch {
    return { ...meta, kind: "text", body: text };
  }
}

/**
 * Reads a body, stopping at `limit` bytes: a `Content-Length` above it (of an unencoded body) is
 * refused before any byte is read; otherwise bytes are counted as they arrive and reading stops
 * (the stream is cancelled) at the first chunk past the limit. Counting while reading costs no
 * more than `response.text()` (measured in `make bench`).
 */
export async function readLimited(response: Response, limit: number, url: string, status: number): Promise<Uint8Array[]> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > limit && !response.headers.has("content-encoding")) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(hostOf(url), status, limit, `declares ${declared} bytes`);
  }
  const body = response.body;
  if (body === null) return [];
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(hostOf(url), status, limit, "sent more");
    }
    chunks.push(value);
  }
}

function tooLarge(host: string, status: number, limit: number, what: string): Error {
  return makeError("RESPONSE_TOO_LARGE", `the answer from ${host} ${what} than maxResponseBytes (${limit}); reading stopped`, { status, limit });
}

const utf8 = new TextDecoder();

function decodeText(chunks: Uint8Array[]): string {
  return chunks.length === 0 ? "" : utf8.decode(joined(chunks));
}

/** The chunks as one array (the chunk itself when there is one: no copy). @internal */
export function joined(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const whole = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return whole;
}

/**
 * Waits `ms` milliseconds on the runtime's own timer (each call on its own: in Workers a request
 * must not wait on another request's promise); rejects with `ABORTED` when `signal` fires.
 * @internal
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(aborted(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Upstream response headers a proxy passes back: what a client reads (type, caching, `Retry-After`,
 * `Date`, request ids, an image's `Content-Disposition`). Every other header stays behind —
 * `Set-Cookie`, `Access-Control-*`, `Refresh`, `Location`, `Content-Security-Policy`, framing and
 * hop-by-hop headers, and `Content-Length`/`Content-Encoding` (the body is re-framed).
 */
const PASSED_RESPONSE_HEADERS = [
  "content-type", "content-disposition", "content-language", "cache-control", "expires", "date", "etag", "last-modified",
  "retry-after", ...REQUEST_ID_HEADERS,
];

/**
 * Headers every forwarded answer carries: no MIME sniffing, and a sandbox for anything a browser
 * would render as a document (an upstream HTML page never runs script on the proxy's origin).
 */
const PROXY_RESPONSE_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ["x-content-type-options", "nosniff"],
  ["content-security-policy", "sandbox"],
];

/**
 * Forwards a request for a proxy: `init` without a body plus `body` (a string, a `Blob`, or a
 * stream, sent with `duplex: "half"`), `redirect: "manual"`, `timeoutMs` and `signal`; answers with
 * the upstream status and body, and only the {@link PASSED_RESPONSE_HEADERS} plus
 * {@link PROXY_RESPONSE_HEADERS} (`Cache-Control: no-store` when upstream set none). A redirect is
 * refused (502): it is never followed. Throws the transport's typed errors (`TIMEOUT`, `ABORTED`,
 * `NETWORK`).
 * @internal
 */
export async function forward(
  url: string,
  init: RequestInit,
  body: string | Blob | ReadableStream<Uint8Array> | undefined,
  options: SendOptions,
): Promise<Response> {
  const request: RequestInit & { duplex?: "half" } = { ...init, redirect: "manual" };
  if (body !== undefined) request.body = body;
  if (body instanceof ReadableStream) request.duplex = "half";
  const doFetch = options.fetch ?? fetch;
  const upstream = await guarded(options, url, (signal) => {
    if (signal !== undefined) request.signal = signal;
    return doFetch(url, request);
  });
  if (upstream.type === "opaqueredirect" || upstream.status === 0 || (upstream.status >= 300 && upstream.status < 400)) {
    await upstream.body?.cancel();
    throw makeError("HTTP_STATUS", `${hostOf(url)} answered with a redirect, which is not followed (check baseUrl)`, { status: 0 });
  }
  const headers = new Headers();
  for (const name of PASSED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  for (const [name, value] of PROXY_RESPONSE_HEADERS) headers.set(name, value);
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers });
}
