/**
 * `cyzen-senselink/senselink`: the SenseLink client alone — `SenseLinkClient`, `senselinkSign`, the
 * errors it throws and the hook types — with its own, smaller WebAssembly module. Safe for
 * browsers (with `proxy: true`, the secret stays in the proxy of `cyzen-senselink/server`).
 * @packageDocumentation
 */
export * from "./errors.js";
export type { ClientHooks, FallbackEvent, HookLogger, RateLimitEvent, RequestEvent, ResponseEvent, RetryEvent } from "./hooks.js";
export type { FileInput } from "./http.js";
export type { CallOptions, FetchLike } from "./transport.js";
export * from "./senselink.js";
