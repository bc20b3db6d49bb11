/**
 * cyzen integration API (連携API) client: OAuth 2.0 code flow with PKCE or a static token, every
 * call paced (5 per sliding second per token, 6 in flight), retried with backoff on 503/429,
 * paginated by echoing every `next_*` cursor field, long date ranges split into server windows.
 *
 * Field names are the server's (snake_case), kept as they are; `create_at` also appears as
 * `created_at`. Paths marked "guess" in `docs/cyzen.md` can be replaced with the `paths` option.
 * @packageDocumentation
 */
import type { CyzenCore, OAuthCore, Task } from "../wasm/all.js";
import type { CyzenCoordinator } from "./coordinator.js";
import { drive, type DriveContext, type TokenStore } from "./driver.js";
import { checkHooks, type ClientHooks } from "./hooks.js";
import { cyzenWasm } from "./instance.js";
import { invalidInput, makeError, nameClasses } from "./errors.js";
import { RESOURCE_OPERATIONS } from "./generated/cyzen.js";
import { func, record } from "./options.js";
import { checkLimits, type CallOptions, type FetchLike } from "./transport.js";

export type { TokenStore } from "./driver.js";

// ---------------------------------------------------------------------------------------------
// Stores

/**
 * A store in memory (the default): tokens last as long as the `CyzenOAuth` object.
 *
 * @example
 * const oauth = new CyzenOAuth({ ...settings, store: memoryStore() });
 */
export function memoryStore(): TokenStore {
  const values = new Map<string, string>();
  return {
    load: (key) => values.get(key) ?? null,
    save: (key, value) => {
      if (value === null) values.delete(key);
      else values.set(key, value);
    },
  };
}

/**
 * A store over the page's `sessionStorage` (or any `Storage`): the PKCE verifier survives the
 * redirect to the authorization server and back, and the tokens last for the tab.
 *
 * @example
 * const oauth = new CyzenOAuth({ ...settings, store: sessionStorageStore() });
 */
