// The JS baseline the benchmarks compare against: what a developer would write without this
// package — spark-md5 for the signature, a fetch-based request helper for SenseLink, a plain cyzen
// client object and a signing proxy (no validation beyond the obvious, no typed errors, no
// retries). Same job for the measured paths, so sizes and timings compare. One module for every
// entry point's comparison: its size row is this module bundled the way the entries are.
import SparkMD5 from "spark-md5";

/** md5(`timestamp#secret`), hex: the SenseLink signature (spark-md5 encodes the text as UTF-8). */
export function senselinkSign(timestamp, appSecret) {
  return SparkMD5.hash(`${timestamp}#${appSecret}`);
}

/** GET or multipart POST to SenseLink with the three signing parameters; returns `data`. */
export async function senselinkCall({ baseUrl, appKey, appSecret, path, query = {}, form, fetch: doFetch = fetch }) {
  const timestamp = String(Date.now());
  const params = new URLSearchParams({ ...query, app_key: appKey, timestamp, sign: senselinkSign(timestamp, appSecret) });
  let body;
  if (form) {
    body = new FormData();
    for (const [name, value] of Object.entries(form)) body.append(name, value);
  }
  const response = await doFetch(`${baseUrl}${path}?${params}`, { method: form ? "POST" : "GET", body });
  const envelope = await response.json();
  if (envelope.code !== 200) throw new Error(`SenseLink ${envelope.code}: ${envelope.message}`);
  return envelope.data;
}

/** One SenseLink list page (`data` is a plain array): the items and the next page number, which
 * exists when the page came back full. */
export async function senselinkPage({ page = 1, size = 20, query = {}, ...call }) {
  const items = await senselinkCall({ ...call, query: { ...query, page, size } });
  return { items, page, size, nextPage: items.length === size ? page + 1 : null };
}

/** One cyzen list page by hand: bearer token, `company_id`, JSON, `errors[]` check. */
export async function cyzenPage({ baseUrl, token, companyId, path, listKey, query = {}, fetch: doFetch = fetch }) {
  const params = new URLSearchParams({ ...query, company_id: companyId });
  const response = await doFetch(`${baseUrl}${path}?${params}`, { headers: { authorization: `bearer ${token}` } });
  const body = await response.json();
  if (body.errors?.length) throw new Error(`cyzen ${body.errors[0].err_code}: ${body.errors[0].err_msg}`);
  const next = Object.fromEntries(Object.entries(body).filter(([k, v]) => k.startsWith("next_") && v));
  return { items: body[listKey] ?? [], next };
}

/** The pacing most hand-written clients use: a fixed 1-second window with a counter. */
export function fixedWindowLimiter(perSecond) {
  let windowStart = 0;
  let count = 0;
  return async function acquire() {
    for (;;) {
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        count = 0;
      }
      if (count < perSecond) {
        count += 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, windowStart + 1000 - now));
    }
  };
}

/** A plain cyzen client: the configuration checked and kept, the bearer header built once, pages
 * fetched with {@link cyzenPage} behind a {@link fixedWindowLimiter}. The cold-start baseline for
 * `new CyzenClient(…)`. */
export class CyzenClient {
  constructor({ auth, companyId, baseUrl, requestsPerSecond = 5, fetch: doFetch = globalThis.fetch }) {
    if (typeof auth?.staticToken !== "string" || !auth.staticToken) throw new TypeError("auth.staticToken is required");
    if (typeof companyId !== "string" || !companyId) throw new TypeError("companyId is required");
    this.baseUrl = new URL(baseUrl).href.replace(/\/+$/, "");
    this.companyId = companyId;
    this.token = auth.staticToken;
    this.fetch = doFetch;
    this.acquire = fixedWindowLimiter(requestsPerSecond);
  }

  async page(path, listKey, query = {}) {
    await this.acquire();
    return cyzenPage({ baseUrl: this.baseUrl, token: this.token, companyId: this.companyId, path, listKey, query, fetch: this.fetch });
  }
}

/** A SenseLink signing proxy by hand: the caller check, then the request forwarded with
 * `app_key`, `timestamp` and `sign` added. The cold-start baseline for `createSenseLinkProxy(…)`. */
export function createSenseLinkProxy({ baseUrl, appKey, appSecret, authorize, prefix = "/senselink", fetch: doFetch = globalThis.fetch }) {
  if (!appKey || !appSecret) throw new TypeError("appKey and appSecret are required");
  if (typeof authorize !== "function") throw new TypeError("authorize is required");
  const upstream = new URL(baseUrl);
  return async (request) => {
    if (!(await authorize(request))) return Response.json({ code: 401, message: "unauthorized" }, { status: 401 });
    const url = new URL(request.url);
    const target = new URL(url.pathname.slice(prefix.length), upstream);
    const timestamp = String(Date.now());
    for (const [key, value] of url.searchParams) target.searchParams.append(key, value);
    target.searchParams.set("app_key", appKey);
    target.searchParams.set("timestamp", timestamp);
    target.searchParams.set("sign", senselinkSign(timestamp, appSecret));
    return doFetch(target, { method: request.method, headers: request.headers, body: request.body, duplex: "half" });
  };
}
