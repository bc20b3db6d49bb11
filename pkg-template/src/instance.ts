/**
 * The WebAssembly modules and their health.
 *
 * The package ships one wasm per client (SenseLink, cyzen, the server parts) and one with
 * everything for the root entry. Each part of the API reaches its wasm through a {@link WasmPort}
 * (`senselinkWasm`, `cyzenWasm`, `serverWasm`); an entry point's loader instantiates the module it
 * needs and {@link provide}s it to the ports it serves (the root's one module serves all three). A
 * module instantiated once serves every entry that asks for it: the glue module is shared, and a
 * port keeps the first instance it was given.
 *
 * A trap (a panic — always a bug — or any other `unreachable`) leaves an instance in an unknown
 * state: the call that trapped cannot finish, and calls in flight hold state in the old instance.
 * So on a trap every pending call of that instance rejects at once with `INTERNAL`, and the next
 * call into it first starts a fresh instance (wasm-bindgen's reset function: same compiled
 * module, new memory). Objects built on the old instance (the clients' and proxies' cores) are
 * rebuilt from their options on first use ({@link WasmPort.revivable}); OAuth tokens come back
 * from the store, pacing starts over.
 * @internal
 */
import type * as Glue from "../wasm/all.js";
import { makeError } from "./errors.js";

/** What every glue module has: the error factory's registration, the reset and the test trap. */
export interface BaseGlue {
  readonly __setErrorFactory: typeof Glue.__setErrorFactory;
  readonly __wbg_reset_state: typeof Glue.__wbg_reset_state;
  readonly __trapForTests: typeof Glue.__trapForTests;
}
/** The SenseLink client's wasm exports. */
export type SenseLinkGlue = BaseGlue & Pick<typeof Glue, "SenseLinkCore" | "senselinkSign">;
/** The cyzen client's wasm exports. */
export type CyzenGlue = BaseGlue & Pick<typeof Glue, "CyzenCore" | "OAuthCore">;
/** The server parts' wasm exports (proxy planners, the coordinator's window, the event reader). */
export type ServerGlue = BaseGlue & Pick<typeof Glue, "CyzenProxyCore" | "SenseLinkProxyCore" | "PacingWindow" | "parseSenseLinkEvent">;

function internalError(cause?: unknown): Error {
  return makeError(
    "INTERNAL",
    "the WebAssembly module trapped (a bug in cyzen-senselink: please report it); the call was abandoned " +
      "— it may or may not have reached the server — and the next call runs on a fresh instance",
    cause === undefined ? {} : { cause },
  );
}

/** One instantiated module: its glue, its generation and the calls pending in it. */
class WasmInstance {
  generation = 0;
  trapped = false;
  readonly pending = new Set<(error: Error) => void>();

  constructor(readonly glue: BaseGlue) {
    glue.__setErrorFactory(makeError);
  }

  /** The instance trapped: every pending call rejects now; the next call starts a fresh instance. */
  markTrapped(): void {
    if (this.trapped) return;
    this.trapped = true;
    const error = internalError();
    for (const stop of this.pending) stop(error);
    this.pending.clear();
  }

  heal(): void {
    if (!this.trapped) return;
    this.glue.__wbg_reset_state();
    this.glue.__setErrorFactory(makeError);
    this.generation += 1;
    this.trapped = false;
  }

  /** Runs `call` on the healthy instance; a trap inside it becomes `INTERNAL` and marks it. */
  call<T>(call: () => T): T {
    this.heal();
    try {
      return call();
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) {
        this.markTrapped();
        throw internalError(error);
      }
      throw error;
    }
  }
}

/** Where one part of the API finds its wasm module. */
export class WasmPort<G extends BaseGlue> {
  #instance: WasmInstance | undefined;

  /** @param entry The entry point that provides this part, named in the error when none did. */
  constructor(private readonly entry: string) {}

  /** @internal Gives the port its instance; a port keeps the first one it was given. */
  provide(instance: WasmInstance): void {
    this.#instance ??= instance;
  }

  get #live(): WasmInstance {
    const instance = this.#instance;
    if (instance === undefined) {
      throw makeError("INTERNAL", `this part of cyzen-senselink needs its WebAssembly module: import "${this.entry}" (or "cyzen-senselink") first`, {});
    }
    return instance;
  }

  /**
   * Runs `call` (which calls into the module) on a healthy instance; a trap inside it becomes
   * `INTERNAL` and marks the instance for a fresh start.
   */
  call<T>(call: (glue: G) => T): T {
    const instance = this.#live;
    return instance.call(() => call(instance.glue as G));
  }

  /** An object built on the instance, rebuilt with `make` when the instance was replaced. */
  revivable<T>(make: (glue: G) => T): () => T {
    let built = this.call(make);
    let at = this.#live.generation;
    return () => {
      const instance = this.#live;
      instance.heal();
      if (at !== instance.generation) {
        built = this.call(make);
        at = instance.generation;
      }
      return built;
    };
  }

  /** The instance's generation (it grows with each fresh instance). */
  generation(): number {
    const instance = this.#live;
    instance.heal();
    return instance.generation;
  }

  /** Whether objects of generation `since` are gone (the instance trapped since then). */
  isStale(since: number): boolean {
    const instance = this.#instance;
    return instance === undefined || instance.trapped || since !== instance.generation;
  }

  /** Tells `stop` when the instance traps while a call is pending; returns the un-registration. */
  whilePending(stop: (error: Error) => void): () => void {
    const { pending } = this.#live;
    pending.add(stop);
    return () => pending.delete(stop);
  }
}

/** The SenseLink client's module (entries `cyzen-senselink/senselink`, `/import` and the root). */
export const senselinkWasm = /* @__PURE__ */ new WasmPort<SenseLinkGlue>("cyzen-senselink/senselink");
/** The cyzen client's module (entry `cyzen-senselink/cyzen` and the root). */
export const cyzenWasm = /* @__PURE__ */ new WasmPort<CyzenGlue>("cyzen-senselink/cyzen");
/** The server parts' module (entry `cyzen-senselink/server` and the root). */
export const serverWasm = /* @__PURE__ */ new WasmPort<ServerGlue>("cyzen-senselink/server");

const PORTS = { senselink: senselinkWasm, cyzen: cyzenWasm, server: serverWasm } as const;
/** The parts a module can serve. */
export type WasmPart = keyof typeof PORTS;

/** Instances by glue module: a module loaded by two entries is one instance. */
const instances = new Map<BaseGlue, WasmInstance>();

/**
 * Called by an entry's loader once its module is instantiated: registers the package's error
 * classes in it and gives it to the ports of `parts`.
 * @internal
 */
export function provide(glue: BaseGlue, parts: readonly WasmPart[]): void {
  let instance = instances.get(glue);
  if (instance === undefined) {
    instance = new WasmInstance(glue);
    instances.set(glue, instance);
  }
  for (const part of parts) PORTS[part].provide(instance);
}

/** The typed error of a call abandoned because the instance trapped. */
export { internalError };

/**
 * Makes every loaded WebAssembly module trap, to test the recovery: every pending call rejects
 * with `INTERNAL` and the next call runs on a fresh instance. Throws `INTERNAL`.
 * @internal Never call it in production.
 */
export function __trapForTests(): void {
  let trapped: unknown = internalError();
  for (const instance of instances.values()) {
    try {
      instance.call(() => instance.glue.__trapForTests());
    } catch (error) {
      trapped = error;
    }
  }
  throw trapped;
}
