/**
 * Cloudflare Access: verifies the JWT that Access adds to every request it lets through
 * (`Cf-Access-Jwt-Assertion`), against the team's signing keys, so a Worker (or any server behind
 * Access) knows who is calling. A header such as `cf-access-authenticated-user-email` alone proves
 * nothing: anyone who reaches the origin other than through Access can set it.
 */
import { invalidInput as invalidOption, makeError, type AccessDeniedError, type AccessDeniedReason } from "./errors.js";
import type { FetchLike } from "./transport.js";

/**
 * The verified claims of a Cloudflare Access token (the JWT payload; `aud` always as an array).
 * Users signed in through an identity provider carry `email`; service tokens carry `common_name`
 * (the client id) and an empty `sub`.
 * @example
 * const { email, sub } = await verifier.verify(request);
 */
export interface AccessIdentity {
  /** The user's id in Access (empty for a service token). */
  readonly sub: string;
  /** The audience tags the token was issued for. */
  readonly aud: readonly string[];
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** Issue time, seconds since the epoch. */
  readonly iat: number;
  /** `https://<teamDomain>`. */
  readonly iss: string;
  /** Not valid before, seconds since the epoch, when present. */
  readonly nbf?: number;
  /** The signed-in user's email, when the identity provider gave one. */
  readonly email?: string;
  /** `"app"` for application tokens. */
  readonly type?: string;
  /** Service tokens: the client id. */
  readonly common_name?: string;
  /** Every other claim, as received. */
  readonly [claim: string]: unknown;
}

/**
 * Settings of {@link createAccessVerifier}.
 * @example
 * createAccessVerifier({ teamDomain: "myteam.cloudflareaccess.com", audience: env.ACCESS_AUD });
 */
export interface AccessVerifierOptions {
  /**
   * The team domain, `"<team>.cloudflareaccess.com"` (a leading `https://` and a trailing `/` are
   * accepted). Keys come from `https://<teamDomain>/cdn-cgi/access/certs`; `iss` must equal
   * `https://<teamDomain>`.
   */
  readonly teamDomain: string;
  /** The Access application's audience (AUD) tag, or several: the token's `aud` must contain one. */
  readonly audience: string | readonly string[];
  /** The `fetch` used to load the team's keys (default: the global one). */
  readonly fetch?: FetchLike;
  /** Tolerated clock difference for `exp`, `nbf` and `iat`, in seconds (default 60, at most 600). */
  readonly clockSkewSeconds?: number;
  /**
   * Also accept the token from the `CF_Authorization` cookie when the header is absent (default
   * `false`). Access always sends the header to the origin; the cookie is for setups that reach
   * the Worker without it. A cookie travels with cross-site requests (`SameSite=Lax` navigations and
   * more), so keep your own cross-site checks when you enable it.
   */
  readonly cookie?: boolean;
  /**
   * The least time between two fetches of the key set caused by an unknown `kid`, in seconds
   * (default 30): a stream of tokens with invented key ids cannot make the verifier fetch on every
   * request. Keys are also refreshed when older than an hour.
   */
  readonly minRefetchIntervalSeconds?: number;
}

/**
 * Verifies Cloudflare Access tokens; made by {@link createAccessVerifier}. Keep one per isolate
 * (e.g. in a module-level variable created on first use): it caches the team's keys.
 */
export interface AccessVerifier {
  /**
   * Verifies the token of an incoming request (`Cf-Access-Jwt-Assertion`, or the `CF_Authorization`
   * cookie when `cookie` is set) and resolves to its claims; rejects with an `ACCESS_DENIED`
   * {@link AccessDeniedError} otherwise.
   * @example
   * const identity = await verifier.verify(request);   // { email, sub, aud, exp, iat, iss, … }
   */
  verify(request: Request): Promise<AccessIdentity>;
  /**
   * Verifies a token given as text (the same checks as {@link AccessVerifier.verify}).
   * @example
   * const identity = await verifier.verifyToken(request.headers.get("cf-access-jwt-assertion") ?? "");
   */
  verifyToken(token: string): Promise<AccessIdentity>;
}

