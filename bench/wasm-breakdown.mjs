// Groups `twiggy top -f json` rows of the name-keeping wasm build (scripts/bench.sh makes it) into
// a handful of buckets, so the size table says what the shipped wasm is made of.

/** The name section is kept only for this breakdown; the shipped wasm has none. */
const NAME_SECTION = /^"[^"]*" subsection$|^custom section 'name' headers$/;

// wasm-opt inlines an export's Rust body into the shim wasm-bindgen wraps around it
// (`cyzenproxycore_plan externref shim` is then mostly proxy code), so export shims are
// attributed by the export's name, not to the glue.
const EXPORTS = [
  [/^(cyzenproxycore|senselinkproxycore)_/i, "proxies"],
  [/^oauthcore_/i, "OAuth (cyzen)"],
  [/^cyzencore_/i, "cyzen client"],
  [/^(senselinkcore_|senselinkSign|parseSenseLinkEvent)/, "SenseLink core"],
  [/^(task_|__setErrorFactory)/, "shared core (task driver, http, JSON, dates, errors)"],
];

// Paths inside this crate, most specific first.
const CRATE = [
  [/::proxy::|ProxyCore/, "proxies"],
  [/cyzen_senselink::cyzen::(oauth|cookie)|OAuthCore/, "OAuth (cyzen)"],
  [/cyzen_senselink::(cyzen|js::cyzen)::/, "cyzen client"],
  [/cyzen_senselink::(senselink|js::senselink)::/, "SenseLink core"],
];

export const BUCKETS = [
  "SenseLink core", "cyzen client", "OAuth (cyzen)", "proxies",
  "shared core (task driver, http, JSON, dates, errors)", "wasm-bindgen glue and shims",
  "std / core / alloc / fmt", "allocator", "crypto and encoding", "data (.rodata)",
  "other (types, headers, unnamed functions)",
];

/** The bucket of one twiggy item, or null for the name section (not shipped). */
export function bucketOf(name) {
  if (NAME_SECTION.test(name)) return null;
  if (name.startsWith("data segment")) return "data (.rodata)";
  if (/dlmalloc|__rdl_|__rust_(alloc|dealloc|realloc)|__rg_/.test(name)) return "allocator";
  if (/(^|[<\s])(md5|sha2|hmac|digest|base64ct|getrandom|cmov|hybrid_array|block_buffer|crypto_common)(\[[0-9a-f]+\])?::/.test(name)) {
    return "crypto and encoding";
  }
  if (/ shim/.test(name)) {
    for (const [pattern, bucket] of EXPORTS) if (pattern.test(name)) return bucket;
  }
  if (name.includes("cyzen_senselink::")) {
    for (const [pattern, bucket] of CRATE) if (pattern.test(name)) return bucket;
    return "shared core (task driver, http, JSON, dates, errors)";
  }
  for (const [pattern, bucket] of EXPORTS) if (pattern.test(name)) return bucket;
  if (/wasm_bindgen|js_sys|__wbindgen|__wbg_|__externref|__instance_terminated|^import |^export | shim$/.test(name)) {
    return "wasm-bindgen glue and shims";
  }
  if (/\b(core|alloc|std|__rustc)(\[[0-9a-f]+\])?::|^<(str|char|\[u8\])>::|^(mem(cmp|cpy|move|set)|__multi3|fmax|fmin)$/.test(name)) {
    return "std / core / alloc / fmt";
  }
  return "other (types, headers, unnamed functions)";
}

/** Readable item names: no symbol hashes or crate disambiguators. */
export function shortName(name) {
  return name.replace(/::h[0-9a-f]{16}\b/g, "").replace(/\[[0-9a-f]{16}\]/g, "");
}

/** `rows`: twiggy's JSON rows. Returns shipped bytes per bucket, the top `n` items and the total. */
export function breakdown(rows, n = 15) {
  const bytes = new Map(BUCKETS.map((b) => [b, 0]));
  const items = [];
  let total = 0;
  for (const { name, shallow_size: size } of rows) {
    const bucket = bucketOf(name);
    if (bucket === null) continue;
    bytes.set(bucket, bytes.get(bucket) + size);
    items.push({ name: shortName(name), size, bucket });
    total += size;
  }
  items.sort((a, b) => b.size - a.size);
  return { total, buckets: [...bytes].filter(([, size]) => size > 0).sort((a, b) => b[1] - a[1]), top: items.slice(0, n) };
}
