/**
 * Runs a fetch-style handler — `createSenseLinkProxy(…)`, `createCyzenProxy(…)`, or your own
 * `(request: Request) => Promise<Response>` — on a Node `http` server or as Express/Connect
 * middleware: the incoming message becomes a `Request` (its body streamed, not buffered), the
 * `Response` is written back with backpressure. The types are structural: no `@types/node` needed.
 */

/** What the adapter reads of Node's `IncomingMessage` (Express's `req` is one). */
export interface NodeIncomingMessage extends AsyncIterable<Uint8Array | string> {
  /** `GET`, `POST`… */
  readonly method?: string | undefined;
  /** The path and query (`/senselink/api/v1/user/list?page=1`). */
  readonly url?: string | undefined;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The connection (`encrypted: true` on TLS sockets). Typed `object`: `net.Socket` and
   * `tls.TLSSocket` both fit, whatever `@types/node` says about them. */
  readonly socket?: object | null | undefined;
}

/** What the adapter uses of Node's `ServerResponse` (Express's `res` is one). */
export interface NodeServerResponse {
  /** The status to send. */
  statusCode: number;
  /** Whether the head was already sent. */
  readonly headersSent?: boolean;
  /** Sets a header (an array for repeated ones such as `Set-Cookie`). */
  setHeader(name: string, value: string | readonly string[]): unknown;
  /** Writes a chunk; `false` asks to wait for `drain`. */
  write(chunk: Uint8Array): boolean;
  /** Ends the response. */
  end(): unknown;
  /** Waits for `drain` (backpressure) or `close` (the response ended, or the client hung up). */
  once(event: "drain" | "close", listener: () => void): unknown;
  /** Whether the connection is already gone (the client hung up before anything was written). */
  readonly destroyed?: boolean;
  /** Whether `end()` was called. */
  readonly writableEnded?: boolean;
}

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * The public origin the server is reached at (`https://admin.example.com`): the base of the
   * `Request` URL, which the proxies check against their own `origin` option. Default: the `Host`
   * header, with `https:` on TLS sockets (or, with `trustForwardedHeaders`, `X-Forwarded-Proto`/`-Host`).
   * A `Host` is whatever the client sent (a DNS-rebinding page sends its own name): the proxies
   * trust a URL made from it only on an IP address or `localhost`, unless their `origin` lists it.
   */
  readonly origin?: string;
  /**
   * Believe `X-Forwarded-Proto` and `X-Forwarded-Host` (only behind a reverse proxy that sets
   * them). The last value of each is used: the one the nearest proxy appended (earlier values are
   * whatever the client sent).
   */
  readonly trustForwardedHeaders?: boolean;
}

/** Express/Connect's `next`. */
export type NodeNext = (error?: unknown) => void;

function first(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === "string" ? value : value?.[0];
}

/**
 * The last entry of a forwarded header (`X-Forwarded-Host: client-said, proxy-said`): the one the
 * nearest proxy appended. The first entries are whatever the client sent.
 */
function lastForwarded(value: string | readonly string[] | undefined): string | undefined {
  const joined = typeof value === "string" ? value : value?.join(",");
  return joined?.split(",").at(-1)?.trim() || undefined;
}

/**
 * The incoming message as a `Request` (the body streamed through); `signal` becomes the request's
 * (a handler passes it on to abort what it started for this request).
 */
export function toRequest(message: NodeIncomingMessage, options: NodeHandlerOptions = {}, signal?: AbortSignal): Request {
  const forwarded = options.trustForwardedHeaders === true;
  const proto = (forwarded && lastForwarded(message.headers["x-forwarded-proto"])) || ((message.socket as { readonly encrypted?: unknown } | null | undefined)?.encrypted === true ? "https" : "http");
  const host = (forwarded && lastForwarded(message.headers["x-forwarded-host"])) || first(message.headers.host) || "localhost";
  const base = options.origin ?? `${proto}://${host}`;
  const url = new URL(message.url ?? "/", base);
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined || name.startsWith(":")) continue;
    for (const one of typeof value === "string" ? [value] : value) headers.append(name, one);
  }
  const method = (message.method ?? "GET").toUpperCase();
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (signal !== undefined) init.signal = signal;
  if (method !== "GET" && method !== "HEAD") {
    const iterator = message[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    init.body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === "string" ? encoder.encode(value) : value);
      },
      async cancel() {
        await iterator.return?.();
      },
    });
    init.duplex = "half";
  }
  return new Request(url, init);
}