const HEADER = "cf-access-jwt-assertion";
const COOKIE = "CF_Authorization";
/** Tokens longer than this are refused unread (Access tokens are about 1 KB). */
const MAX_TOKEN_CHARS = 16 * 1024;
const MAX_KEYS_BYTES = 256 * 1024;
const KEYS_MAX_AGE_MS = 3600_000;
const KEYS_TIMEOUT_MS = 10_000;
/** Without any key (the first fetch failed), the next attempt waits at most this long. */
const RETRY_WITHOUT_KEYS_MS = 5_000;
const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

function denied(reason: AccessDeniedReason, message: string, cause?: unknown): AccessDeniedError {
  return makeError("ACCESS_DENIED", `Cloudflare Access: ${message}`, { reason, cause }) as AccessDeniedError;
}

/** Bytes of base64url text (no padding), or `undefined` when it is not base64url. */
function base64urlBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A JSON object encoded as base64url, or `undefined`. */
function base64urlJson(text: string): Record<string, unknown> | undefined {
  const bytes = base64urlBytes(text);
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function normalisedTeamDomain(value: unknown): string {
  if (typeof value !== "string") throw invalidOption("teamDomain", "is required: \"<team>.cloudflareaccess.com\"");
  const host = value.trim().replace(/^https:\/\//i, "").replace(/\/$/, "").toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(host)) {
    throw invalidOption("teamDomain", "must be a host name such as \"myteam.cloudflareaccess.com\"");
  }
  return host;
}

function seconds(value: unknown, field: string, fallback: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) {
    throw invalidOption(field, `must be a number of seconds from 0 to ${max}`);
  }
  return value;
}

/** One RS256 verification key of a JWKS entry, or `undefined` for entries that are not one. */
async function importKey(entry: unknown): Promise<[string, CryptoKey] | undefined> {
  if (entry === null || typeof entry !== "object") return undefined;
  const { kid, kty, alg, use, n, e } = entry as Record<string, unknown>;
  if (typeof kid !== "string" || kty !== "RSA" || typeof n !== "string" || typeof e !== "string") return undefined;
  if ((alg !== undefined && alg !== "RS256") || (use !== undefined && use !== "sig")) return undefined;
  try {
    const key = await crypto.subtle.importKey("jwk", { kty: "RSA", n, e, alg: "RS256", ext: true }, RS256, false, ["verify"]);
    return [kid, key];
  } catch {
    return undefined;
  }
}

/** The team's keys by `kid`: loaded on first use, refetched when stale or for an unknown `kid`. */
class KeySet {
  #keys = new Map<string, CryptoKey>();
  #fetchedAt = -Infinity;
  #pending: Promise<void> | undefined;

  constructor(
    readonly url: string,
    readonly fetcher: FetchLike,
    readonly minRefetchMs: number,
  ) {}

  async key(kid: string): Promise<CryptoKey> {
    // A fetch under way (another request's) is waited for, not repeated. Without one, nothing is
    // awaited before #refresh() marks its start, so concurrent first calls share one fetch.
    while (this.#pending !== undefined) await this.#pending.catch(() => undefined);
    const age = Date.now() - this.#fetchedAt;
    const empty = this.#keys.size === 0;
    if (age >= KEYS_MAX_AGE_MS || (empty && age >= Math.min(this.minRefetchMs, RETRY_WITHOUT_KEYS_MS))) {
      // Stale keys stay usable if their refresh fails; no keys at all is a refusal.
      await this.#refresh().catch((error: unknown) => {
        if (this.#keys.size === 0) throw error;
      });
    } else if (empty) {
      throw denied("keys_unavailable", `the team's keys could not be loaded from ${this.url} (retried shortly)`);
    }
    let key = this.#keys.get(kid);
    if (key === undefined && Date.now() - this.#fetchedAt >= this.minRefetchMs) {
      await this.#refresh();
      key = this.#keys.get(kid);
    }
    if (key === undefined) throw denied("unknown_key", "the token's key id is not one of the team's keys");
    return key;
  }

