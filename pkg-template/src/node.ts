/** Loader for Node ≥ 20: reads and compiles the `.wasm` synchronously at import. */
import { initSync } from "../cyzen_senselink.js";
import { afterInit } from "./instance.js";

type ReadFileSync = (path: URL) => Uint8Array;
/**
 * `fs.readFileSync`, taken with `process.getBuiltinModule` (Node ≥ 20.16) where there is one: an
 * `import` of `node:fs` builds the module's ESM namespace, which reads every export, and `fs`'s
 * lazy `ReadStream`/`WriteStream` getters then load Node's whole stream stack (about 20 internal
 * modules; measured 4–6 ms of a cold start). Older Node 20 releases import it.
 */
const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => { readFileSync: ReadFileSync } | undefined } }).process;
const readFileSync: ReadFileSync = host?.getBuiltinModule?.("node:fs")?.readFileSync ?? (await import("node:fs")).readFileSync;

initSync({ module: readFileSync(new URL("../cyzen_senselink_bg.wasm", import.meta.url)) });
afterInit();

export * from "./api.js";
