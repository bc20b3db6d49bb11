/** Checks of option objects shared by the clients and proxies. @internal */
import { invalidInput as invalid } from "./errors.js";
import type { FetchLike } from "./transport.js";

/** `value` as an object, else `INVALID_INPUT` naming `field`. */
export function record(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== "object") throw invalid(field, "must be an object");
  return value as Record<string, unknown>;
}

/** `options[key]` as a string (`undefined` when absent, unless `required`). */
export function text(options: Record<string, unknown>, key: string, required = false): string | undefined {
  const value = options[key];
  if (value === undefined || value === null) {
    if (required) throw invalid(key, "is required");
    return undefined;
  }
  if (typeof value !== "string") throw invalid(key, "must be a string");
  return value;
}

/** `options[key]` as a function (`undefined` when absent). */
export function func(options: Record<string, unknown>, key: string): FetchLike | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "function") throw invalid(key, "must be a function");
  return value as FetchLike;
}