/** Resolves when `out` closes: at once if the connection is already gone. */
function closing(out: NodeServerResponse): Promise<void> {
  if (out.destroyed === true) return Promise.resolve();
  return new Promise((resolve) => out.once("close", () => resolve()));
}

/**
 * Writes `response` to a Node response: status, headers (`Set-Cookie` kept apart), body with
 * backpressure. When the client hangs up (`close` before the end, or a response already
 * `destroyed`), the body is cancelled — which aborts the upstream answer it streams — and the
 * promise resolves: a wait for `drain` races `close`, so it never waits for a `drain` that cannot come.
 */
export async function writeResponse(response: Response, out: NodeServerResponse): Promise<void> {
  let gone = out.destroyed === true;
  if (gone) {
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  const closed = closing(out).then(() => {
    gone = true;
  });
  out.statusCode = response.status;
  const cookies = typeof response.headers.getSetCookie === "function" ? response.headers.getSetCookie() : [];
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") out.setHeader(name, value);
  });
  if (cookies.length > 0) out.setHeader("set-cookie", cookies);
  if (response.body === null) {
    out.end();
    return;
  }
  const reader = response.body.getReader();
  void closed.then(() => reader.cancel().catch(() => undefined));
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      // A hang-up aborts the upstream request too: its body then errors, which is no failure here.
      if (gone || out.destroyed === true) break;
      throw error;
    }
    const { done, value } = chunk;
    if (done || gone) break;
    if (!out.write(value)) await Promise.race([new Promise<void>((resolve) => out.once("drain", resolve)), closed]);
    if (gone) break;
  }
  if (gone) {
    await reader.cancel().catch(() => undefined);
    return;
  }
  out.end();
}

/**
 * A Node `http` request listener, or Express/Connect middleware, running `handler`.
 * @example
 * import { createServer } from "node:http";
 * import { createSenseLinkProxy, toNodeHandler } from "cyzen-senselink";
 * const proxy = createSenseLinkProxy({ baseUrl, appKey, appSecret, authorize: (req) => sessionOk(req) });
 * createServer(toNodeHandler(proxy)).listen(8080);
 * // Express: app.use("/senselink", toNodeHandler(proxy, { origin: "https://admin.example.com" }));
 */
export function toNodeHandler(
  handler: (request: Request) => Response | Promise<Response>,
  options: NodeHandlerOptions = {},
): (message: NodeIncomingMessage, out: NodeServerResponse, next?: NodeNext) => Promise<void> {
  if (typeof handler !== "function") throw new TypeError("toNodeHandler: handler must be a function (request) => Response");
  return async (message, out, next) => {
    // A client that hangs up before the answer is written aborts the request's signal: the
    // proxies pass it to the upstream request (and to a pacing wait).
    const hangUp = new AbortController();
    let answered = false;
    void closing(out).then(() => {
      if (!answered && out.writableEnded !== true) hangUp.abort(new Error("the client closed the connection"));
    });
    try {
      // Express strips its mount path from `url`; `originalUrl` keeps the whole path the proxy matches.
      const original = (message as { originalUrl?: unknown }).originalUrl;
      const source: NodeIncomingMessage = typeof original !== "string" ? message : {
        method: message.method,
        url: original,
        headers: message.headers,
        socket: message.socket,
        [Symbol.asyncIterator]: () => message[Symbol.asyncIterator](),
      };
      const response = await handler(toRequest(source, options, hangUp.signal));
      await writeResponse(response, out);
      answered = true;
    } catch (error) {
      answered = true;
      if (next) {
        next(error);
        return;
      }
      if (!out.headersSent) {
        out.statusCode = 500;
        out.setHeader("content-type", "text/plain; charset=utf-8");
      }
      out.end();
    }
  };
}
