/**
 * cyzen-senselink: clients for the cyzen and SenseLink APIs, compiled from Rust to WebAssembly.
 * This module is the root entry's API: everything. The package's loaders (`browser.js`, `node.js`,
 * `workerd.js`) initialise the WebAssembly module with every part and re-export it. Each client
 * also has an entry of its own with a smaller module (`cyzen-senselink/senselink`, `/cyzen`,
 * `/server`, `/import`: `api-*.ts`).
 * @packageDocumentation
 */
export * from "./errors.js";
export * from "./http.js";
export type { ClientHooks, FallbackEvent, HookLogger, RateLimitEvent, RequestEvent, ResponseEvent, RetryEvent } from "./hooks.js";
export * from "./senselink.js";
export * from "./senselink-events.js";
export * from "./senselink-proxy.js";
export * from "./senselink-import.js";
export * from "./cyzen.js";
export * from "./cyzen-proxy.js";
export * from "./coordinator.js";
export * from "./access.js";
export * from "./node-adapter.js";
export { __trapForTests } from "./instance.js";
