/**
 * The emulator as a Cloudflare Worker module, for a shared staging emulator:
 *
 * ```js
 * // src/index.js of a Worker project
 * export { default, SandboxObject } from "cyzen-senselink-sandbox/worker";
 * ```
 *
 * Options come from the Worker's string variables, named like the binary's environment
 * (`SANDBOX_SEED`, `SANDBOX_APP_SECRET`, `SANDBOX_CYZEN_AUTO_APPROVE`, …). Without bindings the
 * emulator lives in the isolate's memory: Cloudflare may run several isolates and recycle them,
 * each with its own state. Bind the `SandboxObject` Durable Object class as `SANDBOX` to keep one
 * emulator (one state) for every request.
 */
import { createSandboxFromArgs, type Sandbox } from "./workerd.js";

/** The slice of a Durable Object namespace binding this module uses. */
export interface SandboxNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** The Worker's bindings: `SANDBOX_*` strings and, optionally, the `SANDBOX` Durable Object namespace. */
export type SandboxBindings = Record<string, unknown> & { SANDBOX?: SandboxNamespace };

function variables(bindings: SandboxBindings | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(bindings ?? {})) if (typeof value === "string") vars[name] = value;
  return vars;
}

let local: Sandbox | undefined;

/** A Durable Object holding one emulator; every request to it is answered by that emulator. */
export class SandboxObject {
  readonly #sandbox: Sandbox;

  constructor(_state: unknown, bindings: SandboxBindings) {
    this.#sandbox = createSandboxFromArgs([], variables(bindings));
  }

  fetch(request: Request): Promise<Response> {
    return this.#sandbox.fetch(request);
  }
}

const worker = {
  /** Answers with the emulator: the `SANDBOX` Durable Object when bound, else this isolate's own. */
  fetch(request: Request, bindings?: SandboxBindings): Promise<Response> {
    const namespace = bindings?.SANDBOX;
    if (namespace !== undefined && typeof namespace.idFromName === "function") {
      return namespace.get(namespace.idFromName("sandbox")).fetch(request);
    }
    local ??= createSandboxFromArgs([], variables(bindings), new URL(request.url).origin);
    return local.fetch(request);
  },
};

export default worker;
