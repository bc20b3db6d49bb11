/**
 * Internal helpers shared by the two proxies (not re-exported by the package): the options every
 * proxy takes to stay closed by default (`authorize` or `unsafelyAllowAnyCaller`,
 * `allowedOrigins`, `maxBodyBytes`), the cross-site check, the refusal headers and the request
 * body counted against its limit.
 * @internal
 */
import { invalidInput } from "./errors.js";
import { readLimited } from "./transport.js";

/** A proxy's `authorize` hook: `true` lets the request through, a `Response` is sent as it is. */
export type AuthorizeHook = (request: Request) => boolean | Response | Promise<boolean | Response>;

/** A proxy that checks its callers (the default, and the only safe choice for most deployments). */
export interface ProxyWithCallerCheck {
  /**
   * **Required** (unless `unsafelyAllowAnyCaller: true`): decides who may use the proxy, after the
   * cross-site check and before anything else. Return `true` to let the request through, `false`
   * (or throw) to refuse it with 401, or a `Response` to answer with it as is. Check a session, or
   * verify the Cloudflare Access JWT; a header such as `cf-access-authenticated-user-email` alone
   * proves nothing when the Worker can be reached other than through Access.
   */
  readonly authorize: AuthorizeHook;
  /** Not with `authorize`. */
  readonly unsafelyAllowAnyCaller?: false;
}

/** A proxy open to anyone who can reach it (say so explicitly). */
export interface ProxyOpenToAnyCaller {
  /** Not with `unsafelyAllowAnyCaller`. */
  readonly authorize?: undefined;
  /**
   * `true` runs the proxy **without** `authorize`: anyone who can reach its URL acts with its
   * credentials (SenseLink's app secret, the cyzen token). Only for a deliberately public
   * deployment, or one that nothing can reach except through your own authentication in front of
   * it. It cannot be combined with `authorize`. The cross-site check still applies.
   */
  readonly unsafelyAllowAnyCaller: true;
}

/** Where a proxy is served, and which browser origins may call it. */
export interface ProxyOriginOptions {
  /**
   * The public origin the proxy is served at — the page's own (`"https://admin.example.com"`), or
   * several. A request whose URL is at another origin is refused with 403 before `authorize` runs:
   * the URL's host comes from the `Host` header, which a DNS-rebinding page sets to a name of its
   * own (and sends a matching `Origin`). Default: the request URL's own origin counts only when
   * its host is an IP address or `localhost`/`*.localhost`, which no rebinding can use; on any
   * other host, browser requests (those with `Origin` or `Sec-Fetch-Site`) are refused until this
   * is set. Requests without either header (servers, `curl`) are not checked against it.
   */
  readonly origin?: string | readonly string[];
  /**
   * Origins (`"https://admin.example"`: scheme, host and port, no path, no trailing `/`) whose pages
   * may call the proxy from another site. By default a browser request from another origin is
   * refused with 403 before `authorize` runs: `Sec-Fetch-Site: cross-site` or `same-site`, or an
   * `Origin` header that is not the proxy's own (see `origin`). A request whose `Origin` is listed
   * here passes the check (exact match). Requests that are not reads must still carry
   * `X-Requested-With` (a CORS wrapper must allow that header).
   */
  readonly allowedOrigins?: readonly string[];
}

/**
 * The options of {@link createSenseLinkProxy} and {@link createCyzenProxy} that decide who may call:
 * `authorize` (required), or `unsafelyAllowAnyCaller: true`; `origin` and `allowedOrigins`.
 */
export type ProxyAccessOptions = (ProxyWithCallerCheck | ProxyOpenToAnyCaller) & ProxyOriginOptions;

/** The checked access options of one proxy. */
export interface ProxyAccess {
  readonly authorize: AuthorizeHook | undefined;
  /** The proxy's own origins (`origin`); empty: the request URL's, on rebinding-proof hosts only. */
  readonly origins: ReadonlySet<string>;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly maxBodyBytes: number;
}

/** A proxy's answer to a refused request: its own JSON shape for `status` and `message`. */
export type Refuse = (status: number, message: string) => Response;

/** The listed origins as a set; `INVALID_INPUT` naming `field[i]` for one that is not an origin. */
function originList(value: unknown, field: string, single: boolean): Set<string> {
  const origins = new Set<string>();
  if (value === undefined || value === null) return origins;
  if (single && typeof value === "string") value = [value];
  if (!Array.isArray(value)) throw invalidInput(field, single ? "must be an origin or an array of origins" : "must be an array of origins");
  value.forEach((origin: unknown, i) => {
    if (typeof origin !== "string" || originOf(origin) !== origin) {
      throw invalidInput(`${field}[${i}]`, "must be an origin such as \"https://admin.example\" (scheme, host, port; no path, no trailing /)");
    }
    origins.add(origin);
  });
  return origins;
}

