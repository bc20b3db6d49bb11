/**
 * `cyzen-senselink/cyzen`: the cyzen client alone — `CyzenClient`, `CyzenOAuth`, the token stores,
 * the errors they throw and the hook types — with its own, smaller WebAssembly module.
 * @packageDocumentation
 */
export * from "./errors.js";
export type { ClientHooks, FallbackEvent, HookLogger, RateLimitEvent, RequestEvent, ResponseEvent, RetryEvent } from "./hooks.js";
export type { CallOptions, FetchLike } from "./transport.js";
export type { CoordinatorGrant, CoordinatorRequest, CyzenCoordinator } from "./coordinator.js";
export * from "./cyzen.js";
