/**
 * Loader for browsers, web workers, bundlers and Deno: fetches and compiles the `.wasm` next to the
 * glue with top-level await.
 */
import init from "../cyzen_senselink_sandbox.js";

await init({ module_or_path: new URL("../cyzen_senselink_sandbox_bg.wasm", import.meta.url) });

export * from "./sandbox.js";