  /** One fetch at a time: concurrent callers share it. */
  #refresh(): Promise<void> {
    this.#pending ??= this.#load().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #load(): Promise<void> {
    // Counted as an attempt even when it fails, so a failing endpoint is not hammered either.
    this.#fetchedAt = Date.now();
    let body: unknown;
    try {
      const response = await this.fetcher(this.url, {
        method: "GET",
        headers: { accept: "application/json" },
        redirect: "manual",
        signal: AbortSignal.timeout(KEYS_TIMEOUT_MS),
      });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      const text = await response.text();
      if (text.length > MAX_KEYS_BYTES) throw new Error("the key set is too large");
      body = JSON.parse(text);
    } catch (cause) {
      throw denied("keys_unavailable", `the team's keys could not be loaded from ${this.url}`, cause);
    }
    const entries = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(entries)) throw denied("keys_unavailable", `${this.url} did not answer a key set`);
    const keys = new Map<string, CryptoKey>();
    for (const imported of await Promise.all(entries.map(importKey))) if (imported) keys.set(imported[0], imported[1]);
    this.#keys = keys;
    this.#fetchedAt = Date.now();
  }
}

/**
 * Creates a verifier of Cloudflare Access tokens for one Access application. Each token must be an
 * RS256 JWT (exactly: `none`, `HS256` and every other `alg` are refused) signed by one of the
 * team's keys (`https://<teamDomain>/cdn-cgi/access/certs`, fetched on first use and cached; an
 * unknown `kid` refetches them once, at most every `minRefetchIntervalSeconds`), issued by
 * `https://<teamDomain>`, for your application's audience tag, and within `exp`, `nbf` and `iat`
 * (± `clockSkewSeconds`). Nothing is fetched until the first verification.
 *
 * @throws {InvalidInputError} when `teamDomain` or `audience` is missing or malformed.
 * @example
 * // worker.js: every request must come through Access
 * import { createAccessVerifier } from "cyzen-senselink";
 * let verifier;
 * export default {
 *   async fetch(request, env) {
 *     verifier ??= createAccessVerifier({ teamDomain: env.ACCESS_TEAM_DOMAIN, audience: env.ACCESS_AUD });
 *     let identity;
 *     try {
 *       identity = await verifier.verify(request);
 *     } catch {
 *       return new Response("Forbidden", { status: 403 });
 *     }
 *     return new Response(`Hello ${identity.email ?? identity.sub}`);
 *   },
 * };
 */
