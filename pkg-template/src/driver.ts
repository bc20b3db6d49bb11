/**
 * The driver: runs one call of a client. The Rust core plans, signs, paces and decides; each step
 * of a call tells the driver what it needs — send a request, sleep, read or write the token store —
 * and the driver does it with the runtime's own `fetch`, timers and the caller's store, then hands
 * the outcome back. The engine keeps every promise, body and `Blob`; the core sees only the fields
 * it decides on.
 * @internal
 */
import type { Task } from "../cyzen_senselink.js";
import { instanceGeneration, internalError, isStale, wasmCall, whilePending } from "./instance.js";
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
}

type Step =
  | { readonly kind: "done"; readonly value: unknown }
  | ({ readonly kind: "send"; readonly token?: true } & PlannedRequest)
  | { readonly kind: "sleep"; readonly ms: number }
  | { readonly kind: "load"; readonly key: string }
  | { readonly kind: "save"; readonly key: string; readonly value: string | null };

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
 * Runs `task` to its end and resolves with its result (or rejects with its typed error). The whole
 * call runs under one {@link Deadline}: pacing waits, retries, backoff, token refreshes and store
 * access included. A wait that would end past it fails at once with `TIMEOUT`.
 */
export async function drive<T>(task: Task, context: DriveContext): Promise<T> {
  const born = instanceGeneration();
  const deadline = new Deadline(context);
  // A trap elsewhere abandons this call at once (its state lived in the old instance).
  const untrack = whilePending((error) => deadline.interrupt(error));
  const next = (call: () => unknown): Step => {
    if (isStale(born)) throw deadline.stopped() ?? internalError();
    return wasmCall(call) as Step;
  };
  try {
    let step = next(() => task.start(Date.now()));
    for (;;) {
      switch (step.kind) {
        case "done":
          return step.value as T;
        case "send": {
          let answer: Answer;
          try {
            answer = await send(step, step.token ? { ...context, fetch: context.tokenFetch ?? context.fetch } : context, deadline);
          } catch (error) {
            step = next(() => task.fail(Date.now(), ...failure(error)));
            continue;
          }
          step = next(() => task.respond(Date.now(), answer.status, answer.kind, answer.body, answer.retryAfter, answer.date, answer.requestId));
          continue;
        }
        case "sleep": {
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
  } finally {
    deadline.dispose();
    untrack();
    // A task of a replaced instance is gone with it (wasm-bindgen refuses to touch it).
    if (!isStale(born)) task.free();
  }
}
