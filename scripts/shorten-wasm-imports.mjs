// Renames the wasm's imports from wasm-bindgen's long, hashed names (`__wbg_abort_5ef96933660780b7`
// in module "./cyzen_senselink_bg.js") to short ones ("a"."b"), and its exports (`__wbindgen_malloc`,
// `clientcore_new`…) likewise, in the module and in the glue together. Each name costs bytes twice
// (wasm and JS; `wasm.__wbindgen_malloc` alone is written 23 times), and the hashes do not compress.
// Usage: node scripts/shorten-wasm-imports.mjs <glue.js> <module.wasm> [<file.d.ts>...] (all
// rewritten; in the declarations, the export names of `InitOutput` and of the `_bg.wasm.d.ts`).
// Refuses (exit 1, files untouched) unless every import it renames appears exactly once in the glue,
// as a key of the import object, and the glue reads exports only as `wasm.<name>`. `memory` and
// exports the glue never reads keep their names.
import { readFileSync, writeFileSync } from "node:fs";

const [gluePath, wasmPath, ...declarationPaths] = process.argv.slice(2);
const exportNames = new Map();
let glue = readFileSync(gluePath, "utf8");
const wasm = readFileSync(wasmPath);
const fail = (message) => {
  console.error(`shorten-wasm-imports: ${message}`);
  process.exit(1);
};

function readLeb(buf, pos) {
  let result = 0, shift = 0, byte;
  do {
    byte = buf[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [result, pos];
}
function leb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}
const name = (s) => Buffer.concat([leb(Buffer.byteLength(s)), Buffer.from(s)]);

// Short names: a..z, A..Z, then two characters.
const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const shortName = (i) => (i < alphabet.length ? alphabet[i] : alphabet[Math.floor(i / alphabet.length) - 1] + alphabet[i % alphabet.length]);

let exportsRenamed = 0;
function renameExports(section) {
  let [count, p] = readLeb(section, 0);
  const body = [leb(count)];
  for (let i = 0; i < count; i++) {
    let len;
    [len, p] = readLeb(section, p);
    const field = section.toString("utf8", p, p + len);
    p += len;
    const desc = section.subarray(p, p + 1);
    p++;
    const indexStart = p;
    [, p] = readLeb(section, p);
    const index = section.subarray(indexStart, p);
    let newName = field;
    const escaped = field.replace(/\$/g, "\\$");
    const accesses = new RegExp(`(?<![\\w$.])wasm\\.${escaped}(?![\\w$])`, "g");
    // The glue reaches exports only as `wasm.<name>` (checked below: no `wasm[` anywhere); a JS
    // function of the same name (`export function httpRequest`) is a different binding.
    if (field !== "memory" && glue.match(accesses)) {
      newName = shortName(exportsRenamed++);
      glue = glue.replace(accesses, `wasm.${newName}`);
      exportNames.set(field, newName);
    }
    body.push(name(newName), desc, index);
  }
  const out = Buffer.concat(body);
  return Buffer.concat([Buffer.from([7]), leb(out.length), out]);
}

if (/\bwasm\s*\[/.test(glue) || /\{[^}]*\}\s*=\s*wasm\b/.test(glue)) fail("the glue reads exports other than as wasm.<name>");

let pos = 8;
const parts = [wasm.subarray(0, 8)];
let renamed = 0, moduleName;
while (pos < wasm.length) {
  const id = wasm[pos];
  const [size, bodyStart] = readLeb(wasm, pos + 1);
  const end = bodyStart + size;
  if (id === 7) {
    parts.push(renameExports(wasm.subarray(bodyStart, end)));
    pos = end;
    continue;
  }
  if (id !== 2) {
    parts.push(wasm.subarray(pos, end));
    pos = end;
    continue;
  }
  let [count, p] = readLeb(wasm, bodyStart);
  const entries = [];
  for (let i = 0; i < count; i++) {
    let len;
    [len, p] = readLeb(wasm, p);
    const module = wasm.toString("utf8", p, p + len);
    p += len;
    [len, p] = readLeb(wasm, p);
    const field = wasm.toString("utf8", p, p + len);
    p += len;
    const descStart = p;
    const kind = wasm[p++];
    if (kind === 0x00 || kind === 0x04) {
      if (kind === 0x04) p++; // tag attribute
      [, p] = readLeb(wasm, p);
    } else if (kind === 0x01 || kind === 0x02) {
      if (kind === 0x01) p++; // reftype
      const flags = wasm[p++];
      [, p] = readLeb(wasm, p);
      if (flags & 1) [, p] = readLeb(wasm, p);
    } else if (kind === 0x03) {
      p += 2; // valtype, mutability
    } else {
      fail(`unknown import kind ${kind}`);
    }
    entries.push({ module, field, desc: wasm.subarray(descStart, p) });
  }
  const modules = new Set(entries.map((e) => e.module));
  if (modules.size !== 1) fail(`expected one import module, found ${[...modules].join(", ")}`);
  moduleName = entries[0].module;
  const body = [leb(count)];
  entries.forEach((entry, i) => {
    const short = shortName(i);
    // The key of the import object: `        __wbg_x_123: function(` (or `: <name>,` for a direct reference).
    const key = new RegExp(`([{,\\s])${entry.field}:`, "g");
    const occurrences = glue.split(entry.field).length - 1;
    const keys = glue.match(key)?.length ?? 0;
    if (occurrences !== 1 || keys !== 1) fail(`${entry.field} appears ${occurrences} times (${keys} as a key) in the glue`);
    glue = glue.replace(key, `$1${short}:`);
    body.push(name("a"), name(short), entry.desc);
    renamed++;
  });
  const section = Buffer.concat(body);
  parts.push(Buffer.from([2]), leb(section.length), section);
  pos = end;
}
if (!moduleName) fail("no import section");
const quotedModule = JSON.stringify(moduleName);
if (glue.split(quotedModule).length - 1 !== 1) fail(`the module name ${quotedModule} must appear once in the glue`);
glue = glue.replace(quotedModule, '"a"');

const declarations = declarationPaths.map((path) => {
  let text = readFileSync(path, "utf8");
  for (const [from, to] of exportNames) {
    text = text.replace(new RegExp(`^(\\s*(?:readonly|export const) )${from.replace(/\$/g, "\\$")}:`, "m"), `$1${to}:`);
  }
  return [path, text];
});

writeFileSync(wasmPath, Buffer.concat(parts));
writeFileSync(gluePath, glue);
for (const [path, text] of declarations) writeFileSync(path, text);
console.error(`shorten-wasm-imports: ${renamed} imports and ${exportsRenamed} exports renamed`);
