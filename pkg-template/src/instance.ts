/**
 * The WebAssembly instance's health. A trap (a panic — always a bug — or any other `unreachable`)
 * leaves the instance in an unknown state: the call that trapped cannot finish, and calls in
 * flight hold state in the old instance. So on a trap every pending call rejects at once with
 * `INTERNAL`, and the next call into the module first starts a fresh instance (wasm-bindgen's
 * reset function: same compiled module, new memory). Objects built on the old instance (the
 * clients' and proxies' cores) are rebuilt from their options on first use ({@link revivable});
 * OAuth tokens come back from the store, pacing starts over.
 * @internal
 */
import { __setErrorFactory, __trapForTests as trapNow, __wbg_reset_state } from "../cyzen_senselink.js";
import { makeError } from "./errors.js";

let generation = 0;
let trapped = false;
const pending = new Set<(error: Error) => void>();

function internalError(cause?: unknown): Error {
  return makeError(
    "INTERNAL",
    "the WebAssembly module trapped (a bug in cyzen-senselink: please report it); the call was abandoned " +
      "— it may or may not have reached the server — and the next call runs on a fresh instance",
    cause === undefined ? {} : { cause },
  );
}

/** Registers the package's hooks in the instance; runs after every (re)instantiation. */
export function afterInit(): void {
  __setErrorFactory(makeError);
}

/** The instance trapped: every pending call rejects now; the next call starts a fresh instance. */
function markTrapped(): void {
  if (trapped) return;
  trapped = true;
  const error = internalError();
  for (const stop of pending) stop(error);
  pending.clear();
}

function heal(): void {
  if (!trapped) return;
  __wbg_reset_state();
  afterInit();
  generation += 1;
  trapped = false;
}

/** The instance's generation (it grows with each fresh instance). */
export function instanceGeneration(): number {
  heal();
  return generation;
}

/** Whether objects of `since` are gone (the instance trapped since then). */
export function isStale(since: number): boolean {
  return trapped || since !== generation;
}

/**
 * Runs `call` (which calls into the module) on a healthy instance; a trap inside it becomes
 * `INTERNAL` and marks the instance for a fresh start.
 */
export function wasmCall<T>(call: () => T): T {
  heal();
  try {
    return call();
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) {
      markTrapped();
      throw internalError(error);
    }
    throw error;
  }
}

/** An object built on the instance, rebuilt with `make` when the instance was replaced. */
export function revivable<T>(make: () => T): () => T {
  let built = wasmCall(make);
  let at = generation;
  return () => {
    heal();
    if (at !== generation) {
      built = wasmCall(make);
      at = generation;
    }
    return built;
  };
}

/** Tells `stop` when the instance traps while a call is pending; returns the un-registration. */
export function whilePending(stop: (error: Error) => void): () => void {
  pending.add(stop);
  return () => pending.delete(stop);
}

/** The typed error of a call abandoned because the instance trapped. */
export { internalError };

/**
 * Makes the WebAssembly module trap, to test the recovery: every pending call rejects with
 * `INTERNAL` and the next call runs on a fresh instance. Throws `INTERNAL`.
 * @internal Never call it in production.
 */
export function __trapForTests(): void {
  wasmCall(trapNow);
}
