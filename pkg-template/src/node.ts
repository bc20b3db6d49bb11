/** Loader for Node ≥ 20: reads and compiles the `.wasm` synchronously at import. */
import { readFileSync } from "node:fs";
import { initSync } from "../cyzen_senselink.js";
import { afterInit } from "./instance.js";

initSync({ module: readFileSync(new URL("../cyzen_senselink_bg.wasm", import.meta.url)) });
afterInit();

export * from "./api.js";
