/**
 * Loader for browsers, web workers, bundlers (Vite, webpack, esbuild) and Deno: fetches and
 * compiles the `.wasm` next to the glue with top-level await.
 */
import init from "../cyzen_senselink.js";
import { afterInit } from "./instance.js";

await init({ module_or_path: new URL("../cyzen_senselink_bg.wasm", import.meta.url) });
afterInit();

export * from "./api.js";
