/**
 * The SenseLink signing proxy for a Worker or a server: browser pages call it with
 * `new SenseLinkClient({ baseUrl: "<its URL>", proxy: true })` and never see the secret.
 */
import { serverWasm } from "./instance.js";
import { record } from "./options.js";
import { admit, countedBody, jsonRefusal, proxyAccess, tooLargeMessage, type ProxyAccessOptions } from "./proxy-common.js";
import { checkLimits, forward, type FetchLike } from "./transport.js";

// ---------------------------------------------------------------------------------------------
// Signing proxy (for a Worker)
// ---------------------------------------------------------------------------------------------

/** What an `allow` function is told about a request. */
export interface SenseLinkProxyRequestInfo {
  /** `GET` or `POST`. */
  readonly method: "GET" | "POST";
  /** The SenseLink path, e.g. `/api/v1/user/list`. */
  readonly path: string;
  /** The incoming request. */
  readonly request: Request;
  /** Whether the default allow-list (every endpoint this client calls) admits it. */
  readonly allowedByDefault: boolean;
}

/** The settings of {@link createSenseLinkProxy} besides who may call it ({@link SenseLinkProxyOptions}). */
export interface SenseLinkProxySettings {
  /** The SenseLink base URL to forward to. */
  readonly baseUrl: string;
  /** The app key. */
  readonly appKey: string;
  /** The app secret (stays in the Worker). */
  readonly appSecret: string;
  /** Added to `Date.now()` when signing. */
  readonly clockOffsetMs?: number;
  /**
   * Which SenseLink endpoints may be called (others get 403 and are never forwarded).
   * Default: exactly the endpoints {@link SenseLinkClient} calls. Patterns are
   * `"[GET |POST ]/api/path"`: a segment `*` stands for one segment (an id), a trailing `/**`
   * for any remainder, and `"@default"` for the default list — so `["GET /api/v1/user/list"]`
   * narrows it and `["@default", "GET /api/v2/device"]` extends it. A function decides alone.
   */
  readonly allow?: readonly string[] | ((info: SenseLinkProxyRequestInfo) => boolean | Promise<boolean>);
  /** The `fetch` used to call SenseLink (default: the global one). */
  readonly fetch?: FetchLike;
  /** Abort the upstream call after this many milliseconds (answers 504). */
  readonly timeoutMs?: number;
  /**
   * The largest request body forwarded, in bytes (default 10 MiB: a face photo is at most 4 MB).
   * A larger declared `Content-Length` is refused with 413 before anything is read or sent; a
   * body without one is counted while it streams through, and the upstream request is aborted and
   * answered 413 at the first byte past the limit.
   */
  readonly maxBodyBytes?: number;
}

/**
 * Options of {@link createSenseLinkProxy}: the settings plus `authorize` (required) or, for a
 * deliberately public proxy, `unsafelyAllowAnyCaller: true`; `origin` (the proxy's own public
 * origin); cross-site browser requests are refused unless their origin is in `allowedOrigins`.
 */
export type SenseLinkProxyOptions = SenseLinkProxySettings & ProxyAccessOptions;

/** The default {@link SenseLinkProxyOptions.maxBodyBytes}: 10 MiB. */
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Request headers passed on to SenseLink; everything else (cookies, `Authorization`…) stays. */
const FORWARDED_HEADERS = ["content-type", "accept", "accept-language"];

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  413: "Payload Too Large", 502: "Bad Gateway", 504: "Gateway Timeout",
};

/** A refusal in SenseLink's envelope (`{code, message, desc}`), so a `proxy: true` client reports it. */
function refusal(status: number, desc: string): Response {
  return jsonRefusal(status, { code: status, message: STATUS_TEXT[status] ?? "Refused", desc });
}

interface ProxyPlan {
  readonly forward: boolean;
  readonly url: string;
  readonly path: string;
  readonly method: "GET" | "POST";
  readonly allowed: boolean;
  readonly status: number;
  readonly message: string;
}