/**
 * Checks `authorize`, `unsafelyAllowAnyCaller`, `origin`, `allowedOrigins` and `maxBodyBytes`
 * (default `defaultMaxBodyBytes`); `INVALID_INPUT` naming the option at fault.
 */
export function proxyAccess(options: Record<string, unknown>, defaultMaxBodyBytes: number): ProxyAccess {
  const { authorize, unsafelyAllowAnyCaller: open, origin, allowedOrigins, maxBodyBytes } = options;
  if (open !== undefined && typeof open !== "boolean") throw invalidInput("unsafelyAllowAnyCaller", "must be true or false");
  if (authorize !== undefined && authorize !== null) {
    if (typeof authorize !== "function") throw invalidInput("authorize", "must be a function of the request");
    if (open === true) throw invalidInput("unsafelyAllowAnyCaller", "cannot be combined with authorize: pass one of them");
  } else if (open !== true) {
    throw invalidInput(
      "authorize",
      "is required. Pass a function of the request that checks the caller (a session, a verified Cloudflare Access JWT…) " +
        "and returns true, false or a Response; only a proxy meant for anyone may set unsafelyAllowAnyCaller: true instead",
    );
  }
  const origins = originList(origin, "origin", true);
  const allowed = originList(allowedOrigins, "allowedOrigins", false);
  if (maxBodyBytes !== undefined && (typeof maxBodyBytes !== "number" || !Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1)) {
    throw invalidInput("maxBodyBytes", "must be a positive integer");
  }
  return {
    authorize: typeof authorize === "function" ? (authorize as AuthorizeHook) : undefined,
    origins,
    allowedOrigins: allowed,
    maxBodyBytes: maxBodyBytes ?? defaultMaxBodyBytes,
  };
}

/** The serialised origin of an absolute URL, `undefined` for anything else (`"null"` included). */
function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a host cannot be a DNS-rebinding name: an IP address, or `localhost`/`*.localhost` (which
 * browsers resolve themselves). A browser sends `Host: <the page's host>`, so a request with such a
 * `Host` comes from a page served at that very address.
 */
function rebindingProof(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host === "localhost" || host.endsWith(".localhost");
}

/** The header the package's clients send in proxy mode; required on every request but reads. */
const PROXY_REQUEST_HEADER = "x-requested-with";

/**
 * Why `request` is refused before `authorize`, or `undefined` when it may go on:
 * - the proxy's own origins are `access.origins`, or (none configured) the request URL's origin
 *   when its host is {@link rebindingProof}; with origins configured, a request whose URL is at
 *   another origin is refused, and without, a browser request (`Origin` or `Sec-Fetch-Site`) to
 *   a host that is not rebinding-proof is (DNS rebinding sets `Host` and `Origin` to its own name);
 * - an `Origin` listed in `allowedOrigins` or among the own origins passes the cross-site check;
 *   otherwise any `Sec-Fetch-Site` but `same-origin`/`none`, or any other `Origin`, is refused;
 * - `write` (anything but the client's reads) needs a non-empty `X-Requested-With`, which a plain
 *   cross-site request (a link, an `<img>`, a form) cannot carry.
 */
export function crossSiteRefusal(request: Request, access: Pick<ProxyAccess, "origins" | "allowedOrigins">, write = false): string | undefined {
  const headers = request.headers;
  const origin = headers.get("origin");
  const site = headers.get("sec-fetch-site")?.trim().toLowerCase();
  const self = originOf(request.url);
  const configured = access.origins.size > 0;
  const own = (candidate: string | null | undefined) =>
    candidate != null && (configured ? access.origins.has(candidate) : candidate === self && rebindingProof(candidate));
  const browser = origin !== null || site !== undefined;
  if ((configured || browser) && !own(self) && !(origin !== null && access.allowedOrigins.has(origin))) {
    return configured
      ? "this proxy is not served at the request's host (the Host header): list its public origin in the proxy's origin option"
      : "a browser request to a host name is refused unless the proxy's origin option lists it (DNS rebinding sets Host and Origin to a name of its own)";
  }
  if (origin === null || !(access.allowedOrigins.has(origin) || own(origin))) {
    if (site !== undefined && site !== "same-origin" && site !== "none") {
      return "a request from another site is refused (Sec-Fetch-Site); list the calling page's origin in allowedOrigins to admit it";
    }
    if (origin !== null) return "a request from another origin is refused (Origin); list that origin in allowedOrigins to admit it";
  }
  if (write && !headers.get(PROXY_REQUEST_HEADER)) {
    return "a request that is not a read must carry the X-Requested-With header (the package's clients send it); a link, an <img> or a form from another site cannot";
  }
  return undefined;
}

