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
import { makeError } from "./errors.js";

/** A `fetch`-compatible function (the runtime's own, a proxy, a tracer, a test double). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Options every network call accepts. */
export interface CallOptions {
  /** Cancels the call (rejects with `ABORTED`). */
  readonly signal?: AbortSignal;
  /** Aborts the call after this many milliseconds (rejects with `TIMEOUT`). */
  readonly timeoutMs?: number;
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
 * Runs `start(signal)` with a signal that aborts on the caller's `signal` and after `timeoutMs`,
 * and turns what it throws into `TIMEOUT`, `ABORTED` or `NETWORK` (naming `host`). The
 * `AbortController` and the timer exist only when there is something to abort on.
 * @internal
 */
export async function guarded<T>(options: CallOptions, host: string, start: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) throw aborted(signal);
  if (signal === undefined && timeoutMs === undefined) {
    try {
      return await start(undefined);
    } catch (cause) {
      throw networkError(host, cause);
    }
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener("abort", onAbort);
  try {
    return await start(controller.signal);
  } catch (cause) {
    if (timedOut) throw makeError("TIMEOUT", `no complete response from ${host} within ${timeoutMs} ms`, { cause });
    if (signal?.aborted) throw aborted(signal);
    throw networkError(host, cause);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

function aborted(signal: AbortSignal): Error {
  return makeError("ABORTED", "the call was aborted by its AbortSignal", { cause: signal.reason });
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
 * not JSON), and the `Retry-After`, `Date` and request-id headers.
 * @internal
 */
export function send(request: PlannedRequest, options: SendOptions): Promise<Answer> {
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
  return guarded(options, hostOf(request.url), async (signal) => {
    if (signal !== undefined) init.signal = signal;
    const response = await doFetch(request.url, init);
    return read(response, request.expect === "blob");
  });
}

async function read(response: Response, blob: boolean): Promise<Answer> {
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
  if (blob && response.ok && !(headers.get("content-type") ?? "").includes("json")) {
    return { ...meta, kind: "blob", body: await response.blob() };
  }
  const text = await response.text();
  if (text === "") return { ...meta, kind: "empty", body: undefined };
  try {
    return { ...meta, kind: "json", body: JSON.parse(text) };
  } catch {
    return { ...meta, kind: "text", body: text };
  }
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

/** Response headers a proxy never passes back (the body is re-framed; cookies stay upstream). */
const DROPPED_RESPONSE_HEADERS = ["content-encoding", "content-length", "transfer-encoding", "connection", "set-cookie"];

/** Browser pages can stream request bodies over HTTP/2 only; Workers, Node and Deno always can. */
const STREAM_BODIES = typeof (globalThis as { document?: unknown }).document === "undefined";

/**
 * Forwards a request for a proxy: `init` without a body plus the incoming request's body (streamed
 * through where the runtime can), `redirect: "manual"`, `timeoutMs`; answers with the upstream
 * response minus the headers a proxy must not pass on. A redirect is refused (502): it is never
 * followed. Throws the transport's typed errors (`TIMEOUT`, `NETWORK`).
 * @internal
 */
export async function forward(
  url: string,
  init: RequestInit,
  body: Request | string | undefined,
  options: SendOptions,
): Promise<Response> {
  const request: RequestInit & { duplex?: "half" } = { ...init, redirect: "manual" };
  if (typeof body === "string") {
    request.body = body;
  } else if (body !== undefined && body.body !== null) {
    if (STREAM_BODIES) {
      request.body = body.body;
      request.duplex = "half";
    } else {
      request.body = await body.blob();
    }
  }
  const doFetch = options.fetch ?? fetch;
  const upstream = await guarded(options, hostOf(url), (signal) => {
    if (signal !== undefined) request.signal = signal;
    return doFetch(url, request);
  });
  if (upstream.type === "opaqueredirect" || upstream.status === 0 || (upstream.status >= 300 && upstream.status < 400)) {
    await upstream.body?.cancel();
    throw makeError("HTTP_STATUS", `${hostOf(url)} answered with a redirect, which is not followed (check baseUrl)`, { status: 0 });
  }
  const headers = new Headers(upstream.headers);
  for (const name of DROPPED_RESPONSE_HEADERS) headers.delete(name);
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers });
}
