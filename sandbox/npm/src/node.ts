/** Loader for Node ≥ 20 (and Bun): reads and compiles the `.wasm` synchronously at import. */
import { initSync } from "../cyzen_senselink_sandbox.js";

type ReadFileSync = (path: URL) => Uint8Array;
// `process.getBuiltinModule` (Node ≥ 20.16) avoids building `node:fs`'s ESM namespace.
const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => { readFileSync: ReadFileSync } | undefined } }).process;
const readFileSync: ReadFileSync = host?.getBuiltinModule?.("node:fs")?.readFileSync ?? (await import("node:fs")).readFileSync;

initSync({ module: readFileSync(new URL("../cyzen_senselink_sandbox_bg.wasm", import.meta.url)) });

export * from "./sandbox.js";
