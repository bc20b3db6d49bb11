/**
 * The cyzen proxy for a Worker or a server: browser pages call it with
 * `new CyzenClient({ baseUrl: "<its URL>", auth: { proxy: true } })` and never hold a token.
 */
import type { CoordinatorGrant, CyzenCoordinator } from "./coordinator.js";
import { CyzenOAuth, checkCoordinator, oauthPartsOf, type CyzenResourceName, type PathOverride } from "./cyzen.js";
import { drive, releaseGrant, type DriveContext } from "./driver.js";
import { invalidInput } from "./errors.js";
import { emit } from "./hooks.js";
import { cyzenWasm, serverWasm } from "./instance.js";
import { func, record, text } from "./options.js";
import { admit, jsonRefusal, proxyAccess, readBody, tooLargeMessage, type ProxyAccessOptions } from "./proxy-common.js";
import { checkLimits, forward, joined, type FetchLike } from "./transport.js";

const invalid = invalidInput;

// ---------------------------------------------------------------------------------------------
// Proxy

/**
 * What an `allow` function of {@link createCyzenProxy} is told about a request.
 * @example
 * allow: ({ method, resource, allowedByDefault }) => allowedByDefault && (method === "GET" || resource === "spots")
 */
export interface CyzenProxyRequestInfo {
  /** `GET`, `POST`, `PUT` or `DELETE`. */
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** The cyzen path (`/spots`). */
  readonly path: string;
  /** The resource (`spots`). */
  readonly resource: CyzenResourceName;
  /** The incoming request. */
  readonly request: Request;
  /** Whether the vendor's table lists this operation (the default allow-list). */
  readonly allowedByDefault: boolean;
}

/** How the proxy authenticates to cyzen: an OAuth object (refreshed when needed) or a static token. */
export type CyzenProxyCredentials = CyzenOAuth | { readonly staticToken: string };

/**
 * The settings of {@link createCyzenProxy} besides who may call it ({@link CyzenProxyOptions}).
 * @example
 * createCyzenProxy({ companyId: env.CYZEN_COMPANY_ID, auth: { staticToken: env.CYZEN_STATIC_TOKEN },
 *   authorize: (req) => hasValidSession(req, env) });
 */
export interface CyzenProxySettings {
  /** Upstream cyzen base URL (default `https://ext.cyzen.cloud/webapi/v0`). */
  readonly baseUrl?: string;
  /** The tenant id added to every call (a request that carries a `company_id` of its own is refused with 400). */
  readonly companyId: string;
  /**
   * The credentials, or a function of the request giving them (e.g. the {@link CyzenOAuth} of the
   * caller's session, with tokens in KV); `null`/`undefined` there answers 401 "not signed in".
   */
  readonly auth: CyzenProxyCredentials | ((request: Request) => CyzenProxyCredentials | null | undefined | Promise<CyzenProxyCredentials | null | undefined>);
  /**
   * Which operations may be called (others get 403 and are never forwarded). Default: exactly the
   * operations of the vendor's table ({@link CYZEN_RESOURCES}). Patterns are
   * `"[GET |POST |PUT |DELETE ]/path"` with a resource's path; `"@default"` stands for the default
   * list — `["GET /spots", "GET /users"]` narrows it to two lists. A function decides alone.
   */
  readonly allow?: readonly string[] | ((info: CyzenProxyRequestInfo) => boolean | Promise<boolean>);
  /** Path overrides, as for {@link CyzenClient} (the resource is found by the end of the path). */
  readonly paths?: Partial<Record<CyzenResourceName, PathOverride>>;
  /** The `fetch` used to call cyzen (and the token endpoint; default: the global one). */
  readonly fetch?: FetchLike;
  /** Abort the upstream call after this many milliseconds (answers 504). */
  readonly timeoutMs?: number;
  /**
   * Paces the forwarded calls and the token refresh with every other instance using the same
   * token (see {@link durableObjectCoordinator}); default: the `CyzenOAuth`'s own, else none (the
   * page's client paces itself). A call that gets no slot in time answers 503 with `Retry-After`.
   */
  readonly coordinator?: CyzenCoordinator;
  /** The rate told to the coordinator: requests in any 1-second window (default 5). */
  readonly requestsPerSecond?: number;
  /**
   * The largest form body of a write, in bytes (default 1 MiB: cyzen writes are small forms). A
   * larger declared `Content-Length` is refused with 413 before anything is read; a body without
   * one is counted while it is read, and reading stops with 413 at the first byte past the limit.
   */
  readonly maxBodyBytes?: number;
}

/**
 * Options of {@link createCyzenProxy}: the settings plus `authorize` (required) or, for a
 * deliberately public proxy, `unsafelyAllowAnyCaller: true`; `origin` (the proxy's own public
 * origin); cross-site browser requests are refused unless their origin is in `allowedOrigins`.
 */
export type CyzenProxyOptions = CyzenProxySettings & ProxyAccessOptions;

/** The default {@link CyzenProxyOptions.maxBodyBytes}: 1 MiB. */
const DEFAULT_MAX_BODY_BYTES = 1 << 20;