/**
 * Runs the checks before `authorize` (403: {@link crossSiteRefusal}; `write` for anything but the
 * client's reads), then `authorize` (401 for `false` or a throw, so a buggy check never lets a
 * request through; a `Response` it returns is sent as it is). `undefined` when the request may go
 * on, else the answer.
 */
export async function admit(access: ProxyAccess, request: Request, refuse: Refuse, write = false): Promise<Response | undefined> {
  const crossSite = crossSiteRefusal(request, access, write);
  if (crossSite !== undefined) return refuse(403, crossSite);
  if (!access.authorize) return undefined;
  let verdict: boolean | Response;
  try {
    verdict = await access.authorize(request);
  } catch {
    verdict = false;
  }
  if (verdict instanceof Response) return verdict;
  return verdict === true ? undefined : refuse(401, "this proxy's authorize() refused the request");
}

/** A JSON refusal with the headers every proxy answer carries (`nosniff`, `no-store`). */
export function jsonRefusal(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" },
  });
}

/** The 413 message for a body over `limit`. */
export function tooLargeMessage(limit: number): string {
  return `the request body is larger than this proxy accepts (maxBodyBytes ${limit})`;
}

/** Browser pages can stream request bodies over HTTP/2 only; Workers, Node and Deno always can. */
const STREAM_BODIES = typeof (globalThis as { document?: unknown }).document === "undefined";

/** A request body on its way upstream, counted against the proxy's limit. */
export interface CountedBody {
  /** What to send: the counted stream, or the counted bytes as a `Blob`. */
  readonly body: ReadableStream<Uint8Array> | Blob | undefined;
  /** Aborts when the stream passes the limit, or when the incoming request's own signal fires
   * (a client that hung up): pass it to the upstream request. */
  readonly signal: AbortSignal;
  /** Whether the stream passed the limit (the upstream request was then aborted). */
  over(): boolean;
}

function declaresTooMuch(request: Request, limit: number): boolean {
  return Number(request.headers.get("content-length")) > limit;
}

/**
 * Reads a request body of at most `limit` bytes: `"too-large"` for a declared `Content-Length`
 * above it (nothing is read) or as soon as the bytes read pass it (reading stops there).
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array[] | "too-large"> {
  if (declaresTooMuch(request, limit)) {
    await request.body?.cancel().catch(() => undefined);
    return "too-large";
  }
  try {
    return await readLimited(new Response(request.body), limit, "the caller", 0);
  } catch (error) {
    if ((error as { code?: string } | null)?.code === "RESPONSE_TOO_LARGE") return "too-large";
    throw error;
  }
}

/**
 * The body of `request` for the upstream request, counted against `limit`: `"too-large"` for a
 * declared `Content-Length` above it; else, where the runtime streams request bodies, a stream
 * that errors (and aborts `signal`) at the first chunk past the limit, and in browser pages the
 * counted bytes as a `Blob`.
 */
export async function countedBody(request: Request, limit: number): Promise<CountedBody | "too-large"> {
  const controller = new AbortController();
  const caller = request.signal as AbortSignal | undefined;
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener("abort", () => controller.abort(caller.reason), { once: true });
  let over = false;
  const counted = { signal: controller.signal, over: () => over };
  if (request.body === null) return { ...counted, body: undefined };
  if (!STREAM_BODIES) {
    const chunks = await readBody(request, limit);
    if (chunks === "too-large") return chunks;
    return { ...counted, body: new Blob(chunks as BlobPart[]) };
  }
  if (declaresTooMuch(request, limit)) {
    await request.body.cancel().catch(() => undefined);
    return "too-large";
  }
  let total = 0;
  const body = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, stream) {
        total += chunk.byteLength;
        if (total <= limit) {
          stream.enqueue(chunk);
          return;
        }
        over = true;
        const error = new Error(tooLargeMessage(limit));
        stream.error(error);
        controller.abort(error);
      },
    }),
  );
  return { ...counted, body };
}
