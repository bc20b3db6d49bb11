/**
 * `createSandbox()`: the cyzen + SenseLink emulator in-process, as a `fetch`. The emulator is the
 * same Rust code as the `sandbox` binary (the axum router of `sandbox/`), compiled to WebAssembly;
 * this module turns a standard `Request` into a call of that router and its answer into a
 * standard `Response`. The loaders (`node.ts`, `browser.ts`, `workerd.ts`) instantiate the module
 * first and re-export this one.
 */
import { SandboxCore, type SandboxResponse } from "../cyzen_senselink_sandbox.js";

/** A JSON value as the emulator writes it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object as the emulator writes it. */
export type JsonObject = { [key: string]: JsonValue };

/** The standard `fetch` signature; pass it as the `fetch` option of a client. */
export type FetchFunction = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** One registered cyzen OAuth client. */
export interface CyzenOAuthClient {
  client_id: string;
  /** `null` = public client (PKCE alone). */
  client_secret: string | null;
  redirect_uris: string[];
}

/**
 * cyzen settings, named as `POST /__admin/cyzen/config` names them (sandbox/docs/cyzen.md).
 */
export interface CyzenSettings {
  company_id: string;
  static_tokens: string[];
  clients: CyzenOAuthClient[];
  /** Accept any loopback redirect URI for every client. */
  allow_loopback_redirects: boolean;
  app_token_header: string;
  app_token: string;
  /** `GET /oauth/authorize` redirects with a code at once (no consent page). */
  auto_approve: boolean;
  access_token_ttl_secs: number;
  refresh_token_ttl_secs: number;
  code_ttl_secs: number;
  /** Accepted calls per token in any 1-second window; 0 = unlimited (still counted). */
  rate_limit_per_sec: number;
  /** 503 (today's service) or 429. */
  rate_limit_status: 503 | 429;
  /** `Retry-After` on over-limit answers. */
  retry_after: boolean;
  schedules_500_quirk: boolean;
  /** The next N resource calls answer HTTP 200 with `errors[]`. */
  force_errors_in_200: number;
  legacy_history_cursor: boolean;
  /** End of the seeded timeline, `YYYY-MM-DDThh:mm:ss` UTC (start-up only); `null` = today. */
  anchor: string | null;
}

/** Options of {@link createSandbox}; each mirrors a flag of the `sandbox` binary. */
export interface SandboxOptions {
  /** Seed of every generated datum and id (`--seed`, default 1). */
  seed?: number;
  /** SenseLink product (`--edition`, default `"cloud"`). */
  edition?: "cloud" | "enterprise";
  /** SenseLink Cloud person limit, beyond it adds answer 709 (`--person-limit`, default none). */
  personLimit?: number;
  /** SenseLink app key (default `sandbox-app-key`). */
  appKey?: string;
  /** SenseLink app secret (default `sandbox-app-secret`). */
  appSecret?: string;
  /** SenseLink event subscriber, reached with the host's global `fetch` (`--push-url`). */
  pushUrl?: string;
  /** How long the subscriber may take, in ms (default 5000). */
  pushTimeoutMs?: number;
  /** cyzen settings (`--cyzen-config`), any subset. */
  cyzen?: Partial<CyzenSettings>;
  /**
   * The origin the emulator answers as (default `http://sandbox.invalid`): the base of
   * {@link Sandbox.url} and of the URLs it writes (avatars, OAuth redirects). `fetch` answers any
   * URL it is given; nothing leaves the process.
   */
  url?: string;
}

/** A request as the emulator logged it (`GET /__admin/requests`). */
export interface LoggedRequest {
  id: number;
  received_at_ms: number;
  method: string;
  path: string;
  /** The raw query string. */
  query: string;
  query_params: { name: string; value: string }[];
  /** Header values, repeated ones joined with `, `. */
  headers: Record<string, string>;
  content_type: string | null;
  body_size: number;
  /** `null` while unanswered or when the connection was dropped. */
  status: number | null;
  /** The fault spec applied, if any. */
  fault: string | null;
  body: LoggedBody;
}

