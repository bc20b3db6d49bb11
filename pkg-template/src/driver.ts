/**
 * The driver: runs one call of a client. The Rust core plans, signs, paces and decides; each step
 * of a call tells the driver what it needs — send a request, sleep, read or write the token store —
 * and the driver does it with the runtime's own `fetch`, timers and the caller's store, then hands
 * the outcome back. The engine keeps every promise, body and `Blob`; the core sees only the fields
 * it decides on.
 * @internal
 */
import type { Task } from "../wasm/all.js";
import type { CoordinatorGrant, CoordinatorRequest, CyzenCoordinator } from "./coordinator.js";
import { CyzenSenseLinkError } from "./errors.js";
import { emit, redactUrl, type ClientHooks, type RequestEvent } from "./hooks.js";
import { internalError, type BaseGlue, type WasmPort } from "./instance.js";
import { Deadline, send, sleep, type Answer, type FetchLike, type PlannedRequest, type SendOptions } from "./transport.js";

/** Where tokens and pending authorizations live: `load`/`save` strings, sync or async. */
export interface TokenStore {
  /** The value under `key`, or `null`/`undefined`. */
  load(key: string): string | null | undefined | Promise<string | null | undefined>;
  /** Stores `value` under `key`; `null` deletes it. */
  save(key: string, value: string | null): void | Promise<void>;
}

/** What a call runs with. @internal */
export interface DriveContext extends SendOptions {
  /** The `fetch` for the OAuth token endpoint (default: `fetch`). */
  readonly tokenFetch?: FetchLike | undefined;
  /** The token store (OAuth calls). */
  readonly store?: TokenStore | undefined;
  /** The call's name for hooks and errors (`persons.list`, `spots.create`…). */
  readonly operation?: string | undefined;
  /** The client's hooks, if any. */
  readonly hooks?: ClientHooks | undefined;
  /** Paces API requests and grants the refresh lock across instances (cyzen), if any. */
  readonly coordinator?: CyzenCoordinator | undefined;
  /** The client's rate, told to the coordinator. */
  readonly requestsPerSecond?: number | undefined;
}

type Step =
  | { readonly kind: "done"; readonly value: unknown }
  | ({ readonly kind: "send"; readonly token?: true } & PlannedRequest)
  | { readonly kind: "sleep"; readonly ms: number; readonly why: "pacing" | "retry" | "refresh"; readonly status?: number; readonly attempt?: number }
  | { readonly kind: "load"; readonly key: string }
  | { readonly kind: "save"; readonly key: string; readonly value: string | null }
  | { readonly kind: "lock" | "unlock"; readonly key: string };

/** A transport failure as `task.fail` takes it: code, message, cause, status and limit. */
function failure(error: unknown): [string, string, unknown, number | undefined, number | undefined] {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; status?: unknown; limit?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "NETWORK";
  const message = typeof e?.message === "string" ? e.message : String(error);
  const status = typeof e?.status === "number" ? e.status : undefined;
  const limit = typeof e?.limit === "number" ? e.limit : undefined;
  return [code, message, e?.cause ?? error, status, limit];
}

function parseStored(value: unknown): unknown {
  if (typeof value !== "string") return null;
  try {
    return JSON.parse(value);
  } catch {
    // A value this package did not write: as good as none.
    return null;
  }
}

/** Tells the hooks about a wait: a retry, a rate limit (the server's or the client's pacing). */
function announce(hooks: ClientHooks, step: { readonly ms: number; readonly why: string; readonly status?: number; readonly attempt?: number }, operation: string, last: RequestEvent | undefined): void {
  const { log } = hooks;
  if (step.why === "retry") {
    const reason = step.status ?? "network";
    const event = { operation, method: last?.method ?? "GET", url: last?.url ?? "", retry: step.attempt ?? 1, waitMs: step.ms, reason } as const;
    emit(hooks, hooks.onRetry, event);
    if (log) emit(hooks, (e: typeof event) => log.warn(`retry ${e.retry} of ${e.operation} in ${e.waitMs} ms after ${e.reason === "network" ? "a network failure" : `HTTP ${e.reason}`}`, e), event);
    if (step.status === 429 || step.status === 503) {
      const limited = { operation, waitMs: step.ms, source: "server", status: step.status } as const;
      emit(hooks, hooks.onRateLimit, limited);
    }
  } else if (step.why === "pacing") {
    const event = { operation, waitMs: step.ms, source: "client" } as const;
    emit(hooks, hooks.onRateLimit, event);
    if (log) emit(hooks, (e: typeof event) => log.debug(`${e.operation} waits ${e.waitMs} ms for a pacing slot`, e), event);
  }
}

