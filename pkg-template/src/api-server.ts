/**
 * `cyzen-senselink/server`: what runs next to a secret — the signing proxies
 * (`createSenseLinkProxy`, `createCyzenProxy`), `toNodeHandler`, the coordinator
 * (`CyzenTokenCoordinator`, `durableObjectCoordinator`), the Cloudflare Access verifier and
 * `parseSenseLinkEvent` — with the server parts' WebAssembly module. Never shipped to a browser:
 * a page imports a client entry. A cyzen proxy signing in with OAuth takes a `CyzenOAuth` from
 * `cyzen-senselink/cyzen`.
 * @packageDocumentation
 */
export * from "./errors.js";
export type { ClientHooks, FallbackEvent, HookLogger, RateLimitEvent, RequestEvent, ResponseEvent, RetryEvent } from "./hooks.js";
export type { CallOptions, FetchLike } from "./transport.js";
export * from "./senselink-proxy.js";
export * from "./cyzen-proxy.js";
export * from "./coordinator.js";
export * from "./access.js";
export * from "./node-adapter.js";
export * from "./senselink-events.js";