/** A multipart part of a logged request (`value` only for text parts, those without a file name). */
export interface LoggedPart {
  name: string | null;
  filename: string | null;
  content_type: string | null;
  size: number;
  sha256: string;
  value?: string | null;
}

/** The structured view of a logged body. */
export type LoggedBody =
  | { kind: "empty" }
  | { kind: "multipart"; parts: LoggedPart[] }
  | { kind: "multipart_invalid"; error: string; parts?: LoggedPart[] }
  | { kind: "form"; fields: { name: string; value: string }[] }
  | { kind: "json"; value: JsonValue }
  | { kind: "invalid_json"; error: string; text: string }
  | { kind: "text"; text: string }
  | { kind: "binary"; sha256: string };

/** Where a queued fault applies (`POST /__admin/faults`). */
export interface FaultRule {
  /** Requests whose path starts with this (default `/`). */
  pathPrefix?: string;
  /** How many matching requests it hits (default 1). */
  count?: number;
  /** Only requests of this method (default any). */
  method?: string;
}

/** A fault still queued. */
export interface QueuedFault {
  path_prefix: string;
  method: string | null;
  remaining: number;
  fault: string;
}

/** The emulator's clock. */
export interface ClockState {
  /** Unix ms as the emulator sees it. */
  now_ms: number;
  /** How far it runs ahead of the host's clock (negative: behind). */
  offset_ms: number;
}

/** The SenseLink event subscription (`GET /__admin/senselink/subscription`). */
export interface Subscription {
  url: string | null;
  status: "normal" | "abnormal";
  timeout_ms: number;
  delivered: number;
  failed: number;
  last_error: string | null;
  last_message_id: string | null;
}

/** What `POST /__admin/senselink/push` reports. */
export interface PushResult {
  result: "delivered" | "failed" | "subscription_abnormal" | "no_subscription";
  sent: boolean;
  messageId?: string;
  http_status?: number | null;
  error?: string | null;
  event?: { eventType: string; messageId: string; sendTime: number; data: JsonValue };
  subscription: Subscription;
}

/** SenseLink settings that can change at run time. */
export interface SenseLinkSettings {
  app_key: string;
  app_secret: string;
  edition: "cloud" | "enterprise";
  /** `null` = unlimited. */
  person_limit: number | null;
  push_timeout_ms: number;
}

/** Call counters of one token. */
export interface CyzenTokenStats {
  accepted: number;
  rejected: number;
  /** The largest number of accepted calls seen inside any 1-second window. */
  max_in_1s: number;
}

/** `GET /__admin/cyzen/stats`. */
export interface CyzenStats extends CyzenTokenStats {
  tokens: Record<string, CyzenTokenStats>;
  unauthorized: { missing: number; invalid: number; expired: number };
  token_endpoint: Record<"authorization_code" | "refresh_token" | "other", { calls: number; ok: number }>;
  authorize: { approved: number; denied: number };
}

/** The token endpoint's success body (`POST /__admin/cyzen/tokens`). */
export interface CyzenTokenPair {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  refresh_token: string;
  scope?: string;
}

/** The emulator's faults: the same specs as the `x-sandbox-fault` header and `/__admin/faults`. */
export interface SandboxFaults {
  /** The request header that applies a fault to one request (e.g. `"status=503;retry-after=2"`). */
  readonly header: "x-sandbox-fault";
  /**
   * Queues `fault` for the next matching requests. Spec items, combined with `,` or `;`:
   * `latency=MS`, `status=NNN`, `retry-after=S`, `retry-after-date[=S]`, `malformed-json`, `html`,
   * `truncate` (the body fails mid-way), `drop` (no answer: `fetch` rejects with a `TypeError`),
   * `drop-after` (the handler runs, then no answer: a write whose outcome is unknown),
   * `huge=BYTES`, `declared`, `in-message`, `hostile-headers`. An unknown item rejects.
   */
  add(fault: string, rule?: FaultRule): Promise<QueuedFault[]>;
  /** What is still queued. */
  list(): Promise<QueuedFault[]>;
  /** Forgets every queued fault. */
  clear(): Promise<void>;
}