/** Tells the hooks that the coordinator could not be reached and a local fallback decided. */
function announceFallback(hooks: ClientHooks, operation: string, grant: CoordinatorGrant, what: "pacing" | "refresh lock"): void {
  const reason = grant.fallback;
  if (reason === undefined) return;
  const event = { operation, what, reason } as const;
  emit(hooks, hooks.onFallback, event);
  const { log } = hooks;
  if (log) emit(hooks, (e: typeof event) => log.warn(`${e.operation}: ${e.what} decided locally (${e.reason})`, e), event);
}

/** Releases a grant; a coordinator's failure to take it back never fails the call. @internal */
export async function releaseGrant(grant: CoordinatorGrant | undefined): Promise<void> {
  try {
    await grant?.release();
  } catch {
    // The coordinator's lease takes it back.
  }
}

/**
 * Adds the call's context to an error: `operation`, the `method` and redacted `url` of its last
 * request, and the server's `requestId` when one was seen; a message that does not name the
 * operation gets it in front (except `INVALID_INPUT`'s, which start with the field).
 */
function withContext(error: unknown, operation: string | undefined, last: PlannedRequest | undefined, requestId: string | null): unknown {
  if (!(error instanceof CyzenSenseLinkError) || operation === undefined) return error;
  const define = (name: string, value: unknown) => {
    if (value !== undefined && value !== null && !Object.prototype.hasOwnProperty.call(error, name)) {
      Object.defineProperty(error, name, { value, enumerable: true, writable: false, configurable: true });
    }
  };
  define("operation", operation);
  if (last) {
    define("method", last.method ?? "GET");
    define("url", redactUrl(last.url));
  }
  define("requestId", requestId);
  // Input problems keep their field-first message (forms show it next to the field).
  if (error.code !== "INVALID_INPUT" && !error.message.startsWith(operation)) error.message = `${operation}: ${error.message}`;
  return error;
}