export function createAccessVerifier(options: AccessVerifierOptions): AccessVerifier {
  if (options === null || typeof options !== "object") throw invalidOption("options", "must be an object");
  const teamDomain = normalisedTeamDomain(options.teamDomain);
  const audiences = typeof options.audience === "string" ? [options.audience] : options.audience;
  if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((a) => typeof a === "string" && a.trim() !== "")) {
    throw invalidOption("audience", "is required: the Access application's audience (AUD) tag, or an array of them");
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") throw invalidOption("fetch", "must be a function");
  const skewMs = seconds(options.clockSkewSeconds, "clockSkewSeconds", 60, 600) * 1000;
  const minRefetchMs = seconds(options.minRefetchIntervalSeconds, "minRefetchIntervalSeconds", 30, 86_400) * 1000;
  const issuer = `https://${teamDomain}`;
  const fetcher: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const keys = new KeySet(`${issuer}/cdn-cgi/access/certs`, fetcher, minRefetchMs);
  const readCookie = options.cookie === true;

  async function verifyToken(token: string): Promise<AccessIdentity> {
    if (typeof token !== "string" || token === "") throw denied("missing", "no token");
    if (token.length > MAX_TOKEN_CHARS) throw denied("malformed", "the token is too long");
    const parts = token.split(".");
    if (parts.length !== 3) throw denied("malformed", "the token is not a signed JWT");
    const [headerText, payloadText, signatureText] = parts as [string, string, string];
    const header = base64urlJson(headerText);
    if (header === undefined) throw denied("malformed", "the token's header is not base64url JSON");
    if (header.alg !== "RS256") throw denied("algorithm", "the token is not signed with RS256");
    if (header.crit !== undefined) throw denied("algorithm", "the token requires extensions (crit) this verifier does not know");
    if (typeof header.kid !== "string") throw denied("malformed", "the token names no key (kid)");
    const signature = base64urlBytes(signatureText);
    if (signature === undefined || signature.length === 0) throw denied("malformed", "the token's signature is not base64url");
    const key = await keys.key(header.kid);
    const signed = new TextEncoder().encode(`${headerText}.${payloadText}`);
    if (!(await crypto.subtle.verify(RS256, key, signature, signed))) throw denied("signature", "the token's signature does not verify");

    // Signed by the team: now its claims can be read.
    const claims = base64urlJson(payloadText);
    if (claims === undefined) throw denied("malformed", "the token's payload is not base64url JSON");
    const { iss, aud, exp, nbf, iat, sub } = claims;
    if (typeof exp !== "number" || typeof iat !== "number" || (nbf !== undefined && typeof nbf !== "number") || typeof sub !== "string") {
      throw denied("malformed", "the token lacks exp, iat or sub");
    }
    if (iss !== issuer) throw denied("issuer", "the token was issued by another team");
    const tokenAudiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string") : [];
    if (!tokenAudiences.some((a) => audiences.includes(a))) throw denied("audience", "the token is for another application");
    const now = Date.now();
    if (now >= exp * 1000 + skewMs) throw denied("expired", "the token has expired");
    if ((nbf !== undefined && now < nbf * 1000 - skewMs) || now < iat * 1000 - skewMs) {
      throw denied("not_yet_valid", "the token is not valid yet");
    }
    return { ...claims, iss: issuer, sub, exp, iat, aud: tokenAudiences } as AccessIdentity;
  }

  return {
    verifyToken,
    verify(request: Request): Promise<AccessIdentity> {
      const token = request.headers.get(HEADER) ?? (readCookie ? cookieValue(request.headers.get("cookie"), COOKIE) : undefined);
      if (token === undefined || token === null || token === "") return Promise.reject(denied("missing", `no ${HEADER} header`));
      return verifyToken(token.trim());
    },
  };
}

function refusal(status: 401 | 403 | 503, error: string): Response {
  return new Response(JSON.stringify({ error }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" },
  });
}

/**
 * An `authorize` hook for {@link createSenseLinkProxy} and {@link createCyzenProxy} that lets
 * through exactly the requests carrying a valid Cloudflare Access token. Refusals carry no detail:
 * 401 `{"error":"unauthorized"}` without a token, 403 `{"error":"forbidden"}` for a token that
 * fails a check, 503 `{"error":"unavailable"}` when the team's keys cannot be loaded.
 * @example
 * import { accessAuthorize, createAccessVerifier, createSenseLinkProxy } from "cyzen-senselink";
 * let proxy;
 * export default {
 *   fetch(request, env) {
 *     proxy ??= createSenseLinkProxy({
 *       baseUrl: "https://link.japancv.co.jp", appKey: env.SENSELINK_APP_KEY, appSecret: env.SENSELINK_APP_SECRET,
 *       authorize: accessAuthorize(createAccessVerifier({ teamDomain: env.ACCESS_TEAM_DOMAIN, audience: env.ACCESS_AUD })),
 *     });
 *     return proxy(request);
 *   },
 * };
 */
export function accessAuthorize(verifier: AccessVerifier): (request: Request) => Promise<boolean | Response> {
  if (verifier === null || typeof verifier !== "object" || typeof verifier.verify !== "function") {
    throw invalidOption("verifier", "must be a verifier made by createAccessVerifier()");
  }
  return async (request) => {
    try {
      await verifier.verify(request);
      return true;
    } catch (error) {
      const reason = (error as Partial<AccessDeniedError> | null)?.reason;
      if (reason === "missing") return refusal(401, "unauthorized");
      if (reason === "keys_unavailable") return refusal(503, "unavailable");
      return refusal(403, "forbidden");
    }
  };
}