/** The emulator's clock (`/__admin/clock`): SenseLink's time and cyzen's expiries and windows. */
export interface SandboxClock {
  /** The clock now. */
  get(): Promise<ClockState>;
  /** Sets the offset from the host's clock (0 = real time). */
  set(offsetMs: number): Promise<ClockState>;
  /**
   * Moves the clock forward by `ms` (cyzen tokens expire, rate-limit windows empty). SenseLink
   * then sees the client's signature timestamps as that much older: beyond 30 min it answers
   * 40002, as a server with a skewed clock would.
   */
  advance(ms: number): Promise<ClockState>;
}

/** The request log (`/__admin/requests`). */
export interface SandboxRequests {
  /** Logged requests whose path starts with `pathPrefix`, oldest first. */
  list(pathPrefix?: string): Promise<LoggedRequest[]>;
  /** The newest logged request under `pathPrefix`, if any. */
  last(pathPrefix?: string): Promise<LoggedRequest | undefined>;
  /** Forgets every entry. */
  clear(): Promise<void>;
}

/** SenseLink credentials and hooks (`/__admin/senselink/...`). */
export interface SandboxSenseLink {
  /** The `baseUrl` of a `SenseLinkClient`. */
  readonly baseUrl: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly edition: "cloud" | "enterprise";
  /** Reads the settings, or changes some of them first. */
  config(change?: Partial<Omit<SenseLinkSettings, "push_timeout_ms">>): Promise<SenseLinkSettings>;
  /** The event subscription. */
  subscription(): Promise<Subscription>;
  /** Sets the subscriber (`null`: none) and re-enables it. */
  subscribe(url: string | null, timeoutMs?: number): Promise<Subscription>;
  /** Pushes one event now: `"30000"` recognition (default data: a new record), `"30100"` device alert. */
  push(eventType?: "30000" | "30100", data?: JsonObject): Promise<PushResult>;
  /** The exact bytes of a person's photo (upload them again: "the same face"). */
  photo(personId: number): Promise<Uint8Array>;
  /** Counts, groups, departments and sample ids of the tenant. */
  summary(): Promise<JsonObject>;
}

/** cyzen OAuth credentials of the emulator. */
export interface SandboxCyzenOAuth {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  /** The confidential client (`sandbox-client`). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The public client (PKCE only, `sandbox-public-client`). */
  readonly publicClientId: string;
  /** A registered redirect URI (loopback callbacks are accepted too). */
  readonly redirectUri: string;
  readonly appToken: string;
  readonly appTokenHeader: string;
}

/** cyzen credentials and hooks (`/__admin/cyzen/...`). */
export interface SandboxCyzen {
  /** The `baseUrl` of a `CyzenClient`. */
  readonly baseUrl: string;
  readonly companyId: string;
  /** A static token (never expires). */
  readonly staticToken: string;
  readonly oauth: SandboxCyzenOAuth;
  /** Reads the settings, or changes some of them first (`anchor` only at start-up). */
  config(change?: Partial<Omit<CyzenSettings, "anchor">>): Promise<CyzenSettings>;
  /** Call, rate-limit and token-endpoint counters. */
  stats(): Promise<CyzenStats>;
  /** Resets the counters and rate-limit windows. */
  resetStats(): Promise<void>;
  /** Expires one access or refresh token now, or every OAuth access token (`{ all: true }`). */
  expire(which: { access_token: string } | { refresh_token: string } | { all: true }): Promise<{ expired: number }>;
  /** Issues an access + refresh pair without the browser flow. */
  mintToken(options?: { client_id?: string; ttl_secs?: number; scope?: string }): Promise<CyzenTokenPair>;
  /** Seeded counts, time ranges, ids and the path table. */
  info(): Promise<JsonObject>;
}