/** Settles with `value`, or rejects when `deadline` fires first (a token store that hangs). */
function within<T>(value: T | Promise<T>, deadline: Deadline): T | Promise<T> {
  if (!(value instanceof Promise)) return value;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(deadline.stopped());
    deadline.signal.addEventListener("abort", onAbort, { once: true });
    value.then(resolve, reject).finally(() => deadline.signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Starts a call on the module of `wasm`: `start` makes its task there (its input errors, such as
 * `INVALID_INPUT`, are thrown here, before anything is awaited), and the task runs to its end.
 */
export function drive<T>(wasm: WasmPort<BaseGlue>, start: () => Task, context: DriveContext): Promise<T> {
  return run<T>(wasm, wasm.call(start), context);
}

/**
 * Runs `task` to its end and resolves with its result (or rejects with its typed error). The whole
 * call runs under one {@link Deadline}: pacing waits, retries, backoff, token refreshes and store
 * access included. A wait that would end past it fails at once with `TIMEOUT`.
 */
async function run<T>(wasm: WasmPort<BaseGlue>, task: Task, context: DriveContext): Promise<T> {
  const born = wasm.generation();
  const deadline = new Deadline(context);
  // A trap elsewhere abandons this call at once (its state lived in the old instance).
  const untrack = wasm.whilePending((error) => deadline.interrupt(error));
  const next = (call: () => unknown): Step => {
    if (wasm.isStale(born)) throw deadline.stopped() ?? internalError();
    return wasm.call(call) as Step;
  };
  const { hooks, operation } = context;
  let attempt = 0;
  let last: RequestEvent | undefined;
  let lastStep: PlannedRequest | undefined;
  let requestId: string | null = null;
  const { coordinator } = context;
  // Made when a coordinator grants a lock (a refresh): nothing is allocated for a plain call.
  let locks: Map<string, CoordinatorGrant> | undefined;
  const ask = (): CoordinatorRequest => ({ signal: deadline.signal, maxWaitMs: Math.max(0, deadline.at - Date.now()), requestsPerSecond: context.requestsPerSecond ?? 5 });
  try {
    let step = next(() => task.start(Date.now()));
    for (;;) {
      switch (step.kind) {
        case "done":
          return step.value as T;
        case "send": {
          attempt += 1;
          lastStep = step;
          // Redacted only when someone will see it (a hook now, or an error at the end).
          last = hooks ? { operation: operation ?? "call", method: step.method ?? "GET", url: redactUrl(step.url), attempt, token: step.token === true } : undefined;
          const started = hooks ? Date.now() : 0;
          if (hooks && last) {
            emit(hooks, hooks.onRequest, last);
            hooks.log && emit(hooks, (e: RequestEvent) => hooks.log?.debug(`→ ${e.method} ${e.url}`, e), last);
          }
          let answer: Answer;
          let slot: CoordinatorGrant | undefined;
          try {
            // Token requests are not counted in the API's window: only API requests take a slot.
            if (coordinator && !step.token) {
              slot = await coordinator.acquire(ask());
              if (hooks) announceFallback(hooks, operation ?? "call", slot, "pacing");
            }
            answer = await send(step, step.token ? { ...context, fetch: context.tokenFetch ?? context.fetch } : context, deadline);
          } catch (error) {
            if (slot) await releaseGrant(slot);
            step = next(() => task.fail(Date.now(), ...failure(deadline.stopped() ?? error)));
            continue;
          }
          // The window starts when the answer arrived (its body is already read). Without a
          // coordinator nothing is awaited here: the default path costs what it did.
          if (slot) await releaseGrant(slot);
          requestId = answer.requestId ?? requestId;
          if (hooks && last) {
            const event = { ...last, status: answer.status, durationMs: Date.now() - started, requestId: answer.requestId };
            emit(hooks, hooks.onResponse, event);
            hooks.log && emit(hooks, (e: typeof event) => hooks.log?.debug(`← ${e.status} ${e.method} ${e.url} (${e.durationMs} ms)`, e), event);
          }
          step = next(() => task.respond(Date.now(), answer.status, answer.kind, answer.body, answer.retryAfter, answer.date, answer.requestId));
          continue;
        }
        case "sleep": {
          if (hooks) announce(hooks, step, operation ?? "call", last);
          try {
            const stopped = deadline.stopped();
            if (stopped) throw stopped;
            if (Date.now() + step.ms > deadline.at) {
              throw deadline.timeout(`waiting ${step.ms} ms more (for a pacing slot or a retry) would not end`);
            }
            await sleep(step.ms, deadline.signal);
          } catch (error) {
            step = next(() => task.fail(Date.now(), ...failure(deadline.stopped() ?? error)));
            continue;
          }
          step = next(() => task.resume(Date.now(), undefined));
          continue;
        }
        case "lock": {
          if (coordinator) {
            try {
              const grant = await coordinator.lock(step.key, ask());
              (locks ??= new Map()).set(step.key, grant);
              if (hooks) announceFallback(hooks, operation ?? "call", grant, "refresh lock");
            } catch (error) {
              step = next(() => task.fail(Date.now(), ...failure(deadline.stopped() ?? error)));
              continue;
            }
          }
          step = next(() => task.resume(Date.now(), undefined));
          continue;
        }
        case "unlock": {
          await releaseGrant(locks?.get(step.key));
          locks?.delete(step.key);
          step = next(() => task.resume(Date.now(), undefined));
          continue;
        }
        case "load":
        case "save": {
          const store = context.store;
          let value: unknown;
          try {
            if (!store) throw new TypeError("no token store");
            value = step.kind === "load" ? parseStored(await within(store.load(step.key), deadline)) : await within(store.save(step.key, step.value ?? null), deadline);
          } catch (error) {
            const stopped = deadline.stopped();
            if (stopped) {
              step = next(() => task.fail(Date.now(), ...failure(stopped)));
              continue;
            }
            const detail = (error as { message?: unknown } | null)?.message;
            step = next(() => task.fail(Date.now(), "OAUTH_ERROR", `the token store's ${step.kind}() failed${typeof detail === "string" ? `: ${detail}` : ""}`, error, undefined, undefined));
            continue;
          }
          step = next(() => task.resume(Date.now(), value));
          continue;
        }
      }
    }
  } catch (error) {
    throw withContext(error, operation, lastStep, requestId);
  } finally {
    // A call that ends holding a lock (cancelled mid-refresh) gives it back.
    if (locks) for (const grant of locks.values()) void releaseGrant(grant);
    deadline.dispose();
    untrack();
    // A task of a replaced instance is gone with it (wasm-bindgen refuses to touch it).
    if (!wasm.isStale(born)) task.free();
  }
}
