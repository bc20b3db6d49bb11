// cyzen OAuth 2.0 against the sandbox's authorization server: code flow with PKCE S256 and state,
// refresh rotation, single-flight refresh, refused refresh, signed PKCE cookie, stores.
import { admin, assert, assertEqual, expectError, requestLog, clearRequestLog } from "../harness.js";
import {
  approve, config, formField, oauthClient, oauthOptions, param, resetStats, signIn, stats,
} from "./cyzen-common.js";

async function sha256base64url(text) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function mintedOAuth(lib, env, extra = {}) {
  const minted = await admin(env, "/__admin/cyzen/tokens", { client_id: env.cyzen.clientId });
  const oauth = new lib.CyzenOAuth(oauthOptions(env, extra));
  await oauth.setTokens({ accessToken: minted.access_token, refreshToken: minted.refresh_token, tokenType: "bearer" });
  return { oauth, minted };
}

/** Run by `cyzen.js` (this module is also loaded as a suite of its own, with no checks). */
export const checks = {};

export const oauthChecks = {
  "the code flow through the authorize endpoint (auto-approve) gives tokens that the API accepts": async (lib, env) => {
    await resetStats(env);
    const { oauth, tokens } = await signIn(lib, env);
    assert(tokens.accessToken.startsWith("czat_") && tokens.refreshToken.startsWith("czrt_"), "token set");
    assertEqual(tokens.tokenType, "bearer", "tokenType");
    assert(tokens.expiresAt > Date.now() + 3_000_000, "expiresAt from expires_in");
    assertEqual(await oauth.getTokens(), tokens, "stored tokens");
    const groups = await oauthClient(lib, env, oauth).groups.list().toArray({ limit: 100 });
    assert(groups.length > 0, "groups listed with the OAuth token");
    const s = await stats(env);
    assertEqual(s.token_endpoint.authorization_code, { calls: 1, ok: 1 }, "one code exchange");
  },

  "the authorize URL carries state and the S256 challenge of the verifier sent with the code": async (lib, env) => {
    await config(env, { auto_approve: true });
    await clearRequestLog(env);
    const oauth = new lib.CyzenOAuth(oauthOptions(env));
    const { url, state } = await oauth.authorizationUrl();
    const query = new URL(url).searchParams;
    assertEqual(query.get("state"), state, "state");
    assertEqual(query.get("code_challenge_method"), "S256", "method");
    assertEqual(query.get("response_type"), "code", "response_type");
    assert(state.length >= 43, "state has at least 256 bits");
    await oauth.handleCallback(await approve(url));
    const [token] = await requestLog(env, "/oauth/token");
    const verifier = formField(token, "code_verifier");
    assert(verifier && verifier.length >= 43, "verifier sent");
    assertEqual(await sha256base64url(verifier), query.get("code_challenge"), "challenge = BASE64URL(SHA256(verifier))");
    assertEqual(token.headers["x-app-token"], env.cyzen.appToken, "app token header");
    assert(token.headers.authorization?.startsWith("Basic "), "client_secret_basic by default");
    assertEqual(formField(token, "redirect_uri"), `${env.sandboxUrl}/callback`, "redirect_uri");
  },

  "a callback whose state was never issued is refused (OAUTH_STATE) and no code is exchanged": async (lib, env) => {
    await config(env, { auto_approve: true });
    const oauth = new lib.CyzenOAuth(oauthOptions(env));
    const { url, state } = await oauth.authorizationUrl();
    const callback = await approve(url);
    await clearRequestLog(env);
    await expectError(oauth.handleCallback(callback.replace(state, "forged-state")), "OAUTH_STATE", lib.OAuthError);
    await expectError(oauth.handleCallback(`${env.sandboxUrl}/callback?code=x`), "OAUTH_STATE", lib.OAuthError);
    // A second instance with its own store never issued this state either.
    await expectError(new lib.CyzenOAuth(oauthOptions(env)).handleCallback(callback), "OAUTH_STATE", lib.OAuthError);
    assertEqual((await requestLog(env, "/oauth/token")).length, 0, "token requests");
    // The genuine callback still works once, then its state is used up.
    await oauth.handleCallback(callback);
    await expectError(oauth.handleCallback(callback), "OAUTH_STATE", lib.OAuthError);
  },

  "denying on the consent page comes back as OAUTH_ACCESS_DENIED": async (lib, env) => {
    await config(env, { auto_approve: false });
    const oauth = new lib.CyzenOAuth(oauthOptions(env));
    const { url } = await oauth.authorizationUrl();
    const page = await (await fetch(url)).text();
    const ticket = /name="ticket" value="([^"]+)"/.exec(page)?.[1];
    assert(ticket, "consent page has a ticket");
    const response = await fetch(`${env.sandboxUrl}/oauth/authorize`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ticket, decision: "deny" }),
      redirect: "follow",
    });
    await response.arrayBuffer();
    const error = await expectError(oauth.handleCallback(response.url), "OAUTH_ACCESS_DENIED", lib.OAuthError);
    assertEqual(error.oauthError, "access_denied", "oauthError");
  },

  "refresh rotates the refresh token and the old one is refused with OAUTH_INVALID_GRANT": async (lib, env) => {
    await clearRequestLog(env);
    const { oauth, tokens } = await signIn(lib, env);
    const first = await oauth.refresh();
    const second = await oauth.refresh();
    assert(first.refreshToken !== tokens.refreshToken && second.refreshToken !== first.refreshToken, "rotated");
    const used = (await requestLog(env, "/oauth/token")).filter((e) => formField(e, "grant_type") === "refresh_token")
      .map((e) => formField(e, "refresh_token"));
    assertEqual(used, [tokens.refreshToken, first.refreshToken], "each refresh used the newest refresh token");
    const stale = new lib.CyzenOAuth(oauthOptions(env));
    await stale.setTokens(tokens);
    const error = await expectError(stale.refresh(), "OAUTH_INVALID_GRANT", lib.OAuthError);
    assertEqual(error.oauthError, "invalid_grant", "oauthError");
    assert(!String(error.message).includes(tokens.refreshToken), "the token is not in the message");
    assertEqual(await stale.getTokens(), tokens, "the refused tokens are kept");
  },

  "50 concurrent calls with an expired access token make exactly one refresh request": async (lib, env) => {
    await config(env, { rate_limit_per_sec: 0 }); // this check is about the refresh, not pacing
    const { oauth } = await mintedOAuth(lib, env);
    const client = oauthClient(lib, env, oauth, { requestsPerSecond: 1000 });
    await admin(env, "/__admin/cyzen/expire", { all: true });
    await resetStats(env);
    const results = await Promise.all(Array.from({ length: 50 }, () => client.statuses.list().toArray({ limit: 1 })));
    assertEqual(results.filter((r) => r.length === 1).length, 50, "all 50 calls succeeded");
    const s = await stats(env);
    assertEqual(s.token_endpoint.refresh_token, { calls: 1, ok: 1 }, "refresh requests");
    assert(s.unauthorized.expired >= 1 && s.unauthorized.expired <= 6, `401s only from the first in-flight calls: ${s.unauthorized.expired}`);
    await config(env, { rate_limit_per_sec: 5 });
  },

  "concurrent explicit refresh() calls share one token request": async (lib, env) => {
    const { oauth } = await mintedOAuth(lib, env);
    await resetStats(env);
    const sets = await Promise.all([oauth.refresh(), oauth.refresh(), oauth.refresh(), oauth.refresh()]);
    assertEqual(new Set(sets.map((t) => t.accessToken)).size, 1, "same tokens for all");
    assertEqual((await stats(env)).token_endpoint.refresh_token.calls, 1, "refresh requests");
  },

  "a refused refresh rejects API calls with OAUTH_INVALID_GRANT and keeps the tokens": async (lib, env) => {
    const { oauth, minted } = await mintedOAuth(lib, env);
    const before = await oauth.getTokens();
    await admin(env, "/__admin/cyzen/expire", { refresh_token: minted.refresh_token });
    await admin(env, "/__admin/cyzen/expire", { all: true });
    await resetStats(env);
    const client = oauthClient(lib, env, oauth);
    const calls = await Promise.allSettled([1, 2, 3].map(() => client.users.list().toArray({ limit: 1 })));
    for (const call of calls) {
      assertEqual(call.status, "rejected", "call outcome");
      assertEqual(call.reason.code, "OAUTH_INVALID_GRANT", "code");
      assert(call.reason instanceof lib.OAuthError, "OAuthError");
    }
    assertEqual((await stats(env)).token_endpoint.refresh_token.calls, 1, "a known refusal is not repeated");
    assertEqual(await oauth.getTokens(), before, "tokens kept for the caller to inspect or replace");
  },

  "a proactively expired token (expiresAt passed) is refreshed before the call": async (lib, env) => {
    const { oauth, minted } = await mintedOAuth(lib, env);
    await oauth.setTokens({ accessToken: minted.access_token, refreshToken: minted.refresh_token, tokenType: "bearer", expiresAt: Date.now() - 1000 });
    await resetStats(env);
    await oauthClient(lib, env, oauth).groups.list().toArray({ limit: 1 });
    const s = await stats(env);
    assertEqual(s.token_endpoint.refresh_token.calls, 1, "refreshed");
    assertEqual(s.unauthorized.expired, 0, "no 401 round trip");
  },

  "with a cookie secret the callback completes in another instance from the signed cookie": async (lib, env) => {
    await config(env, { auto_approve: true });
    const cookieSecret = "e2e cookie secret, at least thirty-two bytes long";
    const starter = new lib.CyzenOAuth(oauthOptions(env, { cookieSecret }));
    const { url, cookie, state } = await starter.authorizationUrl();
    assert(typeof cookie === "string" && cookie.startsWith(`${state}.`), "signed cookie value");
    const callback = await approve(url);
    const other = new lib.CyzenOAuth(oauthOptions(env, { cookieSecret }));
    await expectError(other.handleCallback(callback), "OAUTH_STATE", lib.OAuthError);
    await expectError(other.handleCallback(callback, { cookie: cookie.replace(/.$/, (c) => (c === "A" ? "B" : "A")) }), "OAUTH_STATE", lib.OAuthError);
    const tokens = await other.handleCallback(callback, { cookie });
    assert(tokens.accessToken.startsWith("czat_"), "exchanged with the derived verifier");
    await expectError(
      Promise.resolve().then(() => new lib.CyzenOAuth(oauthOptions(env, { cookieSecret: "short" }))),
      "INVALID_INPUT", lib.InvalidInputError);
  },

  "a shared store hands tokens and pending verifiers to another instance": async (lib, env) => {
    await config(env, { auto_approve: true });
    const store = env.runtime === "chromium" ? lib.sessionStorageStore() : lib.memoryStore();
    if (env.runtime !== "chromium") {
      // No sessionStorage outside pages: the adapter says so.
      let thrown;
      try { lib.sessionStorageStore(); } catch (error) { thrown = error; }
      assertEqual(thrown?.code, "INVALID_INPUT", "sessionStorageStore outside a page");
    }
    const page1 = new lib.CyzenOAuth(oauthOptions(env, { store, storeKey: "e2e" }));
    const { url } = await page1.authorizationUrl();
    // After the redirect the page is a new instance over the same store.
    const page2 = new lib.CyzenOAuth(oauthOptions(env, { store, storeKey: "e2e" }));
    const tokens = await page2.handleCallback(await approve(url));
    assertEqual(await new lib.CyzenOAuth(oauthOptions(env, { store, storeKey: "e2e" })).getTokens(), tokens, "tokens loaded");
    await page2.setTokens(null);
    assertEqual(await page2.getTokens(), null, "signed out");
  },

  "without tokens a call fails with OAUTH_NO_TOKEN before anything is sent": async (lib, env) => {
    await clearRequestLog(env);
    const oauth = new lib.CyzenOAuth(oauthOptions(env));
    await expectError(oauthClient(lib, env, oauth).users.list().toArray({ limit: 1 }), "OAUTH_NO_TOKEN", lib.OAuthError);
    assertEqual((await requestLog(env, "/webapi")).length, 0, "requests");
    assert(param, "helpers loaded");
  },
};