/** One in-process emulator of cyzen and SenseLink. */
export interface Sandbox {
  /**
   * Answers a request like the `sandbox` server would: a standard `Request` in, a standard
   * `Response` out, no port. A dropped connection (`drop`, `drop-after`) rejects with a
   * `TypeError`, as a browser's `fetch` does; an aborted signal rejects with its reason.
   * Same-origin redirects are followed (`redirect: "follow"`); others are answered as they are.
   */
  readonly fetch: FetchFunction;
  /** The origin it answers as, e.g. `http://sandbox.invalid`. */
  readonly url: string;
  readonly senselink: SandboxSenseLink;
  readonly cyzen: SandboxCyzen;
  readonly faults: SandboxFaults;
  readonly clock: SandboxClock;
  readonly requests: SandboxRequests;
  /** Seeded data, start-up settings, clock, request log and faults back to the start. */
  reset(): Promise<void>;
  /** Calls an `/__admin/...` hook directly (`path` starts with `/__admin/`). */
  admin(path: string, init?: { method?: string; body?: JsonValue }): Promise<JsonValue>;
  /** Frees the emulator; later calls reject. */
  close(): void;
}

const DEFAULT_URL = "http://sandbox.invalid";

/**
 * Resolves in a later task of the event loop. An answer over a network arrives in its own task,
 * never in the microtasks of the code that sent the request; the emulator answers within
 * microtasks, so each answer waits for one task boundary first. Code that races answers with an
 * abort or a timer then sees the orderings it meets against a server (measured: an import of 300
 * rows, 4 at a time, aborted when its 150th create answered, recorded 151 creates without this
 * boundary and 149 with it; the e2e check expects 146–149, as against the binary).
 * `setImmediate` in Node and Bun; a `MessageChannel` message elsewhere.
 */
const nextTask: () => Promise<void> = (() => {
  const host = globalThis as { setImmediate?: (callback: () => void) => unknown };
  if (typeof host.setImmediate === "function") {
    const setImmediate = host.setImmediate;
    return () => new Promise<void>((resolve) => void setImmediate(resolve));
  }
  if (typeof MessageChannel === "function") {
    // One channel per wait: workerd ties such objects to the request that made them.
    return () =>
      new Promise<void>((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          channel.port1.close();
          resolve();
        };
        channel.port2.postMessage(0);
      });
  }
  return () => new Promise<void>((resolve) => setTimeout(resolve, 0));
})();
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const EMPTY = new Uint8Array(0);

/** What a dropped connection looks like to the caller: Node's and browsers' `fetch` reject so. */
function networkError(message: string): TypeError {
  return new TypeError("fetch failed", { cause: new Error(message) });
}

function optionError(message: string): TypeError {
  return new TypeError(`createSandbox: ${message}`);
}

