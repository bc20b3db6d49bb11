// The JS baseline the benchmarks compare against: what a developer would hand-write without this
// package — a pure-JS MD5 signer and a fetch-based request helper for SenseLink (no validation,
// no typed errors, no retries). Same job for the measured paths, so sizes and timings compare.

// MD5's constants, computed once (a hand-written signer would not rebuild them on every call).
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

function md5(text) {
  const bytes = new TextEncoder().encode(text);
  const length = bytes.length;
  const words = new Uint32Array((((length + 8) >>> 6) + 1) * 16);
  for (let i = 0; i < length; i++) words[i >> 2] |= bytes[i] << ((i % 4) * 8);
  words[length >> 2] |= 0x80 << ((length % 4) * 8);
  words[words.length - 2] = length * 8;
  let a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
  for (let chunk = 0; chunk < words.length; chunk += 16) {
    let a = a0, b = b0, c = c0, d = d0;
    for (let i = 0; i < 64; i++) {
      let f, g;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
      else { f = c ^ (b | ~d); g = (7 * i) % 16; }
      const sum = (a + f + K[i] + words[chunk + g]) >>> 0;
      const s = S[(i >> 4) * 4 + (i % 4)];
      a = d; d = c; c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) >>> 0;
    }
    a0 = (a0 + a) >>> 0; b0 = (b0 + b) >>> 0; c0 = (c0 + c) >>> 0; d0 = (d0 + d) >>> 0;
  }
  return [a0, b0, c0, d0].map((w) => [0, 8, 16, 24].map((s) => ((w >>> s) & 255).toString(16).padStart(2, "0")).join("")).join("");
}

export function senselinkSign(timestamp, appSecret) {
  return md5(`${timestamp}#${appSecret}`);
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
