// Groups `twiggy top -f json` rows of a name-keeping build of one wasm module (scripts/bench.sh
// makes one per module of scripts/entries.mjs) into a handful of buckets, so the results say what
// each shipped wasm is made of.

/** The name section is kept only for this breakdown; the shipped wasm has none. */
const NAME_SECTION = /^"[^"]*" subsection$|^custom section 'name' headers$/;

// The parts of this crate, most specific first. Each pattern is tried on the whole (normalized)
// name: an export's function or its shim (wasm-opt inlines the export's Rust body into the shim
// wasm-bindgen wraps around it, so `cyzenproxycore_plan externref shim` is mostly proxy code), and
// the crate's own functions and methods, whatever they are instantiated with
// (`<…::OAuth>::renew::<…::client::Counted<…>>` is OAuth).
const PARTS = [
  [/^(cyzenproxycore|senselinkproxycore)_|::proxy::|ProxyCore|cyzen_senselink::js::proxies::/i, "proxies"],
  [/^pacingwindow_|PacingWindow|cyzen_senselink::js::coordinator::/i, "coordinator"],
  [/^parseSenseLinkEvent|cyzen_senselink::(senselink|js)::events::/, "push events"],
  [/^senselinkcore_(check|parameters)|cyzen_senselink::senselink::import::/, "importer checks"],
  [/^oauthcore_|OAuthCore|cyzen_senselink::cyzen::(oauth|cookie)::/i, "OAuth (cyzen)"],
  [/^cyzencore_|CyzenCore|cyzen_senselink::(cyzen|js::cyzen)::/i, "cyzen client"],
  [/^(senselinkcore_|senselinkSign)|SenseLinkCore|cyzen_senselink::(senselink|js::senselink)::/i, "SenseLink client"],
  [/^(task_|__setErrorFactory)|cyzen_senselink::/, "shared core (task driver, config, http, JSON, dates, errors)"],
];

export const BUCKETS = [
  ...PARTS.map(([, bucket]) => bucket),
  "wasm-bindgen glue and shims", "std / core / alloc / fmt", "allocator", "crypto and encoding", "data (.rodata)",
  "other (types, headers, unnamed functions)",
];

/** Readable item names: no symbol hashes or crate disambiguators (`core[0123abcd…]::`). */
export function shortName(name) {
  return name.replace(/::h[0-9a-f]{16}\b/g, "").replace(/\[[0-9a-f]+\]/g, "");
}

/** The bucket of one twiggy item, or null for the name section (not shipped). */
export function bucketOf(rawName) {
  if (NAME_SECTION.test(rawName)) return null;
  const name = shortName(rawName);
  if (name.startsWith("data segment")) return "data (.rodata)";
  // What the item is: the path it starts with (`<alloc::vec::Vec<cyzen_senselink::…>>::push` is
  // std code instantiated for this crate, and counts as std).
  const head = name.replace(/^[<&\s]+/, "").replace(/^(mut |dyn )/, "");
  // The crate's traits implemented for other types (`<wasm_bindgen::JsValue as cyzen_senselink::doc::Doc>::keys`).
  const ours = head.startsWith("cyzen_senselink::") || /^[^<]* as cyzen_senselink::/.test(head);
  if (/^(dlmalloc|talc|__rdl_|__rust_(alloc|dealloc|realloc)|__rg_)/.test(head)) return "allocator";
  if (/^(md5|sha2|hmac|digest|base64ct|getrandom|cmov|hybrid_array|block_buffer|crypto_common)::/.test(head)) {
    return "crypto and encoding";
  }
  if (!ours && /^(wasm_bindgen|js_sys|__wbindgen|__wbg_|__externref|__instance_terminated|__abort_handler|import |export |Ref\(|.* -> .* shim$)/.test(head)) {
    return "wasm-bindgen glue and shims";
  }
  if (/^\(?(core|alloc|std|libm|__rustc|compiler_builtins)::|^\[?(str|char|bool|u8|[ui](8|16|32|64|128|size)|f(32|64))\]?(>| as )|^(mem(cmp|cpy|move|set)|__multi3|fmax|fmin)$/.test(head)) {
    return "std / core / alloc / fmt";
  }
  if (ours || /^[a-z_]*core_|^(pacingwindow_|parseSenseLinkEvent|senselinkSign|task_|__setErrorFactory)/i.test(head)) {
    for (const [pattern, bucket] of PARTS) if (pattern.test(name)) return bucket;
  }
  if (/ shim$/.test(name)) return "wasm-bindgen glue and shims";
  return "other (types, headers, unnamed functions)";
}

/** `rows`: twiggy's JSON rows. Returns shipped bytes per bucket, the top `n` items and the total. */
export function breakdown(rows, n = 10) {
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
