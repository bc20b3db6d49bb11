/**
 * The SenseLink signing proxy for a Worker or a server: browser pages call it with
 * `new SenseLinkClient({ baseUrl: "<its URL>", proxy: true })` and never see the secret.
 */
import { SenseLinkProxyCore } from "../cyzen_senselink.js";
import { runAuthorize } from "./proxy-common.js";
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

/** Options of {@link createSenseLinkProxy}. */
export interface SenseLinkProxyOptions {
  /** The SenseLink base URL to forward to. */
  readonly baseUrl: string;
  /** The app key. */
  readonly appKey: string;
  /** The app secret (stays in the Worker). */
  readonly appSecret: string;
  /** Added to `Date.now()` when signing. */
  readonly clockOffsetMs?: number;
  /**
   * Decides who may use the proxy, before anything else: return `true` to let the request through,
   * `false` (or throw) to refuse it with 401, or a `Response` to answer with it as is. Without it,
   * **every caller that can reach the proxy may use it**: put the proxy behind your own
   * authentication (e.g. Cloudflare Access) or check a session here.
   */
  readonly authorize?: (request: Request) => boolean | Response | Promise<boolean | Response>;
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
}

/** Request headers passed on to SenseLink; everything else (cookies, `Authorization`…) stays. */
const FORWARDED_HEADERS = ["content-type", "accept", "accept-language"];

function refusal(status: number, message: string, desc: string): Response {
  return new Response(JSON.stringify({ code: status, message, desc }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
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

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed" };

/**
 * Creates a signing proxy for a Worker (or any runtime with `Request`/`Response`): browser pages
 * call it with `new SenseLinkClient({ baseUrl: "<its URL>", proxy: true })`. For each request it
 * runs `authorize`, finds the `/api/...` path after its mount point, checks it against the
 * allow-list, drops any `app_key`/`timestamp`/`sign` the client sent, signs with a fresh timestamp
 * and forwards method, body (streamed through; buffered as a `Blob` in browser pages, which stream
 * uploads over HTTP/2 only) and the `Content-Type`/`Accept` headers. Refusals are SenseLink-style
 * JSON (`{code, message, desc}`) with HTTP 401/403/404/405/400; an unreachable upstream gives 502,
 * a timeout 504. The answer does not carry CORS headers: mount the proxy on the page's origin or add
 * them around it.
 *
 * @throws {InvalidInputError} when an option is missing or wrong.
 * @example
 * // worker.js
 * import { createSenseLinkProxy } from "cyzen-senselink";
 * let proxy;
 * export default {
 *   fetch(request, env) {
 *     proxy ??= createSenseLinkProxy({
 *       baseUrl: "https://link.japancv.co.jp", appKey: env.SL_KEY, appSecret: env.SL_SECRET,
 *       authorize: (req) => req.headers.get("cf-access-authenticated-user-email") !== null,
 *     });
 *     return new URL(request.url).pathname.startsWith("/senselink/") ? proxy(request) : env.ASSETS.fetch(request);
 *   },
 * };
 */
export function createSenseLinkProxy(options: SenseLinkProxyOptions): (request: Request) => Promise<Response> {
  const { authorize, allow, fetch: upstreamFetch, timeoutMs } = options;
  checkLimits({ timeoutMs });
  const core = new SenseLinkProxyCore({
    baseUrl: options.baseUrl, appKey: options.appKey, appSecret: options.appSecret, clockOffsetMs: options.clockOffsetMs,
    allow: typeof allow === "function" ? undefined : allow,
  });
  return async (request: Request): Promise<Response> => {
    const verdict = await runAuthorize(authorize, request);
    if (verdict instanceof Response) return verdict;
    if (verdict === "refuse") return refusal(401, "Unauthorized", "this proxy's authorize() refused the request");
    const plan = core.plan(request.method, request.url, Date.now()) as ProxyPlan;
    if (!plan.forward) return refusal(plan.status, STATUS_TEXT[plan.status] ?? "Refused", plan.message);
    const allowed =
      typeof allow === "function"
        ? await allow({ method: plan.method, path: plan.path, request, allowedByDefault: plan.allowed })
        : plan.allowed;
    if (allowed !== true) {
      return refusal(403, "Forbidden", `${plan.method} ${plan.path} is not in this proxy's allow-list`);
    }
    const headers = new Headers();
    for (const name of FORWARDED_HEADERS) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    try {
      return await forward(plan.url, { method: plan.method, headers }, plan.method === "POST" ? request : undefined, {
        fetch: upstreamFetch,
        timeoutMs,
      });
    } catch (error) {
      const code = (error as { code?: string } | null)?.code;
      if (code === "TIMEOUT") return refusal(504, "Gateway Timeout", `SenseLink did not answer within ${timeoutMs} ms`);
      if (code === "HTTP_STATUS") return refusal(502, "Bad Gateway", "SenseLink answered with a redirect, which is not followed (check baseUrl)");
      return refusal(502, "Bad Gateway", "SenseLink could not be reached");
    }
  };
}