/**
 * Creates a signing proxy for a Worker (or any runtime with `Request`/`Response`): browser pages
 * call it with `new SenseLinkClient({ baseUrl: "<its URL>", proxy: true })`. For each request it
 * refuses a request to another host than its `origin`, a cross-site browser request (see
 * `allowedOrigins`) and anything but a read without `X-Requested-With` (403), runs `authorize`, finds the
 * `/api/...` path after its mount point, checks it against the allow-list, refuses a query that
 * carries `app_key`/`timestamp`/`sign` in any spelling (400: `APP_KEY`, `Sign`, `sign[]`,
 * `%73ign`…), signs with a fresh timestamp and forwards method, body (streamed through and counted
 * against `maxBodyBytes`; buffered as a `Blob` in browser pages, which stream uploads over HTTP/2
 * only) and the `Content-Type`/`Accept` headers. The answer keeps SenseLink's status and body but
 * only an allow-list of its headers (no `Set-Cookie`, `Access-Control-*`, `Refresh`…), and always
 * carries `X-Content-Type-Options: nosniff` (and `Cache-Control: no-store` when SenseLink set no
 * caching). Refusals are SenseLink-style JSON (`{code, message, desc}`) with HTTP
 * 401/403/404/405/400/413; an unreachable upstream gives 502, a timeout 504. The answer does not
 * carry CORS headers: mount the proxy on the page's origin or add them around it.
 *
 * @throws {InvalidInputError} when an option is missing or wrong — `authorize` is required.
 * @example
 * // worker.js
 * import { createSenseLinkProxy } from "cyzen-senselink";
 * let proxy;
 * export default {
 *   fetch(request, env) {
 *     proxy ??= createSenseLinkProxy({
 *       baseUrl: "https://link.japancv.co.jp", appKey: env.SL_KEY, appSecret: env.SL_SECRET,
 *       authorize: (req) => hasValidSession(req, env),       // your own check of the caller
 *       origin: "https://admin.example.com",                 // the page's origin (DNS rebinding)
 *     });
 *     return new URL(request.url).pathname.startsWith("/senselink/") ? proxy(request) : env.ASSETS.fetch(request);
 *   },
 * };
 */
export function createSenseLinkProxy(options: SenseLinkProxyOptions): (request: Request) => Promise<Response> {
  const o = record(options, "options");
  const { allow, fetch: upstreamFetch, timeoutMs } = options;
  checkLimits({ timeoutMs });
  const core = serverWasm.revivable((glue) => new glue.SenseLinkProxyCore({
    baseUrl: options.baseUrl, appKey: options.appKey, appSecret: options.appSecret, clockOffsetMs: options.clockOffsetMs,
    allow: typeof allow === "function" ? undefined : allow,
  }));
  const access = proxyAccess(o, DEFAULT_MAX_BODY_BYTES);
  return async (request: Request): Promise<Response> => {
    // Anything but the client's reads (POSTs, the GET delete and move-out endpoints) must carry
    // X-Requested-With, which an <img> or a form from another site cannot.
    const write = !(serverWasm.call(() => core().reads(request.method, request.url)) as boolean);
    const refused = await admit(access, request, refusal, write);
    if (refused) return refused;
    const plan = serverWasm.call(() => core().plan(request.method, request.url, Date.now())) as ProxyPlan;
    if (!plan.forward) return refusal(plan.status, plan.message);
    const allowed =
      typeof allow === "function"
        ? await allow({ method: plan.method, path: plan.path, request, allowedByDefault: plan.allowed })
        : plan.allowed;
    if (allowed !== true) {
      return refusal(403, `${plan.method} ${plan.path} is not in this proxy's allow-list`);
    }
    const headers = new Headers();
    for (const name of FORWARDED_HEADERS) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    const tooLarge = () => refusal(413, tooLargeMessage(access.maxBodyBytes));
    let body: Awaited<ReturnType<typeof countedBody>> | undefined;
    try {
      body = plan.method === "POST" ? await countedBody(request, access.maxBodyBytes) : undefined;
    } catch {
      return refusal(400, "the request body could not be read");
    }
    if (body === "too-large") return tooLarge();
    try {
      const answer = await forward(plan.url, { method: plan.method, headers }, body?.body, {
        fetch: upstreamFetch,
        timeoutMs,
        // A client that hangs up (the request's signal) aborts the upstream request.
        signal: body?.signal ?? request.signal,
      });
      if (!body?.over()) return answer;
      await answer.body?.cancel().catch(() => undefined);
      return tooLarge();
    } catch (error) {
      if (body?.over()) return tooLarge();
      const code = (error as { code?: string } | null)?.code;
      if (code === "TIMEOUT") return refusal(504, "SenseLink did not answer in time");
      if (code === "HTTP_STATUS") return refusal(502, "SenseLink answered with a redirect, which is not followed (check baseUrl)");
      return refusal(502, "SenseLink could not be reached");
    }
  };
}