export function sessionStorageStore(storage?: Storage): TokenStore {
  const target = storage ?? (globalThis as { sessionStorage?: Storage }).sessionStorage;
  if (!target) {
    throw makeError("INVALID_INPUT", "storage: sessionStorage is not available in this runtime", { field: "storage" });
  }
  return {
    load: (key) => target.getItem(key),
    save: (key, value) => {
      if (value === null) target.removeItem(key);
      else target.setItem(key, value);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// OAuth

/**
 * Tokens from the token endpoint.
 * @example
 * const { accessToken, expiresAt } = await oauth.handleCallback(location.href);
 */
export interface TokenSet {
  /** The access token (`Authorization: bearer …`). */
  readonly accessToken: string;
  /** The refresh token, when the server issued one (rotating ones are replaced on each refresh). */
  readonly refreshToken?: string;
  /** `"bearer"`. */
  readonly tokenType: string;
  /** When the access token expires, Unix milliseconds (from `expires_in`). */
  readonly expiresAt?: number;
  /** The granted scope, when the server said. */
  readonly scope?: string;
}

/**
 * Settings of {@link CyzenOAuth}. cyzen's real endpoints are not public: nothing has a default.
 * @example
 * new CyzenOAuth({ authorizeUrl, tokenUrl, clientId: "my-app", clientSecret: env.SECRET,
 *   redirectUri: "https://app.example/callback", appToken: env.APP_TOKEN, appTokenHeader: "X-App-Token" });
 */
export interface CyzenOAuthOptions extends ClientHooks {
  /**
   * Authorization endpoint (where the user signs in and consents). Needed by
   * {@link CyzenOAuth.authorizationUrl} only: an instance that just uses stored tokens (a cron job
   * that refreshes them) can leave it out; signing in without it fails with `INVALID_INPUT`.
   */
  readonly authorizeUrl?: string;
  /** Token endpoint. */
  readonly tokenUrl: string;
  /** Client id. */
  readonly clientId: string;
  /** Client secret (confidential clients only: never in a page). Public clients rely on PKCE. */
  readonly clientSecret?: string;
  /** How the secret is sent: HTTP Basic (default, RFC 6749 §2.3.1) or form fields. */
  readonly clientAuthMethod?: "client_secret_basic" | "client_secret_post";
  /**
   * The redirect URI registered for the client; the callback comes back here. Needed by the
   * sign-in ({@link CyzenOAuth.authorizationUrl}, {@link CyzenOAuth.handleCallback}) only, as
   * `authorizeUrl` is.
   */
  readonly redirectUri?: string;
  /** Requested scope (space-separated). */
  readonly scope?: string;
  /** The app token RedFox issues per integration program, sent to the token endpoint. */
  readonly appToken?: string;
  /** Header that carries `appToken` (required with it; cyzen's name for it is not public). */
  readonly appTokenHeader?: string;
  /** Token and verifier storage (default {@link memoryStore}). In Workers, use KV. */
  readonly store?: TokenStore;
  /** Key prefix in the store (default `"cyzen"`). */
  readonly storeKey?: string;
  /**
   * At least 32 bytes: pending authorizations travel in an HMAC-signed cookie instead of the
   * store (for a Worker whose callback may land in another isolate). See {@link AuthorizationRequest.cookie}.
   */
  readonly cookieSecret?: string;
  /** A `fetch` for token requests instead of the global one. */
  readonly fetch?: FetchLike;
  /** Deadline of each OAuth call in milliseconds (default 60 000; a call's own `timeoutMs` wins). */
  readonly timeoutMs?: number;
  /** Token answers larger than this many bytes fail with `RESPONSE_TOO_LARGE` (default 16 MiB). */
  readonly maxResponseBytes?: number;
  /**
   * Shares the refresh with every other instance using these tokens (other isolates): one
   * refresh reaches the token endpoint, the others adopt its result. Clients using this
   * `CyzenOAuth` also pace through it unless they have their own. See {@link durableObjectCoordinator}.
   */
  readonly coordinator?: CyzenCoordinator;
}

/**
 * An authorization to send the user to.
 * @example
 * const { url, state, cookie } = await oauth.authorizationUrl();
 */
export interface AuthorizationRequest {
  /** The authorization URL (with `state` and the PKCE S256 challenge). */
  readonly url: string;
  /** The `state` in it. */
  readonly state: string;
  /**
   * With `cookieSecret`: the value to set as a short-lived cookie (10 minutes; `HttpOnly; Secure;
   * SameSite=Lax`) and to give back to {@link CyzenOAuth.handleCallback}.
   */
  readonly cookie?: string;
}

/**
 * Options of {@link CyzenOAuth.handleCallback}.
 * @example
 * await oauth.handleCallback(request.url, { cookie, timeoutMs: 10_000 });
 */
export interface CallbackOptions extends CallOptions {
  /** The cookie set from {@link AuthorizationRequest.cookie} (with `cookieSecret`). */
  readonly cookie?: string;
}

/** What a `CyzenOAuth` runs with: the shared OAuth state, its store, its `fetch` and limits. */
export interface OAuthParts {
  /** The OAuth state (rebuilt after a trap; shared by every `CyzenOAuth` over the same store and settings). */
  readonly core: () => OAuthCore;
  readonly store: TokenStore;
  readonly fetch: FetchLike | undefined;
  readonly timeoutMs: number | undefined;
  readonly maxResponseBytes: number | undefined;
  readonly hooks: ClientHooks | undefined;
  readonly coordinator: CyzenCoordinator | undefined;
}

const oauthParts = new WeakMap<CyzenOAuth, OAuthParts>();

/** The settings that make two `CyzenOAuth` the same client (secrets included: a different secret is
 * a different client). */
const OAUTH_IDENTITY = [
  "authorizeUrl", "tokenUrl", "clientId", "clientSecret", "clientAuthMethod", "redirectUri", "scope",
  "appToken", "appTokenHeader", "storeKey", "cookieSecret",
] as const;

/** OAuth states by store object, then by settings. */
const sharedOAuth = new WeakMap<TokenStore, Map<string, () => OAuthCore>>();

/**
 * One OAuth state per (store object, settings) in this isolate: `CyzenOAuth` objects created per
 * request over the same store (a proxy's `auth()`, a page and a scheduled job) share their tokens
 * and their single-flight refresh — one refresh per token generation, however many objects see
 * the 401 at once.
 */
function sharedOAuthCore(store: TokenStore, o: Record<string, unknown>): () => OAuthCore {
  const values = OAUTH_IDENTITY.map((k) => o[k] ?? null);
  // Options of other types are refused by the constructor: build it to say so.
  if (!values.every((v) => v === null || typeof v === "string")) return cyzenWasm.revivable((glue) => new glue.OAuthCore(o));
  const key = JSON.stringify(values);
  let byKey = sharedOAuth.get(store);
  if (byKey === undefined) {
    byKey = new Map();
    sharedOAuth.set(store, byKey);
  }
  let core = byKey.get(key);
  if (core === undefined) {
    core = cyzenWasm.revivable((glue) => new glue.OAuthCore(o));
    byKey.set(key, core);
  }
  return core;
}

/**
 * OAuth 2.0 authorization code grant (RFC 6749) with PKCE S256 (RFC 7636) and `state`. Tokens are
 * kept in the store and refreshed once when they expire, however many calls need them at the same
 * time; a refused refresh rejects with `OAUTH_INVALID_GRANT` and keeps the stored tokens.
 *
 * @example
 * const oauth = new CyzenOAuth({ authorizeUrl, tokenUrl, clientId: "my-app",
 *   redirectUri: `${location.origin}/callback`, store: sessionStorageStore() });
 * // on "Sign in":
 * location.assign((await oauth.authorizationUrl()).url);
 * // on /callback:
 * await oauth.handleCallback(location.href);
 */
export class CyzenOAuth {
  constructor(options: CyzenOAuthOptions) {
    const o = record(options, "options");
    const store = (o.store ?? memoryStore()) as TokenStore;
    if (typeof store.load !== "function" || typeof store.save !== "function") {
      throw invalid("store", "must have load() and save()");
    }
    checkLimits(o);
    const timeoutMs = o.timeoutMs as number | undefined;
    const maxResponseBytes = o.maxResponseBytes as number | undefined;
    const hooks = checkHooks(o as ClientHooks, invalid);
    const coordinator = checkCoordinator(o.coordinator);
    oauthParts.set(this, { core: sharedOAuthCore(store, o), store, fetch: func(o, "fetch"), timeoutMs, maxResponseBytes, hooks, coordinator });
  }

  /**
   * Starts a sign-in: a fresh `state` and PKCE verifier (kept in the store, or derived from the
   * signed cookie), and the URL to send the user to.
   *
   * @example
   * const { url } = await oauth.authorizationUrl();
   * return Response.redirect(url, 302);
   */
  authorizationUrl(options?: CallOptions): Promise<AuthorizationRequest> {
    const { core, ...context } = oauthPartsOf(this);
    return drive(cyzenWasm, () => core().authorizationUrl(), callContext({ ...context, operation: "oauth.authorizationUrl" }, options));
  }

  /**
   * Completes a sign-in from the callback URL: checks `state` (`OAUTH_STATE` when unknown, used
   * or expired), reports an `error` (`OAUTH_ACCESS_DENIED`, `OAUTH_ERROR`), and exchanges the code.
   *
   * @example
   * const tokens = await oauth.handleCallback(request.url, { cookie: readCookie(request, "cyzen_pkce") });
   */
  handleCallback(callbackUrl: string | URL, options?: CallbackOptions): Promise<TokenSet> {
    const { core, ...context } = oauthPartsOf(this);
    const cookie = options?.cookie;
    if (cookie !== undefined && typeof cookie !== "string") throw invalid("cookie", "must be a string");
    return drive(cyzenWasm, () => core().handleCallback(String(callbackUrl), cookie), callContext({ ...context, operation: "oauth.handleCallback" }, options));
  }

  /**
   * Refreshes the access token now. Concurrent refreshes (explicit or after a 401) share one
   * request to the token endpoint.
   *
   * @example
   * const { expiresAt } = await oauth.refresh();
   */
  refresh(options?: CallOptions): Promise<TokenSet> {
    const { core, ...context } = oauthPartsOf(this);
    return drive(cyzenWasm, () => core().refresh(), callContext({ ...context, operation: "oauth.refresh" }, options));
  }

  /**
   * The current tokens (loaded from the store on first use), or `null` before sign-in.
   *
   * @example
   * if (!(await oauth.getTokens())) location.assign((await oauth.authorizationUrl()).url);
   */
  getTokens(): Promise<TokenSet | null> {
    const { core, ...context } = oauthPartsOf(this);
    return drive(cyzenWasm, () => core().getTokens(), { ...context, operation: "oauth.getTokens" });
  }

  /**
   * Replaces the tokens (`null` signs out) and stores them.
   *
   * @example
   * await oauth.setTokens(null); // sign out
   */
  setTokens(tokens: TokenSet | null): Promise<void> {
    const { core, ...context } = oauthPartsOf(this);
    return drive(cyzenWasm, () => core().setTokens(tokens), { ...context, operation: "oauth.setTokens" });
  }
}

const invalid = invalidInput;

/** The state behind a `CyzenOAuth` (for the proxy). @internal */
export function oauthPartsOf(oauth: CyzenOAuth): OAuthParts {
  const found = oauthParts.get(oauth);
  if (!found) throw invalid("auth", "not a CyzenOAuth instance");
  return found;
}

/** A `coordinator` option: an object with `acquire()` and `lock()`, or nothing. @internal */
export function checkCoordinator(value: unknown): CyzenCoordinator | undefined {
  if (value === undefined || value === null) return undefined;
  const c = value as Partial<CyzenCoordinator>;
  if (typeof c !== "object" || typeof c.acquire !== "function" || typeof c.lock !== "function") {
    throw invalid("coordinator", "must have acquire() and lock() (see durableObjectCoordinator)");
  }
  return value as CyzenCoordinator;
}

/** `base` with a call's own options (checked) on top: its `signal`, and its `timeoutMs` if set. */
function callContext(base: DriveContext, options: CallOptions | undefined): DriveContext {
  if (options === undefined || options === null) return base;
  if (typeof options !== "object") throw invalid("options", "must be an object");
  checkLimits(options);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalid("signal", "must be an AbortSignal");
  return {
    ...base,
    signal,
    timeoutMs: options.timeoutMs ?? base.timeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? base.maxResponseBytes,
  };
}

// ---------------------------------------------------------------------------------------------
// Lists

/**
 * Where a list resumes: `page.next`, or the `cursor` of an error thrown by a failed page.
 * @example
 * client.users.list({}, { cursor: error.cursor });
 */
export type Cursor = Readonly<Record<string, string>>;

/**
 * A datetime: a `Date`, or a string (`YYYY-MM-DDThh:mm:ss` is UTC; ISO 8601 with an offset; `YYYY-MM-DD`).
 * @example
 * client.histories.list({ from_date: new Date(Date.now() - 30 * 86_400_000), to_date: "2024-06-01T00:00:00" });
 */
export type DateInput = Date | string;

/**
 * One page of a list.
 * @example
 * for await (const page of client.users.list().pages()) console.log(page.items.length, page.next);
 */
export interface Page<T> {
  /** The page's items (client-side filters applied). */
  readonly items: T[];
  /** The cursor this page was fetched with. */
  readonly cursor: Cursor;
  /** The next page's cursor; `null` after the last page. */
  readonly next: Cursor | null;
}

/**
 * What `onProgress` is told after each page.
 * @example
 * client.spots.list({}, { onProgress: ({ pages, items, next }) => console.log(pages, items, next) });
 */
export interface ListProgress {
  /** Pages fetched so far. */
  readonly pages: number;
  /** Items delivered so far. */
  readonly items: number;
  /** Cursor of the next page (`null` at the end): save it to resume later. */
  readonly next: Cursor | null;
}

/**
 * Options of `list()`.
 * @example
 * client.users.list({}, { cursor: savedCursor, signal: AbortSignal.timeout(60_000) });
 */
export interface ListOptions extends CallOptions {
  /** Resume from here (a `page.next`, a progress `next`, or a failed page's `error.cursor`). */
  readonly cursor?: Cursor;
  /** Called after each page. */
  readonly onProgress?: (progress: ListProgress) => void;
}

/**
 * Options of `toArray()`.
 * @example
 * const users = await client.users.list().toArray({ limit: 500 });
 */
export interface ToArrayOptions {
  /** The most items to collect (required: lists can hold hundreds of thousands of records). */
  readonly limit: number;
}

/**
 * A lazy list: iterate items with `for await` (a `break` stops fetching), pages with `pages()`, or
 * collect with `toArray({ limit })`. Nothing is fetched until iteration starts. When a page fails,
 * the error carries `cursor` (pass it as `{ cursor }` to resume exactly there) and `delivered`.
 * @example
 * const list = client.users.list();
 * for await (const user of list) if (user.user_name === "佐藤 太郎") break;
 */
export interface ListResult<T> extends AsyncIterable<T> {
  /**
   * The pages, one request each.
   * @example for await (const page of client.spots.list().pages()) save(page.items, page.next);
   */
  pages(): AsyncIterable<Page<T>>;
  /**
   * Up to `limit` items in an array.
   * @example const first500 = await client.users.list().toArray({ limit: 500 });
   */
  toArray(options: ToArrayOptions): Promise<T[]>;
}

/**
 * Every item: the server's fields as sent, plus `created_at` wherever `create_at` appears.
 * @example
 * const value: unknown = item["a_field_the_types_do_not_name"];
 */
export interface CyzenRecord {
  readonly [field: string]: unknown;
}

/**
 * What a create or update answers: `{ "<id key>": "<id>" }`.
 * @example
 * const { spot_id } = await client.spots.create({ spot_name: "本社" });
 */
export type WriteResult<K extends string> = { readonly [P in K]?: string } & CyzenRecord;

/**
 * A form value: dates are sent as UTC `YYYY-MM-DDThh:mm:ss`, objects as a JSON string, `null`/`undefined` are left out.
 * @example
 * await client.spots.update(spotId, { valid_to: new Date(), extend_data: { rank: "B" }, comment: "" });
 */
export type WriteValue = string | number | boolean | Date | null | undefined | Readonly<Record<string, unknown>> | readonly unknown[];

/**
 * `list()` of a resource.
 * @example
 * const spots = await client.spots.list({ spot_code: "S000001" }).toArray({ limit: 1 });
 */
export interface Listable<T, F> {
  /**
   * Every item matching `filter`, page by page.
   * @example for await (const spot of client.spots.list({ spot_code: "S000001" })) console.log(spot.spot_name);
   */
  list(filter?: F, options?: ListOptions): ListResult<T>;
}

/**
 * `create()` of a resource.
 * @example
 * const { group_id } = await client.groups.create({ group_name: "営業一課" });
 */
export interface Creatable<I, K extends string> {
  /**
   * Creates an object (form-encoded POST). Never retried after an unclear failure.
   * @example const { spot_id } = await client.spots.create({ spot_name: "本社", lat: 35.67, lon: 139.77 });
   */
  create(input: I, options?: CallOptions): Promise<WriteResult<K>>;
}

/**
 * `update()` of a resource.
 * @example
 * await client.groups.update(groupId, { group_name: "営業二課" });
 */
export interface Updatable<I, K extends string> {
  /**
   * Updates an object (form-encoded PUT with the id in the body).
   * @example await client.spots.update(spotId, { comment: "駐車場あり" });
   */
  update(id: string, input: I, options?: CallOptions): Promise<WriteResult<K>>;
}

/**
 * `delete()` of a resource.
 * @example
 * await client.groups.delete(groupId);
 */
export interface Deletable {
  /**
   * Deletes an object (DELETE with the id in the query).
   * @example await client.spots.delete(spotId);
   */
  delete(id: string, options?: CallOptions): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Items, filters and inputs (server field names)

/**
 * A check-in (打刻). `create_at` from the server is also given as `created_at`.
 * @example
 * for await (const item of client.histories.list()) console.log(item.history_id);
 */
export interface History extends CyzenRecord {
  readonly history_id: string;
  readonly user_id?: string;
  readonly group_id?: string;
  readonly status_id?: string;
  readonly history_comment?: string;
  readonly address?: string;
  readonly history_latitude?: number;
  readonly history_longitude?: number;
  readonly history_accuracy?: number;
  readonly create_at?: string;
  readonly created_at?: string;
  readonly updated_at?: string;
}
/**
 * Filter of `histories`: a range longer than 15 days is split; without one the server gives the last 15 days.
 * @example
 * const items = await client.histories.list({ from_date: "2024-05-01", to_date: new Date() }).toArray({ limit: 1000 });
 */
export interface HistoryFilter {
  readonly history_id?: string;
  readonly from_date?: DateInput;
  readonly to_date?: DateInput;
}

/**
 * An auto-recorded location (path guessed).
 * @example
 * for await (const item of client.trackings.list()) console.log(item.tracking_id);
 */
export interface Tracking extends CyzenRecord {
  readonly tracking_id: string;
  readonly user_id?: string;
  readonly tracking_latitude?: number;
  readonly tracking_longitude?: number;
  readonly tracking_accuracy?: number;
  readonly create_at?: string;
  readonly created_at?: string;
}
/**
 * Filter of `trackings` (15-day windows).
 * @example
 * const items = await client.trackings.list({ user_id, from_date: "2024-05-01T00:00:00", to_date: "2024-05-31T23:59:59" }).toArray({ limit: 1000 });
 */
export interface TrackingFilter {
  readonly tracking_id?: string;
  readonly user_id?: string;
  readonly from_date?: DateInput;
  readonly to_date?: DateInput;
}

/**
 * The latest check-in and tracked location of a user (`/members_statuses`).
 * @example
 * for await (const item of client.latestLocations.list()) console.log(item.user_id);
 */
export interface LatestLocation extends CyzenRecord {
  readonly user_id: string;
  readonly user_name?: string;
  readonly history?: Omit<History, "history_id"> & { readonly history_id?: string; readonly status_name?: string };
  readonly tracking?: Omit<Tracking, "tracking_id"> & { readonly tracking_id?: string };
}
/**
 * Filter of `latestLocations`.
 * @example
 * const items = await client.latestLocations.list({ user_id }).toArray({ limit: 1000 });
 */
export interface LatestLocationFilter {
  readonly user_id?: string;
}

/**
 * A spot (customer site). Read names; writes use `kana_name`, `lat`, `lon`.
 * @example
 * for await (const item of client.spots.list()) console.log(item.spot_id);
 */
export interface Spot extends CyzenRecord {
  readonly spot_id: string;
  readonly spot_code?: string;
  readonly spot_name?: string;
  readonly spot_name_kana?: string;
  readonly zip_code?: string;
  readonly tel?: string;
  readonly fax?: string;
  readonly address?: string;
  readonly latitude?: number | null;
  readonly longitude?: number | null;
  readonly valid_from?: string | null;
  readonly valid_to?: string | null;
  readonly url?: string;
  readonly comment?: string;
  readonly create_user_id?: string;
  readonly group_id?: string | null;
  readonly spot_tags?: ReadonlyArray<{ readonly spot_tag_id: string; readonly spot_tag_name?: string }>;
  readonly extend_data?: unknown;
  readonly created_at?: string;
  readonly updated_at?: string;
}
/**
 * Filter of `spots`: the update window is split into 7-day windows.
 * @example
 * const items = await client.spots.list({ updated_from: "2024-04-01", updated_to: "2024-06-30" }).toArray({ limit: 1000 });
 */
export interface SpotFilter {
  readonly spot_id?: string;
  readonly spot_code?: string;
  readonly updated_from?: DateInput;
  readonly updated_to?: DateInput;
}
/**
 * Fields of a spot write (`spot_name_kana`, `latitude`, `longitude` are renamed to the write names).
 * @example
 * await client.spots.create({ spot_name: "本社", kana_name: "ホンシャ", lat: 35.67, lon: 139.77, extend_data: { rank: "A" } });
 */
export interface SpotInput {
  readonly spot_code?: string;
  readonly spot_name?: string;
  readonly kana_name?: string;
  readonly spot_name_kana?: string;
  readonly zip_code?: string;
  readonly tel?: string;
  readonly fax?: string;
  readonly address?: string;
  readonly lat?: number | string;
  readonly lon?: number | string;
  readonly latitude?: number | string;
  readonly longitude?: number | string;
  readonly valid_from?: DateInput | null;
  readonly valid_to?: DateInput | null;
  readonly url?: string;
  readonly comment?: string;
  readonly group_id?: string;
  /** Spot tag ids, comma-separated. */
  readonly spot_tag_id?: string;
  /** Sent as a JSON string. */
  readonly extend_data?: Readonly<Record<string, unknown>> | string;
}

/**
 * A customer contact of a spot (path guessed).
 * @example
 * for await (const item of client.spotCustomers.list()) console.log(item.spot_customer_id);
 */
export interface SpotCustomer extends CyzenRecord {
  readonly spot_customer_id: string;
  readonly spot_id?: string;
  readonly customer_name?: string;
  readonly department?: string;
  readonly position?: string;
  readonly tel?: string;
  readonly email?: string;
}
/**
 * Filter of `spotCustomers`.
 * @example
 * const items = await client.spotCustomers.list({ spot_id }).toArray({ limit: 1000 });
 */
export interface SpotCustomerFilter {
  readonly spot_customer_id?: string;
  readonly spot_id?: string;
}

/**
 * A staff member in charge of a spot (自社担当者; path guessed).
 * @example
 * for await (const item of client.spotStaff.list()) console.log(item.spot_staff_id);
 */
export interface SpotStaff extends CyzenRecord {
  readonly spot_staff_id: string;
  readonly spot_id?: string;
  readonly user_id?: string;
}
/**
 * Filter of `spotStaff`.
 * @example
 * const items = await client.spotStaff.list({ spot_id }).toArray({ limit: 1000 });
 */
export interface SpotStaffFilter {
  readonly spot_staff_id?: string;
  readonly spot_id?: string;
  readonly user_id?: string;
}
/**
 * Fields of a spot-staff write.
 * @example
 * await client.spotStaff.create({ spot_id, user_id });
 */
export interface SpotStaffInput {
  readonly spot_id: string;
  readonly user_id: string;
}

/**
 * Fields of a spot ↔ spot-tag link write (path guessed).
 * @example
 * await client.spotTagLinks.create({ spot_id, spot_tag_id });
 */
export interface SpotTagLinkInput {
  readonly spot_id?: string;
  readonly spot_tag_id?: string;
}

/**
 * A spot tag.
 * @example
 * for await (const item of client.spotTags.list()) console.log(item.spot_tag_id);
 */
export interface SpotTag extends CyzenRecord {
  readonly spot_tag_id: string;
  readonly group_id?: string;
  readonly spot_tag_name?: string;
}
/**
 * Filter of `spotTags`.
 * @example
 * const items = await client.spotTags.list({ group_id }).toArray({ limit: 1000 });
 */
export interface SpotTagFilter {
  readonly spot_tag_id?: string;
  readonly group_id?: string;
}

/**
 * A group.
 * @example
 * for await (const item of client.groups.list()) console.log(item.group_id);
 */
export interface Group extends CyzenRecord {
  readonly group_id: string;
  readonly group_join_id?: string;
  readonly group_code?: string;
  readonly group_name?: string;
}
/**
 * Filter of `groups`.
 * @example
 * const items = await client.groups.list({ group_id }).toArray({ limit: 1000 });
 */
export interface GroupFilter {
  readonly group_id?: string;
}
/**
 * Fields of a group write (write names guessed).
 * @example
 * await client.groups.create({ group_name: "営業一課", group_code: "S1" });
 */
export interface GroupInput {
  readonly group_code?: string;
  readonly group_name?: string;
}

/**
 * A user (`field: "all"` adds `groups` and `user_tags`).
 * @example
 * for await (const item of client.users.list()) console.log(item.user_id);
 */
export interface User extends CyzenRecord {
  readonly user_id: string;
  readonly user_login_id?: string;
  readonly user_code?: string;
  readonly user_name?: string;
  /** 1 active, 0 suspended. */
  readonly account_status?: number;
  readonly groups?: ReadonlyArray<{ readonly group_id: string; readonly group_name?: string }>;
  readonly user_tags?: ReadonlyArray<{ readonly user_tag_id: string; readonly user_tag_name?: string }>;
}
/**
 * Filter of `users`.
 * @example
 * const items = await client.users.list({ field: "all" }).toArray({ limit: 1000 });
 */
export interface UserFilter {
  readonly user_id?: string;
  /** `"all"` adds `groups[]` and `user_tags[]`. */
  readonly field?: "all";
}
/**
 * Fields of a user write (write names guessed).
 * @example
 * await client.users.update(userId, { account_status: 0 });
 */
export interface UserInput {
  readonly user_login_id?: string;
  readonly user_code?: string;
  readonly user_name?: string;
  readonly account_status?: 0 | 1;
}

/**
 * Fields of a user-affiliation (所属) write (path guessed).
 * @example
 * await client.userAffiliations.create({ user_id, group_id });
 */
export interface UserAffiliationInput {
  readonly user_id?: string;
  readonly group_id?: string;
}

/**
 * A status (per group).
 * @example
 * for await (const item of client.statuses.list()) console.log(item.status_id);
 */
export interface Status extends CyzenRecord {
  readonly status_id: string;
  readonly group_id?: string;
  readonly status_name?: string;
}
/**
 * Filter of `statuses`.
 * @example
 * const items = await client.statuses.list({ group_id }).toArray({ limit: 1000 });
 */
export interface StatusFilter {
  readonly status_id?: string;
  readonly group_id?: string;
}

/**
 * An action type (行動種別; path guessed).
 * @example
 * for await (const item of client.actionTypes.list()) console.log(item.action_type_id);
 */
export interface ActionType extends CyzenRecord {
  readonly action_type_id: string;
  readonly action_type_name?: string;
}
/**
 * Filter of `actionTypes`.
 * @example
 * const items = await client.actionTypes.list({}).toArray({ limit: 1000 });
 */
export interface ActionTypeFilter {
  readonly action_type_id?: string;
}

/**
 * A report definition.
 * @example
 * for await (const item of client.reportDefinitions.list()) console.log(item.report_definition_id);
 */
export interface ReportDefinition extends CyzenRecord {
  readonly report_definition_id: string;
  readonly report_definition_name?: string;
}
/**
 * Filter of `reportDefinitions`.
 * @example
 * const items = await client.reportDefinitions.list({}).toArray({ limit: 1000 });
 */
export interface ReportDefinitionFilter {
  readonly report_definition_id?: string;
}

/**
 * A report. `item_value` is a string, a list or an object depending on the item.
 * @example
 * for await (const item of client.reports.list()) console.log(item.report_id);
 */
export interface Report extends CyzenRecord {
  readonly report_id: string;
  readonly report_definition_id?: string;
  readonly report_definition_name?: string;
  readonly user_id?: string;
  readonly group_id?: string;
  readonly spot_id?: string;
  readonly created_at?: string;
  readonly updated_at?: string;
  readonly report_items?: ReadonlyArray<{ readonly item_name: string; readonly item_value: unknown }>;
}
/**
 * Filter of `reports`: only the update window exists server-side (7-day windows; `from_date` and
 * `to_date` would be ignored and are refused); `report_definition_id` is applied by the client.
 * @example
 * const items = await client.reports.list({ updated_from: "2024-05-01", updated_to: "2024-05-31", report_definition_id }).toArray({ limit: 1000 });
 */
export interface ReportFilter {
  readonly report_id?: string;
  readonly updated_from?: DateInput;
  readonly updated_to?: DateInput;
  readonly report_definition_id?: string;
}

/**
 * A schedule (予定).
 * @example
 * for await (const item of client.schedules.list()) console.log(item.schedule_id);
 */
export interface Schedule extends CyzenRecord {
  readonly schedule_id: string;
  readonly group_id?: string | null;
  readonly title?: string;
  readonly detail?: string;
  readonly start_date?: string;
  readonly end_date?: string;
  readonly all_day?: number;
  readonly place?: { readonly spot_id?: string | null; readonly address?: string; readonly latitude?: number | null; readonly longitude?: number | null };
  readonly users?: ReadonlyArray<{ readonly user_id: string }>;
  readonly schedule_category?: string;
  readonly deleted_at?: string | null;
}
/**
 * Filter of `schedules` (7-day windows; a window the server answers 500 for is walked day by day).
 * @example
 * const items = await client.schedules.list({ from_date: "2024-05-01", to_date: "2024-05-14", with_actual: true }).toArray({ limit: 1000 });
 */
export interface ScheduleFilter {
  readonly schedule_id?: string;
  readonly from_date?: DateInput;
  readonly to_date?: DateInput;
  readonly get_deleted?: boolean;
  readonly with_actual?: boolean;
}
/**
 * Fields of a schedule write.
 * @example
 * await client.schedules.create({ title: "訪問", start_date: new Date("2024-06-03T01:00:00Z"), end_date: new Date("2024-06-03T02:00:00Z"), spot_id });
 */
export interface ScheduleInput {
  readonly title?: string;
  readonly detail?: string;
  readonly start_date?: DateInput;
  readonly end_date?: DateInput;
  readonly all_day?: 0 | 1;
  readonly group_id?: string;
  readonly schedule_category?: string;
  readonly spot_id?: string;
  readonly address?: string;
  readonly lat?: number | string;
  readonly lon?: number | string;
  /** Member user ids, comma-separated. */
  readonly user_id?: string;
}

/**
 * A member of a schedule (path guessed).
 * @example
 * for await (const item of client.scheduleMembers.list()) console.log(item.schedule_member_id);
 */
export interface ScheduleMember extends CyzenRecord {
  readonly schedule_member_id: string;
  readonly schedule_id?: string;
  readonly user_id?: string;
}
/**
 * Filter of `scheduleMembers`.
 * @example
 * const items = await client.scheduleMembers.list({ schedule_id }).toArray({ limit: 1000 });
 */
export interface ScheduleMemberFilter {
  readonly schedule_member_id?: string;
  readonly schedule_id?: string;
  readonly user_id?: string;
}
/**
 * Fields of a schedule-member write.
 * @example
 * await client.scheduleMembers.create({ schedule_id, user_id });
 */
export interface ScheduleMemberInput {
  readonly schedule_id?: string;
  readonly user_id?: string;
}

/**
 * A transport expense (交通費; path guessed).
 * @example
 * for await (const item of client.transportExpenses.list()) console.log(item.transport_expense_id);
 */
export interface TransportExpense extends CyzenRecord {
  readonly transport_expense_id: string;
  readonly user_id?: string;
  readonly use_date?: string;
  readonly amount?: number;
}
/**
 * Filter of `transportExpenses`.
 * @example
 * const items = await client.transportExpenses.list({ user_id }).toArray({ limit: 1000 });
 */
export interface TransportExpenseFilter {
  readonly transport_expense_id?: string;
  readonly user_id?: string;
}

/**
 * A spot photo (path guessed); the picture itself is `client.images.get(image_id)`.
 * @example
 * for await (const item of client.spotPhotos.list()) console.log(item.spot_photo_id);
 */
export interface SpotPhoto extends CyzenRecord {
  readonly spot_photo_id: string;
  readonly spot_id?: string;
  readonly image_id?: string;
  readonly user_id?: string;
  readonly comment?: string;
  readonly created_at?: string;
}
/**
 * Filter of `spotPhotos`.
 * @example
 * const items = await client.spotPhotos.list({ spot_id }).toArray({ limit: 1000 });
 */
export interface SpotPhotoFilter {
  readonly spot_photo_id?: string;
  readonly spot_id?: string;
}

/**
 * A tag on a spot photo (path guessed).
 * @example
 * for await (const item of client.spotPhotoTags.list()) console.log(item.spot_photo_tag_id);
 */
export interface SpotPhotoTag extends CyzenRecord {
  readonly spot_photo_tag_id: string;
  readonly spot_photo_id?: string;
  readonly spot_photo_tag_name?: string;
}
/**
 * Filter of `spotPhotoTags`.
 * @example
 * const items = await client.spotPhotoTags.list({ spot_photo_id }).toArray({ limit: 1000 });
 */
export interface SpotPhotoTagFilter {
  readonly spot_photo_tag_id?: string;
  readonly spot_photo_id?: string;
}

/**
 * A spot's classification (仕分け構造; path guessed).
 * @example
 * for await (const item of client.spotClassifications.list()) console.log(item.spot_classification_id);
 */
export interface SpotClassification extends CyzenRecord {
  readonly spot_classification_id: string;
  readonly spot_id?: string;
  readonly spot_classification_definition_id?: string;
}
/**
 * Filter of `spotClassifications`.
 * @example
 * const items = await client.spotClassifications.list({ spot_id }).toArray({ limit: 1000 });
 */
export interface SpotClassificationFilter {
  readonly spot_classification_id?: string;
  readonly spot_id?: string;
}
/**
 * Fields of a spot-classification update.
 * @example
 * await client.spotClassifications.update(id, { spot_classification_definition_id });
 */
export interface SpotClassificationInput {
  readonly spot_classification_definition_id?: string;
}

/**
 * A node of the spot classification structure definition (path guessed).
 * @example
 * for await (const item of client.spotClassificationDefinitions.list()) console.log(item.spot_classification_definition_id);
 */
export interface SpotClassificationDefinition extends CyzenRecord {
  readonly spot_classification_definition_id: string;
  readonly spot_classification_definition_name?: string;
  readonly parent_id?: string | null;
  readonly level?: number;
}
/**
 * Filter of `spotClassificationDefinitions`.
 * @example
 * const items = await client.spotClassificationDefinitions.list({}).toArray({ limit: 1000 });
 */
export interface SpotClassificationDefinitionFilter {
  readonly spot_classification_definition_id?: string;
}

/**
 * Per-photo metadata of a spot photo (path guessed).
 * @example
 * for await (const item of client.spotPhotoMetadata.list()) console.log(item.spot_photo_id);
 */
export interface SpotPhotoMetadata extends CyzenRecord {
  readonly spot_photo_id: string;
  readonly title?: string;
  readonly description?: string;
  readonly taken_at?: string;
  readonly latitude?: number;
  readonly longitude?: number;
}
/**
 * Filter of `spotPhotoMetadata`.
 * @example
 * const items = await client.spotPhotoMetadata.list({ spot_photo_id }).toArray({ limit: 1000 });
 */
export interface SpotPhotoMetadataFilter {
  readonly spot_photo_id?: string;
}
/**
 * Fields of a spot-photo-metadata update.
 * @example
 * await client.spotPhotoMetadata.update(spotPhotoId, { title: "外観" });
 */
export interface SpotPhotoMetadataInput {
  readonly title?: string;
  readonly description?: string;
}

/**
 * A user tag.
 * @example
 * for await (const item of client.userTags.list()) console.log(item.user_tag_id);
 */
export interface UserTag extends CyzenRecord {
  readonly user_tag_id: string;
  readonly user_tag_name?: string;
}
/**
 * Filter of `userTags`.
 * @example
 * const items = await client.userTags.list({}).toArray({ limit: 1000 });
 */
export interface UserTagFilter {
  readonly user_tag_id?: string;
}

/**
 * `client.images`: report and spot photos.
 * @example
 * const blob = await client.images.get(imageId);
 */
export interface Images {
  /**
   * One image by id, as a `Blob` with its content type.
   * @example const blob = await client.images.get(photo.image_id); img.src = URL.createObjectURL(blob);
   */
  get(imageId: string, options?: CallOptions): Promise<Blob>;
}

/**
 * Every resource of the client, with exactly the operations the vendor's table lists.
 * @example
 * const { spots, reports } = client;
 */
export interface CyzenResources {
  /** 履歴情報（打刻）: get. */
  readonly histories: Listable<History, HistoryFilter>;
  /** 履歴情報（自動記録位置情報）: get. */
  readonly trackings: Listable<Tracking, TrackingFilter>;
  /** ユーザーごとの最新位置: get. */
  readonly latestLocations: Listable<LatestLocation, LatestLocationFilter>;
  /** スポット情報: get, add, update, delete. */
  readonly spots: Listable<Spot, SpotFilter> & Creatable<SpotInput, "spot_id"> & Updatable<SpotInput, "spot_id"> & Deletable;
  /** スポット顧客担当者: get. */
  readonly spotCustomers: Listable<SpotCustomer, SpotCustomerFilter>;
  /** スポット自社担当者: get, add, delete. */
  readonly spotStaff: Listable<SpotStaff, SpotStaffFilter> & Creatable<SpotStaffInput, "spot_staff_id"> & Deletable;
  /** スポットとスポットタグの関連づけ: add, update, delete. */
  readonly spotTagLinks: Creatable<SpotTagLinkInput, "spot_tag_link_id"> & Updatable<SpotTagLinkInput, "spot_tag_link_id"> & Deletable;
  /** スポットタグ情報: get. */
  readonly spotTags: Listable<SpotTag, SpotTagFilter>;
  /** グループ情報: get, add, update, delete. */
  readonly groups: Listable<Group, GroupFilter> & Creatable<GroupInput, "group_id"> & Updatable<GroupInput, "group_id"> & Deletable;
  /** ユーザー情報: get, add, update, delete. */
  readonly users: Listable<User, UserFilter> & Creatable<UserInput, "user_id"> & Updatable<UserInput, "user_id"> & Deletable;
  /** ユーザー所属情報: add, update, delete. */
  readonly userAffiliations: Creatable<UserAffiliationInput, "user_affiliation_id"> &
    Updatable<UserAffiliationInput, "user_affiliation_id"> & Deletable;
  /** ステータス情報: get. */
  readonly statuses: Listable<Status, StatusFilter>;
  /** 行動種別情報: get. */
  readonly actionTypes: Listable<ActionType, ActionTypeFilter>;
  /** 報告書定義情報: get. */
  readonly reportDefinitions: Listable<ReportDefinition, ReportDefinitionFilter>;
  /** 報告書: get. */
  readonly reports: Listable<Report, ReportFilter>;
  /** 画像: get (one image by id). */
  readonly images: Images;
  /** 予定情報: get, add, update, delete. */
  readonly schedules: Listable<Schedule, ScheduleFilter> & Creatable<ScheduleInput, "schedule_id"> & Updatable<ScheduleInput, "schedule_id"> & Deletable;
  /** 予定のメンバー: get, add, update, delete. */
  readonly scheduleMembers: Listable<ScheduleMember, ScheduleMemberFilter> & Creatable<ScheduleMemberInput, "schedule_member_id"> &
    Updatable<ScheduleMemberInput, "schedule_member_id"> & Deletable;
  /** 交通費情報: get. */
  readonly transportExpenses: Listable<TransportExpense, TransportExpenseFilter>;
  /** スポット写真情報: get, delete. */
  readonly spotPhotos: Listable<SpotPhoto, SpotPhotoFilter> & Deletable;
  /** スポット写真タグ情報: get, delete. */
  readonly spotPhotoTags: Listable<SpotPhotoTag, SpotPhotoTagFilter> & Deletable;
  /** スポット仕分け構造情報: get, update. */
  readonly spotClassifications: Listable<SpotClassification, SpotClassificationFilter> & Updatable<SpotClassificationInput, "spot_classification_id">;
  /** スポット仕分け構造定義情報: get. */
  readonly spotClassificationDefinitions: Listable<SpotClassificationDefinition, SpotClassificationDefinitionFilter>;
  /** スポット写真情報の写真ごとの情報 (メタデータ): get, update. */
  readonly spotPhotoMetadata: Listable<SpotPhotoMetadata, SpotPhotoMetadataFilter> & Updatable<SpotPhotoMetadataInput, "spot_photo_id">;
  /** ユーザータグ (seen in the field, not in the vendor's table): get. */
  readonly userTags: Listable<UserTag, UserTagFilter>;
}

/**
 * A resource name.
 * @example
 * const name: CyzenResourceName = "spots";
 */
export type CyzenResourceName = keyof CyzenResources;

/**
 * Operations per resource, as the vendor's table lists them (`g` get/list, `a` add, `u` update,
 * `d` delete, `i` one image by id).
 * @example
 * CYZEN_RESOURCES.spotPhotos; // "gd": list and delete
 */
export const CYZEN_RESOURCES: Readonly<Record<CyzenResourceName, string>> = RESOURCE_OPERATIONS;

/** The generated table names exactly the resources of {@link CyzenResources} (a compile-time check). */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const resourceNamesMatch: SameNames<keyof typeof RESOURCE_OPERATIONS, CyzenResourceName> = true;
void resourceNamesMatch;

// ---------------------------------------------------------------------------------------------
// Client

/**
 * A path override: the path, or the path with the list key and id key.
 * @example
 * paths: { spotStaff: "/spot_members", trackings: { path: "/locations", listKey: "locations" } }
 */
export type PathOverride = string | { readonly path?: string; readonly listKey?: string; readonly idKey?: string };

/**
 * Browser mode of {@link CyzenClient}: no token and no `company_id` in the page; a
 * {@link createCyzenProxy} (in a Worker or a server) adds them.
 * @example
 * const client = new CyzenClient({ baseUrl: "/cyzen", auth: { proxy: true } });
 */
export interface CyzenProxyAuth {
  /** Send requests without a token to the proxy at `baseUrl`. */
  readonly proxy: true;
}

/**
 * Settings of {@link CyzenClient}.
 * @example
 * new CyzenClient({ companyId, auth: oauth, requestsPerSecond: 5,
 *   paths: { trackings: { path: "/locations", listKey: "locations" } } });
 */
export interface CyzenClientOptions extends ClientHooks {
  /** Default `https://ext.cyzen.cloud/webapi/v0`. */
  readonly baseUrl?: string;
  /** The tenant id (`company_id`, 32 hex characters), sent with every call. */
  readonly companyId: string;
  /** A {@link CyzenOAuth}, or a static token for server-to-server jobs (treat it like a password). */
  readonly auth: CyzenOAuth | { readonly staticToken: string };
  /** Requests in any 1-second window (default 5, cyzen's limit per access token). */
  readonly requestsPerSecond?: number;
  /** Retries of a 503/429 (and, for reads, PUT and DELETE, of other 5xx and network failures); default 5. */
  readonly maxRetries?: number;
  /** A `fetch` to use instead of the global one. */
  readonly fetch?: FetchLike;
  /** Default deadline of a call (of each page of a list) in milliseconds (default 60 000; a call's
   * own `timeoutMs` wins). It covers pacing waits, retries, a token refresh and reading the answer. */
  readonly timeoutMs?: number;
  /** Answers larger than this many bytes fail with `RESPONSE_TOO_LARGE` (default 16 MiB). */
  readonly maxResponseBytes?: number;
  /**
   * Paces this client's requests and its token refreshes together with every other instance
   * using the same token (Worker isolates): see {@link durableObjectCoordinator}. Default: the
   * `CyzenOAuth`'s coordinator, else none (the client's own pacer alone, right for one instance).
   */
  readonly coordinator?: CyzenCoordinator;
  /** Replace the path (and list key, id key) of resources; see the confirmed/guess table in the docs. */
  readonly paths?: Partial<Record<CyzenResourceName, PathOverride>>;
}

/**
 * Settings of a {@link CyzenClient} in a browser page behind a {@link createCyzenProxy}: no token
 * and no `company_id` (the proxy adds both; giving `companyId` here is refused). The client still
 * paces, retries and paginates.
 * @example
 * new CyzenClient({ baseUrl: "/cyzen", auth: { proxy: true } });
 */
export interface CyzenProxyClientOptions extends Omit<CyzenClientOptions, "companyId" | "auth"> {
  /** Where the proxy is mounted: absolute, or a path on the page's origin (`/cyzen`). */
  readonly baseUrl: string;
  /** Not accepted: the proxy sends its own. */
  readonly companyId?: undefined;
  /** `{ proxy: true }`. */
  readonly auth: CyzenProxyAuth;
}

/**
 * The resource namespaces of a {@link CyzenClient} (declaration merged into the class; they are
 * built in its constructor from {@link CYZEN_RESOURCES}).
 * @example
 * const client: CyzenClient = new CyzenClient({ companyId, auth: { staticToken } });
 * await client.spotTags.list().toArray({ limit: 100 });
 */
export interface CyzenClient extends CyzenResources {}

/**
 * The cyzen client. Every request it sends shares one pacer (5 per sliding second, 6 in flight).
 *
 * @example
 * const client = new CyzenClient({ companyId, auth: { staticToken: env.CYZEN_STATIC_TOKEN } });
 * for await (const report of client.reports.list({ updated_from: "2024-05-01", updated_to: new Date() })) {
 *   console.log(report.report_id, report.created_at);
 * }
 */
export class CyzenClient {
  constructor(options: CyzenClientOptions | CyzenProxyClientOptions) {
    const o = record(options, "options");
    const auth = o.auth;
    const oauth = auth instanceof CyzenOAuth ? oauthPartsOf(auth) : undefined;
    const clientFetch = func(o, "fetch");
    const core = cyzenWasm.revivable((glue) => new glue.CyzenCore(o, oauth?.core().share()));
    checkLimits(o);
    const context: DriveContext = {
      fetch: clientFetch,
      tokenFetch: oauth?.fetch ?? clientFetch,
      store: oauth?.store,
      timeoutMs: o.timeoutMs as number | undefined,
      maxResponseBytes: o.maxResponseBytes as number | undefined,
      hooks: checkHooks(o as ClientHooks, invalid),
      coordinator: checkCoordinator(o.coordinator) ?? oauth?.coordinator,
      requestsPerSecond: typeof o.requestsPerSecond === "number" ? o.requestsPerSecond : undefined,
    };
    const run = async <T>(operation: string, task: () => Task, opts: CallOptions | undefined): Promise<T> => {
      const call = callContext({ ...context, operation }, opts);
      return drive<T>(cyzenWasm, task, call);
    };
    for (const [name, ops] of Object.entries(CYZEN_RESOURCES)) {
      const api: Record<string, unknown> = {};
      if (ops.includes("g")) api.list = (filter?: object, opts?: ListOptions) => listResult(core, name, filter, opts, context);
      if (ops.includes("a")) api.create = (input: object, opts?: CallOptions) => run(`${name}.create`, () => core().write(name, "create", undefined, input), opts);
      if (ops.includes("u")) api.update = (id: string, input: object, opts?: CallOptions) => run(`${name}.update`, () => core().write(name, "update", idText(id), input), opts);
      if (ops.includes("d")) api.delete = async (id: string, opts?: CallOptions) => { await run(`${name}.delete`, () => core().write(name, "delete", idText(id), undefined), opts); };
      if (ops.includes("i")) api.get = (id: string, opts?: CallOptions) => run(`${name}.get`, () => core().image(idText(id)), opts);
      Object.defineProperty(this, name, { value: Object.freeze(api), enumerable: true });
    }
  }
}
nameClasses({ CyzenOAuth, CyzenClient });

/** An id argument as text (`INVALID_INPUT` when it is not a string or a number). */
function idText(id: unknown): string {
  if (typeof id === "string") return id;
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  throw invalid("id", "must be a string");
}

/** Some answers spell the creation time `create_at`: every object (nested ones too, like the
 * `history` and `tracking` of a latest location) also gets `created_at`. */
function withCreatedAt(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) withCreatedAt(item);
  } else if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    if (!("created_at" in object) && "create_at" in object) object.created_at = object.create_at;
    for (const key in object) {
      const member = object[key];
      if (member !== null && typeof member === "object") withCreatedAt(member);
    }
  }
}

function withDelivered(error: unknown, delivered: number): unknown {
  if (error !== null && typeof error === "object") {
    Object.defineProperty(error, "delivered", { value: delivered, enumerable: true, configurable: true });
  }
  return error;
}

function listResult<T>(core: () => CyzenCore, name: string, filter: object | undefined, options: ListOptions | undefined, context: DriveContext): ListResult<T> {
  const call = callContext({ ...context, operation: `${name}.list` }, options);
  async function* pages(): AsyncGenerator<Page<T>, void, undefined> {
    let cursor: Cursor | null = options?.cursor ?? null;
    let delivered = 0;
    let count = 0;
    for (;;) {
      let page: Page<T>;
      try {
        page = await drive<Page<T>>(cyzenWasm, () => core().listPage(name, filter, cursor ?? undefined), call);
      } catch (error) {
        throw withDelivered(error, delivered);
      }
      withCreatedAt(page.items);
      delivered += page.items.length;
      count += 1;
      options?.onProgress?.({ pages: count, items: delivered, next: page.next });
      yield page;
      if (page.next === null) return;
      cursor = page.next;
    }
  }
  async function* items(): AsyncGenerator<T, void, undefined> {
    for await (const page of pages()) yield* page.items;
  }
  return {
    [Symbol.asyncIterator]: () => items(),
    pages,
    async toArray(opts: ToArrayOptions): Promise<T[]> {
      const limit = opts?.limit;
      if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
        throw makeError("INVALID_INPUT", "limit: toArray needs { limit } (a positive integer)", { field: "limit" });
      }
      const out: T[] = [];
      for await (const item of items()) {
        out.push(item);
        if (out.length >= limit) break;
      }
      return out;
    },
  };
}

