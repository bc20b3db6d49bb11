// Helpers shared by the cyzen suites (this module is also loaded as a suite, with no checks).
import { admin, assert } from "../harness.js";

export const checks = {};

const staticClients = new WeakMap();

/** One static-token client per runtime, shared by the suites (its pacer then spans them all). */
export function staticClient(lib, env) {
  let client = staticClients.get(lib);
  if (!client) {
    client = newStaticClient(lib, env);
    staticClients.set(lib, client);
  }
  return client;
}

export function newStaticClient(lib, env, extra = {}) {
  return new lib.CyzenClient({
    baseUrl: env.cyzen.baseUrl,
    companyId: env.cyzen.companyId,
    auth: { staticToken: env.cyzen.staticToken },
    ...extra,
  });
}

/** Options of a CyzenOAuth for the sandbox's confidential client, redirecting to the sandbox itself
 * (a loopback URL the sandbox accepts; it answers 404 there, with CORS, so `response.url` is readable). */
export function oauthOptions(env, extra = {}) {
  return {
    authorizeUrl: env.cyzen.authorizeUrl,
    tokenUrl: env.cyzen.tokenUrl,
    clientId: env.cyzen.clientId,
    clientSecret: env.cyzen.clientSecret,
    redirectUri: `${env.sandboxUrl}/callback`,
    appToken: env.cyzen.appToken,
    appTokenHeader: env.cyzen.appTokenHeader,
    ...extra,
  };
}

/** Follows the authorize URL (auto-approve on) and returns the callback URL with code and state.
 * `redirect: "follow"` and `response.url` work the same in Node, Chromium and workerd, where a
 * cross-origin `redirect: "manual"` would be opaque in Chromium. */
export async function approve(url) {
  const response = await fetch(url, { redirect: "follow" });
  await response.arrayBuffer();
  assert(response.url.includes("code=") || response.url.includes("error="), `no callback reached: ${response.url}`);
  return response.url;
}

/** A CyzenOAuth signed in through the real code flow (auto-approve). */
export async function signIn(lib, env, extra = {}) {
  await config(env, { auto_approve: true });
  const oauth = new lib.CyzenOAuth(oauthOptions(env, extra));
  const { url } = await oauth.authorizationUrl();
  const tokens = await oauth.handleCallback(await approve(url));
  return { oauth, tokens };
}

/** A client over a CyzenOAuth. */
export function oauthClient(lib, env, oauth, extra = {}) {
  return new lib.CyzenClient({ baseUrl: env.cyzen.baseUrl, companyId: env.cyzen.companyId, auth: oauth, ...extra });
}

export const info = async (env) => (await fetch(`${env.sandboxUrl}/__admin/cyzen/info`)).json();
export const stats = async (env) => (await fetch(`${env.sandboxUrl}/__admin/cyzen/stats`)).json();
export const resetStats = (env) => admin(env, "/__admin/cyzen/stats", undefined, "DELETE");
export const config = (env, patch) => admin(env, "/__admin/cyzen/config", patch);
export const queueFault = (env, pathPrefix, fault, count = 1, method) =>
  admin(env, "/__admin/faults", { path_prefix: pathPrefix, fault, count, ...(method ? { method } : {}) });
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A query parameter of a request-log entry. */
export function param(entry, name) {
  return entry.query_params.find((p) => p.name === name)?.value;
}

/** A form field of a request-log entry. */
export function formField(entry, name) {
  return entry.body?.fields?.find((f) => f.name === name)?.value;
}

/** Unix seconds of a cyzen datetime (`YYYY-MM-DDThh:mm:ss`, UTC). */
export function seconds(text) {
  assert(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text), `not a cyzen UTC datetime: ${text}`);
  return Date.parse(`${text}Z`) / 1000;
}
