/**
 * Loader for Cloudflare Workers (workerd): the `.wasm` is imported as a precompiled
 * `WebAssembly.Module` (Wrangler's default rule for `*.wasm`); the module scope performs no I/O.
 */
import wasmModule from "../cyzen_senselink_sandbox_bg.wasm";
import { initSync } from "../cyzen_senselink_sandbox.js";

initSync({ module: wasmModule });

export * from "./sandbox.js";
