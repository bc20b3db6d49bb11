/**
 * Observability: hooks the clients call around each request, retry and rate-limit wait, and the
 * context every error of a call carries. What the hooks and errors receive is redacted: URLs with
 * credential-like query values masked (`sign`, tokens, secrets, codes), and no headers or bodies at
 * all — so no signature, app secret, bearer token, refresh token or cookie can reach a log.
 */

/** A request about to be sent. */
export interface RequestEvent {
  /** The call (`persons.list`, `spots.create`, `oauth.refresh`…). */
  readonly operation: string;
  /** `GET`, `POST`, `PUT` or `DELETE`. */
  readonly method: string;
  /** The URL with credential-like query values replaced by `[redacted]`. */
  readonly url: string;
  /** 1 for the first request of the call, 2 for the next (a retry, a refresh, the retried call)… */
  readonly attempt: number;
  /** Whether this is a request to the OAuth token endpoint (a refresh during the call). */
  readonly token: boolean;
}

/** An answer received. */
export interface ResponseEvent extends RequestEvent {
  /** The HTTP status (0 for a redirect, which is never followed). */
  readonly status: number;
  /** Milliseconds from sending to the answer being read. */
  readonly durationMs: number;
  /** The server's request id (`x-request-id`, `cf-ray`…), when it sent one. */
  readonly requestId: string | null;
}

/** A retry about to wait. */
export interface RetryEvent {
  /** The call. */
  readonly operation: string;
  /** The method and redacted URL of the request that failed. */
  readonly method: string;
  /** The redacted URL of the request that failed. */
  readonly url: string;
  /** Which retry this wait precedes (1 for the first). */
  readonly retry: number;
  /** How long the call waits before retrying, in milliseconds. */
  readonly waitMs: number;
  /** Why: the HTTP status that is retried, or `"network"` (no answer). */
  readonly reason: number | "network";
}

/** A wait caused by a rate limit. */
export interface RateLimitEvent {
  /** The call. */
  readonly operation: string;
  /** How long the call waits, in milliseconds. */
  readonly waitMs: number;
  /** `"client"`: the client's own pacing (5 calls/s per cyzen token); `"server"`: the server refused (503/429). */
  readonly source: "client" | "server";
  /** The server's status, for `source: "server"`. */
  readonly status?: number;
}

/** The coordinator (`CyzenCoordinator`) could not be reached: a local fallback decided instead. */
export interface FallbackEvent {
  /** The call. */
  readonly operation: string;
  /** What was decided locally: a pacing slot (at the fallback's share of the rate) or the refresh lock. */
  readonly what: "pacing" | "refresh lock";
  /** Why the coordinator was not used (its failure, or a recent one). */
  readonly reason: string;
}

/** Where `log` writes: `console` fits. */
export interface HookLogger {
  /** Each request and answer. */
  debug(message: string, event: RequestEvent | ResponseEvent | RateLimitEvent): void;
  /** Retries, server rate limits and coordinator fallbacks. */
  warn(message: string, event: RetryEvent | RateLimitEvent | FallbackEvent): void;
}

/**
 * Hooks of a client (`SenseLinkClient`, `CyzenClient`, `CyzenOAuth`). They are called
 * synchronously; what they throw is ignored (and reported to `log.warn`).
 * @example
 * new CyzenClient({ companyId, auth, log: console,
 *   onRetry: (e) => metrics.increment("cyzen.retry", { status: String(e.reason) }) });
 */
export interface ClientHooks {
  /** Before each request (also token refreshes and retries). */
  readonly onRequest?: (event: RequestEvent) => void;
  /** After each answer is read (any status). */
  readonly onResponse?: (event: ResponseEvent) => void;
  /** Before each retry's wait. */
  readonly onRetry?: (event: RetryEvent) => void;
  /** Before each wait caused by a rate limit (the client's pacing, or the server's 503/429). */
  readonly onRateLimit?: (event: RateLimitEvent) => void;
  /** When a coordinator could not be reached and its local fallback decided (cyzen clients with `coordinator`). */
  readonly onFallback?: (event: FallbackEvent) => void;
  /** A logger for one line per request, answer, retry and rate-limit wait (e.g. `console`). */
  readonly log?: HookLogger;
}

/** Query parameters whose values never appear in hooks, logs or errors (nor in a `cause`). @internal */
export const SENSITIVE = /sign|token|secret|password|passwd|code|verifier|key|auth|session|cookie/i;

/** `url` with the values of credential-like query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const query = url.indexOf("?");
  if (query < 0) return url;
  const hash = url.indexOf("#", query);
  const end = hash < 0 ? url.length : hash;
  const pairs = url.slice(query + 1, end).split("&").map((pair) => {
    const equals = pair.indexOf("=");
    if (equals < 0) return pair;
    let name = pair.slice(0, equals);
    try {
      name = decodeURIComponent(name.replace(/\+/g, " "));
    } catch {
      // Undecodable: judged as written.
    }
    return SENSITIVE.test(name) ? `${pair.slice(0, equals)}=[redacted]` : pair;
  });
  return `${url.slice(0, query)}?${pairs.join("&")}`;
}

/** Checks hook options: functions, and a logger with `debug` and `warn`. @internal */
export function checkHooks(options: ClientHooks, invalid: (field: string, message: string) => Error): ClientHooks | undefined {
  const { onRequest, onResponse, onRetry, onRateLimit, onFallback, log } = options;
  for (const [name, hook] of Object.entries({ onRequest, onResponse, onRetry, onRateLimit, onFallback })) {
    if (hook !== undefined && typeof hook !== "function") throw invalid(name, "must be a function");
  }
  if (log !== undefined && (log === null || typeof log.debug !== "function" || typeof log.warn !== "function")) {
    throw invalid("log", "must have debug() and warn() (console does)");
  }
  if (!onRequest && !onResponse && !onRetry && !onRateLimit && !onFallback && !log) return undefined;
  return { onRequest, onResponse, onRetry, onRateLimit, onFallback, log };
}

/** Calls one hook; what it throws is ignored (and logged). @internal */
export function emit<E>(hooks: ClientHooks, hook: ((event: E) => void) | undefined, event: E): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch (error) {
    try {
      hooks.log?.warn(`a hook threw (ignored): ${String((error as { message?: unknown } | null)?.message ?? error)}`, event as RetryEvent);
    } catch {
      // A logger that throws is ignored too.
    }
  }
}
