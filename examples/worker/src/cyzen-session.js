// One Durable Object per browser session: it holds the session's cyzen tokens (in its own
// strongly consistent storage) and the ONE CyzenOAuth that uses them. Everything that touches
// those tokens runs here: the sign-in (login, callback), the page's cyzen proxy, the scheduled
// sync, sign-out. A Durable Object exists once worldwide, so a refresh-token rotation can never
// race between isolates or locations: concurrent calls in this object share the library's
// single-flight refresh, and no other object holds the tokens. The tokens are deleted when the
// session ends (an alarm at the session's expiry) and on sign-out.
//
// An object of this class named `coordinator:<token>` (see tokenCoordinator in cyzen.js) instead
// serves the package's CyzenTokenCoordinator: the pacing window (5 calls per sliding second) of one
// token for every isolate. A session's proxy and its sync pace through their session's
// coordinator; the static-token sync through `coordinator:static-token`.
import { DurableObject } from "cloudflare:workers";
import { CyzenOAuth } from "cyzen-senselink/cyzen";
import { CyzenTokenCoordinator, createCyzenProxy } from "cyzen-senselink/server";
import { logFallback, tokenCoordinator } from "./cyzen.js";
import { publicOrigins, sessionSecret } from "./session.js";
import { walkReports } from "./sync.js";

const EXPIRES_KEY = "session:expires";
const REDIRECT_KEY = "session:redirect-uri";

export class CyzenSession extends DurableObject {
  #oauth = null;
  #redirectUri = null;
  #proxy = null;
  #coordination = new CyzenTokenCoordinator();

  constructor(ctx, env) {
    super(ctx, env);
    const storage = ctx.storage;
    // The TokenStore of CyzenOAuth over this object's storage (one object, so one store).
    this.store = {
      load: async (key) => (await storage.get(key)) ?? null,
      // `== null`: the library documents null for "delete", and today passes undefined.
      save: (key, value) => (value == null ? storage.delete(key) : storage.put(key, value)),
    };
  }

  /** The session's CyzenOAuth; `redirectUri` only matters for login and callback. */
  async #oauthFor(redirectUri) {
    const wanted = redirectUri ?? this.#redirectUri ?? (await this.ctx.storage.get(REDIRECT_KEY)) ?? "http://localhost/cyzen/callback";
    if (this.#oauth === null || this.#redirectUri !== wanted) {
      const env = this.env;
      this.#oauth = new CyzenOAuth({
        authorizeUrl: env.CYZEN_AUTHORIZE_URL,
        tokenUrl: env.CYZEN_TOKEN_URL,
        clientId: env.CYZEN_CLIENT_ID,
        clientSecret: env.CYZEN_CLIENT_SECRET || undefined,
        redirectUri: wanted,
        scope: env.CYZEN_SCOPE || undefined,
        appToken: env.CYZEN_APP_TOKEN || undefined,
        appTokenHeader: env.CYZEN_APP_TOKEN ? env.CYZEN_APP_TOKEN_HEADER : undefined,
        store: this.store,
        storeKey: "cyzen",
        // The pending authorization travels in a signed cookie: nothing is stored at login.
        cookieSecret: sessionSecret(env),
        // The proxy (one per page tab's calls) and the sync pace through one window per session.
        coordinator: tokenCoordinator(env, this.ctx.id.toString()),
        onFallback: logFallback,
      });
      this.#redirectUri = wanted;
    }
    return this.#oauth;
  }

  /** The session's OAuth when the session is still running and signed in, else null. */
  async #live() {
    const expires = await this.ctx.storage.get(EXPIRES_KEY);
    if (expires !== undefined && Date.now() >= expires * 1000) {
      await this.#forget();
      return null;
    }
    const oauth = await this.#oauthFor();
    return (await oauth.getTokens()) ? oauth : null;
  }

  /** Deletes the tokens (in memory and stored) and everything else of this session. */
  async #forget() {
    // Through the OAuth object, so the tokens it holds in memory go too.
    await (await this.#oauthFor()).setTokens(null);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#oauth = null;
    this.#proxy = null;
    this.#redirectUri = null;
  }

  /** Starts a sign-in: `{ url, cookie }` (the cookie is the signed PKCE state for the callback). */
  async login(redirectUri) {
    const { url, cookie } = await (await this.#oauthFor(redirectUri)).authorizationUrl();
    return { url, cookie };
  }

  /** Completes a sign-in; the tokens live until `expires` (the session's end, Unix seconds). `{ ok }` or `{ error: code }`. */
  async callback(callbackUrl, cookie, redirectUri, expires) {
    try {
      await (await this.#oauthFor(redirectUri)).handleCallback(callbackUrl, { cookie: cookie ?? undefined });
    } catch (error) {
      console.error("cyzen callback failed", error?.code ?? "", error?.message ?? error);
      return { error: typeof error?.code === "string" ? error.code : "OAUTH_ERROR" };
    }
    await this.ctx.storage.put({ [REDIRECT_KEY]: redirectUri, [EXPIRES_KEY]: expires });
    await this.ctx.storage.setAlarm(expires * 1000);
    return { ok: true };
  }

  /** `{ signedIn, expiresAt }` (the access token's expiry). */
  async status() {
    const oauth = await this.#live();
    const tokens = oauth ? await oauth.getTokens() : null;
    return { signedIn: tokens !== null, expiresAt: tokens?.expiresAt ?? null };
  }

  async logout() {
    await this.#forget();
  }

  /** The page's cyzen proxy (`/cyzen/<resource>`); the Worker checked the caller before forwarding. */
  async fetch(request) {
    const url = new URL(request.url);
    // The coordinator protocol (https://coordinator/acquire…); a page's request forwarded by the
    // Worker always has a /cyzen/ path, so it never reaches it.
    if (url.hostname === "coordinator" && !url.pathname.startsWith("/cyzen/")) return this.#coordination.fetch(request);
    const env = this.env;
    this.#proxy ??= createCyzenProxy({
      baseUrl: env.CYZEN_BASE_URL || undefined,
      companyId: env.CYZEN_COMPANY_ID,
      // Without tokens (never signed in, signed out, session over) the proxy answers 401 "sign in".
      auth: () => this.#live(),
      // Only the Worker can reach this object, and it forwards a request only after its caller
      // check (Access or the local demo, the session cookie, same origin): see cyzen.js.
      authorize: () => true,
      origin: publicOrigins(env),
      timeoutMs: 30_000,
    });
    return this.#proxy(request);
  }

  /** The scheduled report sync with this session's tokens: the summary. */
  async sync(scheduledTime) {
    const oauth = await this.#live();
    return walkReports(this.env, oauth, oauth ? "OAuth (latest sign-in)" : null, scheduledTime);
  }

  /** The session is over: its tokens go. */
  async alarm() {
    await this.#forget();
  }
}