function optionArgs(options: SandboxOptions): string[] {
  const args: string[] = [];
  const add = (flag: string, value: string | number | undefined, check: (v: string | number) => boolean, what: string) => {
    if (value === undefined) return;
    if (!check(value)) throw optionError(`option ${flag} must be ${what}, got ${JSON.stringify(value)}`);
    args.push(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}=${value}`);
  };
  const count = (v: string | number) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  const text = (v: string | number) => typeof v === "string" && v !== "";
  add("seed", options.seed, count, "a non-negative integer");
  add("edition", options.edition, (v) => v === "cloud" || v === "enterprise", '"cloud" or "enterprise"');
  add("personLimit", options.personLimit, count, "a non-negative integer");
  add("appKey", options.appKey, text, "a non-empty string");
  add("appSecret", options.appSecret, text, "a non-empty string");
  add("pushUrl", options.pushUrl, (v) => typeof v === "string" && /^https?:\/\//.test(v), "an http(s) URL");
  add("pushTimeoutMs", options.pushTimeoutMs, (v) => count(v) && v !== 0, "a positive integer");
  if (options.cyzen !== undefined) {
    if (typeof options.cyzen !== "object" || options.cyzen === null) throw optionError("option cyzen must be an object");
    args.push(`--cyzen-config=${JSON.stringify(options.cyzen)}`);
  }
  return args;
}

function originOf(url: string | undefined): string {
  let parsed: URL;
  try {
    parsed = new URL(url ?? DEFAULT_URL);
  } catch {
    throw optionError(`option url must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw optionError(`option url must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  return parsed.origin;
}

/**
 * Starts an emulator in this process. Every sandbox is independent (its own data, clock, log and
 * faults); `seed` fixes the generated data and ids.
 *
 * ```ts
 * const sandbox = createSandbox();
 * const client = new SenseLinkClient({ baseUrl: sandbox.senselink.baseUrl, appKey: sandbox.senselink.appKey,
 *   appSecret: sandbox.senselink.appSecret, fetch: sandbox.fetch });
 * ```
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  if (typeof options !== "object" || options === null) throw optionError("options must be an object");
  return fromCore(construct(optionArgs(options), [], (m) => `createSandbox: ${m}`), originOf(options.url));
}

/**
 * Starts an emulator from the `sandbox` binary's flags and `SANDBOX_*` environment variables
 * (what the `cyzen-senselink-sandbox` command and the Worker module use). Throws a `TypeError` for
 * a bad option; `--help` throws an `Error` named `SandboxHelp` whose message is the usage text.
 */
export function createSandboxFromArgs(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}, url?: string): Sandbox {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith("SANDBOX_") && typeof value === "string") pairs.push(name, value);
  }
  return fromCore(construct([...args], pairs, (m) => m), originOf(url));
}

/** The port and address the flags ask for (`--port`, `--host`), for a server front-end. */
export function listenAddress(sandbox: Sandbox): { host: string; port: number } {
  const core = cores.get(sandbox);
  if (core === undefined || core.closed) throw new TypeError("not an open sandbox");
  return { host: core.core.host, port: core.core.port };
}

/** The lines the `sandbox` binary prints once listening at `baseUrl` (first: `sandbox listening on …`). */
export function banner(sandbox: Sandbox, baseUrl: string): string {
  const core = cores.get(sandbox);
  if (core === undefined || core.closed) throw new TypeError("not an open sandbox");
  return core.core.banner(baseUrl);
}

function construct(args: string[], env: string[], describe: (message: string) => string): SandboxCore {
  try {
    return new SandboxCore(args, env);
  } catch (error) {
    if (error instanceof Error && error.name === "SandboxOptionError") throw new TypeError(describe(error.message));
    throw error;
  }
}

interface CoreState {
  core: SandboxCore;
  closed: boolean;
}

const cores = new WeakMap<Sandbox, CoreState>();

interface StartSettings {
  seed: number;
  senselink: { app_key: string; app_secret: string; edition: "cloud" | "enterprise" };
  cyzen: CyzenSettings;
}

function fromCore(core: SandboxCore, origin: string): Sandbox {
  const state: CoreState = { core, closed: false };
  const settings = JSON.parse(core.settings()) as StartSettings;

  /** One exchange with the router: no redirects followed. */
  const once = async (method: string, url: string, headers: string[], body: Uint8Array, signal: AbortSignal): Promise<Response> => {
    if (state.closed) throw networkError("the sandbox is closed");
    signal.throwIfAborted();
    let onAbort: (() => void) | undefined;
    const cancel = new Promise<void>((resolve) => {
      onAbort = () => resolve();
      signal.addEventListener("abort", onAbort, { once: true });
    });
    let answer: SandboxResponse;
    try {
      answer = (await state.core.handle(method, url, headers, body, cancel)) as SandboxResponse;
      await nextTask();
    } finally {
      if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
    }
    // Aborted while the answer was on its way: `fetch` rejects, as it does before the response.
    if (answer.cancelled || signal.aborted) {
      answer.free();
      throw signal.reason;
    }
    if (answer.dropped) {
      answer.free();
      throw networkError("the sandbox closed the connection without an answer (fault drop or drop-after)");
    }
    return toResponse(answer, url);
  };

  const sandboxFetch: FetchFunction = async (input, init) => {
    const request = new Request(input, init);
    const signal = request.signal;
    signal.throwIfAborted();
    let body = request.body === null ? EMPTY : new Uint8Array(await request.arrayBuffer());
    let method = request.method;
    let url = request.url;
    const start = new URL(url).origin;
    const headers: string[] = [];
    request.headers.forEach((value, name) => headers.push(name, value));
    for (let hops = 0; ; hops += 1) {
      // What a client writes on the wire and a `Request` object leaves out (the host comes from the URL).
      const sent = body.length > 0 && !request.headers.has("content-length") ? [...headers, "content-length", String(body.length)] : headers;
      const response = await once(method, url, sent, body, signal);
      const location = response.headers.get("location");
      if (request.redirect === "manual" || !REDIRECT_STATUSES.has(response.status) || location === null) return response;
      const next = new URL(location, url);
      // Only the emulator's own origin is followed: nothing leaves the process.
      if (next.origin !== start) return response;
      if (request.redirect === "error") throw networkError(`redirected to ${next.href} (redirect: "error")`);
      if (hops >= 20) throw networkError("too many redirects");
      await response.body?.cancel();
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = method === "HEAD" ? "HEAD" : "GET";
        body = EMPTY;
        for (let i = headers.length - 2; i >= 0; i -= 2) {
          if (["content-type", "content-length", "content-encoding", "content-language", "content-location"].includes(headers[i] as string)) headers.splice(i, 2);
        }
      }
      url = next.href;
    }
  };

  /** An `/__admin/...` call: JSON in (when `body` is given), JSON out; a non-2xx answer throws. */
  const call = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    if (!path.startsWith("/__admin/")) throw new TypeError(`admin: the path must start with /__admin/, got ${JSON.stringify(path)}`);
    const method = init.method ?? (init.body === undefined ? "GET" : "POST");
    const response = await sandboxFetch(`${origin}${path}`, {
      method,
      ...(init.body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox ${method} ${path}: HTTP ${response.status} ${text}`);
    return (text === "" ? null : JSON.parse(text)) as T;
  };
  const admin = (path: string, init?: { method?: string; body?: JsonValue }): Promise<JsonValue> => call<JsonValue>(path, init);

  const requests: SandboxRequests = {
    list: (pathPrefix = "") => call<LoggedRequest[]>(`/__admin/requests?path_prefix=${encodeURIComponent(pathPrefix)}`),
    last: async (pathPrefix = "") => (await requests.list(pathPrefix)).at(-1),
    clear: async () => void (await call("/__admin/requests", { method: "DELETE" })),
  };

  const faults: SandboxFaults = {
    header: "x-sandbox-fault",
    add: async (fault, rule = {}) => {
      const body: JsonObject = { fault, path_prefix: rule.pathPrefix ?? "/", count: rule.count ?? 1 };
      if (rule.method !== undefined) body.method = rule.method;
      return (await call<{ queued: QueuedFault[] }>("/__admin/faults", { body })).queued;
    },
    list: async () => (await call<{ queued: QueuedFault[] }>("/__admin/faults")).queued,
    clear: async () => void (await call("/__admin/faults", { method: "DELETE" })),
  };

  const clock: SandboxClock = {
    get: () => call<ClockState>("/__admin/clock"),
    set: (offsetMs) => call<ClockState>("/__admin/clock", { body: { offset_ms: Math.trunc(offsetMs) } }),
    advance: async (ms) => clock.set((await clock.get()).offset_ms + Math.trunc(ms)),
  };

  const cyzenClient = settings.cyzen.clients.find((c) => c.client_secret !== null);
  const publicClient = settings.cyzen.clients.find((c) => c.client_secret === null);
  const senselink: SandboxSenseLink = {
    baseUrl: origin,
    appKey: settings.senselink.app_key,
    appSecret: settings.senselink.app_secret,
    edition: settings.senselink.edition,
    config: (change) => call<SenseLinkSettings>("/__admin/senselink/config", change === undefined ? {} : { body: change }),
    subscription: () => call<Subscription>("/__admin/senselink/subscription"),
    subscribe: (url, timeoutMs) =>
      call<Subscription>("/__admin/senselink/subscription", { body: timeoutMs === undefined ? { url } : { url, timeout_ms: timeoutMs } }),
    push: (eventType = "30000", data) =>
      call<PushResult>("/__admin/senselink/push", { body: data === undefined ? { eventType } : { eventType, data } }),
    photo: async (personId) => {
      const response = await sandboxFetch(`${origin}/__admin/senselink/photo/${encodeURIComponent(String(personId))}`);
      if (!response.ok) throw new Error(`sandbox photo of ${personId}: HTTP ${response.status} ${await response.text()}`);
      return new Uint8Array(await response.arrayBuffer());
    },
    summary: () => call<JsonObject>("/__admin/senselink/summary"),
  };

  const cyzen: SandboxCyzen = {
    baseUrl: `${origin}/webapi/v0`,
    companyId: settings.cyzen.company_id,
    staticToken: settings.cyzen.static_tokens[0] ?? "",
    oauth: {
      authorizeUrl: `${origin}/oauth/authorize`,
      tokenUrl: `${origin}/oauth/token`,
      clientId: cyzenClient?.client_id ?? "",
      clientSecret: cyzenClient?.client_secret ?? "",
      publicClientId: publicClient?.client_id ?? "",
      redirectUri: cyzenClient?.redirect_uris[0] ?? `${origin}/callback`,
      appToken: settings.cyzen.app_token,
      appTokenHeader: settings.cyzen.app_token_header,
    },
    config: (change) => call<CyzenSettings>("/__admin/cyzen/config", change === undefined ? {} : { body: change }),
    stats: () => call<CyzenStats>("/__admin/cyzen/stats"),
    resetStats: async () => void (await call("/__admin/cyzen/stats", { method: "DELETE" })),
    expire: (which) => call<{ expired: number }>("/__admin/cyzen/expire", { body: which }),
    mintToken: (options = {}) => call<CyzenTokenPair>("/__admin/cyzen/tokens", { body: options }),
    info: () => call<JsonObject>("/__admin/cyzen/info"),
  };

  const sandbox: Sandbox = {
    fetch: sandboxFetch,
    url: origin,
    senselink,
    cyzen,
    faults,
    clock,
    requests,
    reset: async () => void (await call("/__admin/reset", { method: "POST" })),
    admin,
    close: () => {
      if (state.closed) return;
      state.closed = true;
      state.core.free();
    },
  };
  cores.set(sandbox, state);
  return sandbox;
}

