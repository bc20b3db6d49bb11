/**
 * Loader for Cloudflare Workers (workerd): the `.wasm` is imported as a precompiled
 * `WebAssembly.Module` (Wrangler's default rule for `*.wasm`), so nothing is compiled or fetched at
 * run time and the module scope performs no I/O.
 */
import wasmModule from "../cyzen_senselink_bg.wasm";
import { initSync } from "../cyzen_senselink.js";
import { afterInit } from "./instance.js";

initSync({ module: wasmModule });
afterInit();

export * from "./api.js";