interface CyzenProxyPlan {
  readonly forward: boolean;
  readonly url: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  readonly resource: CyzenResourceName;
  readonly allowed: boolean;
  readonly body?: string;
  readonly status: number;
  readonly message: string;
}

/** A refusal in cyzen's own shape, so a `proxy: true` client reports it as a `CyzenError`. */
function cyzenRefusal(status: number, message: string): Response {
  return jsonRefusal(status, { errors: [{ err_code: status * 100, err_msg: message }] });
}

const utf8 = new TextDecoder();

/**
 * Creates a cyzen proxy for a Worker (or any runtime with `Request`/`Response`): a browser page
 * calls it with `new CyzenClient({ baseUrl: "<its URL>", auth: { proxy: true } })` and never holds
 * a token. For each request it refuses a request to another host than its `origin`, a cross-site
 * browser request (see `allowedOrigins`) and a write without `X-Requested-With` (403),
 * runs `authorize`, reads a write's form body (at most `maxBodyBytes`), finds the resource named by
 * the end of the path (`/cyzen/spots` → `spots`), checks the method against the allow-list,
 * refuses a query or form body that carries `company_id` in any spelling (400: `Company_Id`,
 * `company_id[]`, `%63ompany_id`…) and adds its own (query of GET/DELETE, form body of POST/PUT),
 * adds `Authorization: bearer` — refreshing an expired OAuth token first, and once more after a 401
 * (one refresh for every concurrent caller) — and forwards method, query, form body and
 * `Accept`/`Accept-Language`. Cookies and other headers stay behind. The answer keeps cyzen's
 * status and body but only an allow-list of its headers (no `Set-Cookie`, `Access-Control-*`,
 * `Refresh`…), and always carries `X-Content-Type-Options: nosniff` (and `Cache-Control: no-store`
 * when cyzen set no caching).
 *
 * Refusals are cyzen-style JSON (`{"errors":[{"err_code":40300,"err_msg":"…"}]}`) with HTTP 401
 * (not authorized, not signed in, sign-in expired), 403 (cross-site, not in the allow-list), 404
 * (no resource), 405, 400, 413, 415; an unreachable upstream gives 502, a timeout 504. No CORS
 * headers are added: mount it on the page's origin.
 *
 * @throws {InvalidInputError} when an option is missing or wrong — `authorize` is required.
 * @example
 * // worker.js: one origin serves the page, /senselink/… and /cyzen/…
 * import { CyzenOAuth, createCyzenProxy } from "cyzen-senselink";
 * let proxy;
 * export default {
 *   fetch(request, env) {
 *     proxy ??= createCyzenProxy({
 *       baseUrl: env.CYZEN_BASE_URL, companyId: env.CYZEN_COMPANY_ID,
 *       auth: (req) => oauthOfSession(req, env),        // a CyzenOAuth with tokens in KV, or null
 *       authorize: (req) => hasValidSession(req, env),
 *       origin: "https://admin.example.com",            // the page's origin (DNS rebinding)
 *     });
 *     return new URL(request.url).pathname.startsWith("/cyzen/") ? proxy(request) : env.ASSETS.fetch(request);
 *   },
 * };
 */