/** The status line's reason phrase, as a server writes it (`Response.statusText`). */
const REASONS: Record<number, string> = {
  200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently", 302: "Found",
  303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity",
  429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
  503: "Service Unavailable", 504: "Gateway Timeout",
};

function toResponse(answer: SandboxResponse, url: string): Response {
  const status = answer.status;
  const headers = new Headers();
  const pairs = answer.headers;
  for (let i = 0; i + 1 < pairs.length; i += 2) headers.append(pairs[i] as string, pairs[i + 1] as string);
  // What the native server (hyper) adds to every answer: the host's wall clock, not the test offset.
  if (!headers.has("date")) headers.set("date", new Date().toUTCString());
  const head = answer.takeHead();
  const error = answer.error;
  let body: BodyInit | null;
  if (NULL_BODY_STATUSES.has(status)) {
    answer.cancel();
    answer.free();
    body = null;
  } else if (!answer.hasMore && error === undefined) {
    answer.free();
    body = head as Uint8Array<ArrayBuffer>;
  } else {
    let freed = false;
    const release = () => {
      if (!freed) {
        freed = true;
        answer.free();
      }
    };
    // What Node's fetch gives when a server stops mid-body.
    const terminated = (reason: unknown) => new TypeError("terminated", { cause: new Error(String(reason)) });
    body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (head.length > 0) controller.enqueue(head);
        if (error !== undefined) {
          controller.error(terminated(error));
          release();
        }
      },
      async pull(controller) {
        try {
          const chunk = (await answer.next()) as Uint8Array | undefined;
          if (chunk === undefined) {
            controller.close();
            release();
          } else {
            controller.enqueue(chunk);
          }
        } catch (reason) {
          controller.error(terminated(reason));
          release();
        }
      },
      cancel() {
        if (!freed) answer.cancel();
        release();
      },
    });
  }
  const response = new Response(body, { status, statusText: REASONS[status] ?? "", headers });
  Object.defineProperty(response, "url", { value: url });
  return response;
}