export function createCyzenProxy(options: CyzenProxyOptions): (request: Request) => Promise<Response> {
  const o = record(options, "options");
  const { allow, timeoutMs } = options;
  const upstreamFetch = func(o, "fetch");
  const coordinator = checkCoordinator(o.coordinator);
  const requestsPerSecond = typeof o.requestsPerSecond === "number" && o.requestsPerSecond >= 1 ? Math.floor(o.requestsPerSecond) : 5;
  const auth = o.auth;
  if (typeof auth !== "function" && !(auth instanceof CyzenOAuth)) {
    const token = (auth as { staticToken?: unknown } | undefined)?.staticToken;
    if (typeof token !== "string" || token === "") throw invalid("auth", "must be a CyzenOAuth, { staticToken: string } or a function of the request");
  }
  checkLimits({ timeoutMs: o.timeoutMs });
  if (o.paths !== undefined && o.paths !== null) record(o.paths, "paths");
  const planner = serverWasm.revivable((glue) => new glue.CyzenProxyCore({ baseUrl: o.baseUrl, companyId: text(o, "companyId", true), paths: o.paths, allow: typeof allow === "function" ? undefined : allow }));
  const access = proxyAccess(o, DEFAULT_MAX_BODY_BYTES);

  return async (request: Request): Promise<Response> => {
    const method = request.method.toUpperCase();
    // A write (POST, PUT, DELETE) must carry X-Requested-With, which a form from another site cannot.
    const refused = await admit(access, request, cyzenRefusal, method !== "GET");
    if (refused) return refused;
    let body: string | undefined;
    if (method === "POST" || method === "PUT") {
      let chunks: Awaited<ReturnType<typeof readBody>>;
      try {
        chunks = await readBody(request, access.maxBodyBytes);
      } catch {
        return cyzenRefusal(400, "the request body could not be read");
      }
      if (chunks === "too-large") return cyzenRefusal(413, tooLargeMessage(access.maxBodyBytes));
      body = utf8.decode(joined(chunks));
    }
    const plan = serverWasm.call(() => planner().plan(method, request.url, request.headers.get("content-type") ?? undefined, body)) as CyzenProxyPlan;
    if (!plan.forward) return cyzenRefusal(plan.status, plan.message);
    const allowed =
      typeof allow === "function"
        ? await allow({ method: plan.method, path: plan.path, resource: plan.resource, request, allowedByDefault: plan.allowed })
        : plan.allowed;
    if (allowed !== true) return cyzenRefusal(403, `${plan.method} ${plan.path} is not in this proxy's allow-list`);

    let credentials: CyzenProxyCredentials | null | undefined;
    try {
      credentials = typeof auth === "function" ? await (auth as (r: Request) => unknown)(request) as CyzenProxyCredentials | null | undefined : auth as CyzenProxyCredentials;
    } catch {
      return cyzenRefusal(401, "not signed in to cyzen (the proxy's auth() failed)");
    }
    if (credentials === null || credentials === undefined) return cyzenRefusal(401, "not signed in to cyzen: sign in first");
    const oauth = credentials instanceof CyzenOAuth ? oauthPartsOf(credentials) : undefined;
    const staticToken = oauth ? undefined : (credentials as { staticToken?: unknown }).staticToken;
    if (!oauth && (typeof staticToken !== "string" || staticToken === "")) return cyzenRefusal(401, "not signed in to cyzen: no credentials");

    const tokenFailure = (error: unknown): Response => {
      const code = (error as { code?: string } | null)?.code ?? "";
      if (code === "OAUTH_NO_TOKEN") return cyzenRefusal(401, "not signed in to cyzen: sign in first");
      if (code.startsWith("OAUTH_")) return cyzenRefusal(401, "the cyzen sign-in has expired or was revoked: sign in again");
      if (code === "TIMEOUT") return cyzenRefusal(504, "the cyzen token endpoint did not answer in time");
      return cyzenRefusal(502, "the cyzen token endpoint could not be reached");
    };
    const pacer = coordinator ?? oauth?.coordinator;
    const tokenContext: DriveContext = { store: oauth?.store, tokenFetch: oauth?.fetch ?? upstreamFetch, timeoutMs, coordinator: pacer, requestsPerSecond };
    let token: string;
    let generation = 0;
    if (oauth) {
      try {
        ({ token, generation } = await drive<{ token: string; generation: number }>(cyzenWasm, () => oauth.core().accessToken(), tokenContext));
      } catch (error) {
        return tokenFailure(error);
      }
    } else {
      token = staticToken as string;
    }

    const send = async (bearer: string): Promise<Response> => {
      let slot: CoordinatorGrant | undefined;
      if (pacer) {
        try {
          slot = await pacer.acquire({ signal: request.signal, maxWaitMs: timeoutMs ?? 60_000, requestsPerSecond });
        } catch (error) {
          if ((error as { code?: string } | null)?.code !== "TIMEOUT") throw error;
          const refusal = cyzenRefusal(503, "no pacing slot for this cyzen token in time: retry shortly");
          refusal.headers.set("retry-after", "1");
          return refusal;
        }
        // The proxy has no hooks of its own: a fallback goes to its CyzenOAuth's.
        const hooks = oauth?.hooks;
        if (slot.fallback !== undefined && hooks) {
          emit(hooks, hooks.onFallback, { operation: `proxy ${plan.method} ${plan.path}`, what: "pacing", reason: slot.fallback });
        }
      }
      try {
        return await forwardOnce(bearer);
      } finally {
        // The window starts when the answer's head arrived.
        if (slot) await releaseGrant(slot);
      }
    };
    const forwardOnce = (bearer: string): Promise<Response> => {
      const headers = new Headers({ authorization: `bearer ${bearer}`, accept: request.headers.get("accept") ?? "application/json" });
      const language = request.headers.get("accept-language");
      if (language !== null) headers.set("accept-language", language);
      if (plan.body !== undefined) headers.set("content-type", "application/x-www-form-urlencoded");
      // A client that hangs up (the request's signal) aborts the upstream request.
      return forward(plan.url, { method: plan.method, headers }, plan.body, { fetch: upstreamFetch, timeoutMs, signal: request.signal });
    };
    try {
      let upstream = await send(token);
      if (upstream.status === 401 && oauth) {
        await upstream.body?.cancel();
        try {
          ({ token } = await drive<{ token: string; generation: number }>(cyzenWasm, () => oauth.core().renewAfter(generation), tokenContext));
        } catch (error) {
          return tokenFailure(error);
        }
        upstream = await send(token);
      }
      return upstream;
    } catch (error) {
      const code = (error as { code?: string } | null)?.code;
      if (code === "TIMEOUT") return cyzenRefusal(504, "cyzen did not answer in time");
      if (code === "HTTP_STATUS") return cyzenRefusal(502, "cyzen answered with a redirect, which is not followed (check baseUrl)");
      return cyzenRefusal(502, "cyzen could not be reached");
    }
  };
}
