/**
 * Coordination of one cyzen token across client instances: many Worker isolates, on many machines,
 * sending with the same access token. cyzen allows 5 calls per second per token, and a rotated
 * refresh token works once; a client's own pacer and single-flight refresh only see its instance.
 *
 * A {@link CyzenCoordinator} decides, for every instance, when a request on the token may go and
 * who refreshes. {@link CyzenTokenCoordinator} is a Durable Object that does it for a Worker
 * deployment (one object per token: the single-threaded owner of that token's window and refresh
 * lock), and {@link durableObjectCoordinator} wires a client to it. The window's rule is the
 * client's own (the Rust pacer, in wasm): a slot is held from the send until one window after the
 * answer.
 */
import type { PacingWindow } from "../wasm/all.js";
import { makeError, nameClasses } from "./errors.js";
import { serverWasm } from "./instance.js";
import { sleep } from "./transport.js";

/** What a coordinator is asked for: a pacing slot, or the refresh lock. */
export interface CoordinatorRequest {
  /** Aborts when the call is cancelled or its deadline passes: stop waiting then. */
  readonly signal: AbortSignal;
  /** The longest the call can still wait, in milliseconds (its deadline). */
  readonly maxWaitMs: number;
  /** The client's rate: requests in any 1-second window (cyzen: 5 per token). */
  readonly requestsPerSecond: number;
}

/** A slot or lock granted by a coordinator. */
export interface CoordinatorGrant {
  /** Gives it back: for a slot, when the answer arrived (its window starts then); for a lock, after the refresh. */
  release(): void | Promise<void>;
  /** Set when the coordinator could not be reached and granted from its local fallback: why. */
  readonly fallback?: string | undefined;
}

/**
 * Decides, for every client instance sharing one cyzen token, when a request may go and who
 * refreshes. Pass one as `coordinator` to `CyzenClient` (and `CyzenOAuth`). Without one, each
 * client paces and refreshes on its own (right for one process or isolate).
 */
export interface CyzenCoordinator {
  /** Resolves when a request on the token may be sent. At most one round trip. */
  acquire(request: CoordinatorRequest): Promise<CoordinatorGrant>;
  /** Resolves when this instance may refresh the tokens stored under `name` (others wait, then adopt the result). */
  lock(name: string, request: CoordinatorRequest): Promise<CoordinatorGrant>;
}

/** A Durable Object namespace, as a Worker's binding has it (only what is used here). */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/** Options of {@link durableObjectCoordinator}. */
export interface DurableObjectCoordinatorOptions {
  /** Which token the object coordinates: one object per name (e.g. `"static:" + companyId`, or a session id). */
  readonly name: string;
  /**
   * The share of the rate this instance uses on its own while the object cannot be reached
   * (default 0.2: 1 call/s of 5). Pick about 1 ÷ the isolates you expect to be busy at once.
   */
  readonly fallbackShare?: number;
  /** How long a call waits for the object beyond its own wait before falling back (default 2000 ms). */
  readonly graceMs?: number;
  /** After a failure, how long the fallback is used before the object is tried again (default 10 000 ms). */
  readonly retryAfterMs?: number;
}

/** The longest the object holds one acquire before answering "not yet" (the client asks again). */
const HOLD_MS = 5000;

/** Why the object failed, for the fallback's reason. */
class Unreachable extends Error {}

/** Answers of the object: a grant, or "no slot within your wait". */
interface ObjectAnswer {
  readonly ticket?: number;
  readonly timeout?: boolean;
}

/** The local fallback windows, one per coordinated name, shared by the isolate's clients. */
const fallbackWindows = new Map<string, () => PacingWindow>();
/** Until when (`Date.now()`) a name stays on the fallback after a failure. */
const fallbackUntil = new Map<string, number>();

function checkName(options: DurableObjectCoordinatorOptions): string {
  const name = (options as { name?: unknown } | null)?.name;
  if (typeof name !== "string" || name === "") {
    throw makeError("INVALID_INPUT", "name: durableObjectCoordinator needs { name } (which token the object coordinates)", { field: "name" });
  }
  return name;
}

function share(options: DurableObjectCoordinatorOptions): number {
  const value = options.fallbackShare ?? 0.2;
  if (typeof value !== "number" || !(value > 0 && value <= 1)) {
    throw makeError("INVALID_INPUT", "fallbackShare: must be a number in (0, 1]", { field: "fallbackShare" });
  }
  return value;
}

function milliseconds(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw makeError("INVALID_INPUT", `${field}: must be a number of milliseconds ≥ 0`, { field });
  }
  return value;
}

/** Waits for a slot of a local window (the fallback), within the request's signal and wait. */
async function localSlot(window: () => PacingWindow, request: CoordinatorRequest, reason: string): Promise<CoordinatorGrant> {
  const until = Date.now() + request.maxWaitMs;
  for (;;) {
    const now = Date.now();
    const answer = serverWasm.call(() => window().acquire(now));
    if (answer >= 0) {
      return { fallback: reason, release: () => serverWasm.call(() => window().finish(answer, Date.now())) };
    }
    if (now - answer > until) throw makeError("TIMEOUT", `no pacing slot within the call's deadline (coordinator fallback: ${reason})`, {});
    await sleep(-answer, request.signal);
  }
}

/**
 * A {@link CyzenCoordinator} backed by the {@link CyzenTokenCoordinator} Durable Object bound as
 * `namespace`: one object per `name`. A request costs one call to the object before it is sent and
 * one after its answer (under a queue longer than 5 s, one more per 5 s of waiting); a refresh
 * costs two more. When the object cannot be reached (an error, or no answer within 5 s — or the
 * call's shorter wait — plus `graceMs`), the client paces on its own at `fallbackShare` of the rate
 * for `retryAfterMs`, and the refresh lock is granted locally; each such grant carries `fallback`
 * (the client's `onFallback` hook and `log.warn` report it). Nothing waits past the call's
 * deadline.
 * @example
 * // wrangler.toml: [[durable_objects.bindings]] name = "CYZEN_COORDINATOR", class_name = "CyzenTokenCoordinator"
 * export { CyzenTokenCoordinator } from "cyzen-senselink";
 * const client = new CyzenClient({ companyId, auth: { staticToken: env.CYZEN_STATIC_TOKEN },
 *   coordinator: durableObjectCoordinator(env.CYZEN_COORDINATOR, { name: `static:${companyId}` }) });
 */
export function durableObjectCoordinator(namespace: DurableObjectNamespaceLike, options: DurableObjectCoordinatorOptions): CyzenCoordinator {
  if (namespace === null || typeof namespace !== "object" || typeof namespace.idFromName !== "function" || typeof namespace.get !== "function") {
    throw makeError("INVALID_INPUT", "namespace: must be a Durable Object namespace binding (env.CYZEN_COORDINATOR)", { field: "namespace" });
  }
  const name = checkName(options);
  const fallbackShare = share(options);
  const graceMs = milliseconds(options.graceMs, 2000, "graceMs");
  const retryAfterMs = milliseconds(options.retryAfterMs, 10_000, "retryAfterMs");
  let stub: ReturnType<DurableObjectNamespaceLike["get"]> | undefined;

  /** One call to the object; throws {@link Unreachable} when it fails or is too slow. */
  async function ask(path: string, body: object, request: CoordinatorRequest | undefined): Promise<ObjectAnswer> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    request?.signal.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(), (request?.maxWaitMs ?? 0) + graceMs);
    try {
      stub ??= namespace.get(namespace.idFromName(name) as never);
      const response = await stub.fetch(`https://coordinator/${path}`, { method: "POST", body: JSON.stringify(body), signal: controller.signal });
      if (!response.ok) throw new Unreachable(`the object answered HTTP ${response.status}`);
      return (await response.json()) as ObjectAnswer;
    } catch (error) {
      if (request?.signal.aborted) throw error;
      stub = undefined;
      if (error instanceof Unreachable) throw error;
      throw new Unreachable(controller.signal.aborted ? `no answer within ${graceMs} ms beyond the wait` : `unreachable (${(error as Error)?.message ?? String(error)})`);
    } finally {
      clearTimeout(timer);
      request?.signal.removeEventListener("abort", onAbort);
    }
  }

  function fallbackWindow(rate: number): () => PacingWindow {
    let window = fallbackWindows.get(name);
    if (window === undefined) {
      const limit = Math.max(1, Math.floor(rate * fallbackShare));
      window = serverWasm.revivable((glue) => new glue.PacingWindow(limit, 1000, 10, 6));
      fallbackWindows.set(name, window);
    }
    return window;
  }

  function onFallback(): string | undefined {
    const until = fallbackUntil.get(name);
    if (until === undefined) return undefined;
    if (Date.now() < until) return "the coordinator failed recently";
    fallbackUntil.delete(name);
    return undefined;
  }

  function failed(error: unknown): string {
    fallbackUntil.set(name, Date.now() + retryAfterMs);
    return `coordinator ${name}: ${(error as Error).message}`;
  }

  /**
   * Asks the object (`acquire` or `lock`) until it grants a ticket; `undefined` when the call's wait
   * ran out. The object holds one ask at most HOLD_MS, so an object that never answers is told from
   * a long queue within HOLD_MS + graceMs. `final`: the ask covers the whole remaining wait, so the
   * object says at once when nothing frees in time. Throws {@link Unreachable}.
   */
  async function ticketFrom(path: string, body: object, request: CoordinatorRequest): Promise<number | undefined> {
    const until = Date.now() + request.maxWaitMs;
    for (;;) {
      const left = Math.max(0, until - Date.now());
      const maxWaitMs = Math.min(left, HOLD_MS);
      const final = maxWaitMs === left;
      const answer = await ask(path, { ...body, maxWaitMs, final }, { ...request, maxWaitMs });
      if (typeof answer.ticket === "number") return answer.ticket;
      if (final || Date.now() >= until) return undefined;
    }
  }

  return {
    async acquire(request) {
      const local = (reason: string, waitMs: number) => localSlot(fallbackWindow(request.requestsPerSecond), { ...request, maxWaitMs: waitMs }, reason);
      const recent = onFallback();
      if (recent !== undefined) return local(recent, request.maxWaitMs);
      const until = Date.now() + request.maxWaitMs;
      let ticket: number | undefined;
      try {
        ticket = await ticketFrom("acquire", { rate: request.requestsPerSecond }, request);
      } catch (error) {
        if (!(error instanceof Unreachable)) throw error;
        return local(failed(error), Math.max(0, until - Date.now()));
      }
      if (ticket === undefined) throw makeError("TIMEOUT", "no pacing slot from the coordinator within the call's deadline", {});
      const granted = ticket;
      return {
        release: async () => {
          // A lost release only holds the slot until the object's lease ends.
          await ask("release", { ticket: granted }, undefined).catch(() => undefined);
        },
      };
    },
    async lock(lockName, request) {
      const recent = onFallback();
      if (recent !== undefined) return { fallback: recent, release: () => undefined };
      let ticket: number | undefined;
      try {
        ticket = await ticketFrom("lock", { name: lockName }, request);
      } catch (error) {
        if (!(error instanceof Unreachable)) throw error;
        // Unlocked, every instance may refresh: the one that loses a rotation race adopts the
        // winner's stored tokens (no call fails), at the cost of extra token requests.
        return { fallback: failed(error), release: () => undefined };
      }
      if (ticket === undefined) throw makeError("TIMEOUT", "the token refresh lock was not granted within the call's deadline", {});
      const granted = ticket;
      return { release: () => ask("unlock", { name: lockName, ticket: granted }, undefined).then(() => undefined, () => undefined) };
    },
  };
}

/** Slot ids per window generation in a ticket (ids count up from 0; 2^32 grants per window). */
const TICKET_SPAN = 2 ** 32;
/** How long a granted slot may stay unreleased before the object takes it back (a vanished isolate). */
const SLOT_LEASE_MS = 65_000;
/** How long the refresh lock may be held before the object hands it to the next waiter. */
const LOCK_LEASE_MS = 30_000;

interface Waiter {
  readonly until: number;
  /** The caller cannot wait past `until`: told at once when no slot frees by then. */
  readonly final?: boolean;
  readonly grant: (answer: ObjectAnswer) => void;
}

interface LockState {
  holder: number | undefined;
  since: number;
  readonly queue: Waiter[];
}

/**
 * The Durable Object behind {@link durableObjectCoordinator}: per token (one object per name), the
 * sliding window and in-flight count of every isolate's requests, and the refresh lock. Export it
 * from your Worker's entry module and bind it (`[[durable_objects.bindings]]`, class
 * `CyzenTokenCoordinator`; a migration with `new_sqlite_classes` or `new_classes`). It keeps its
 * state in memory: after the object restarts, the window starts empty (the clients' own pacers
 * still hold each isolate to the rate).
 */
export class CyzenTokenCoordinator {
  #window: (() => PacingWindow) | undefined;
  #rate = 0;
  #generation = 0;
  readonly #waiting: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  readonly #locks = new Map<string, LockState>();
  #nextLockTicket = 1;

  /** Called by the Workers runtime with the object's state and the Worker's env (unused). */
  constructor(_state?: unknown, _env?: unknown) {}

  /** The coordinator's protocol (`POST /acquire`, `/release`, `/lock`, `/unlock`, JSON bodies). */
  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    let body: Record<string, unknown>;
    try {
      body = (await request.json()) as Record<string, unknown>;
    } catch {
      return Response.json({ error: "a JSON body is required" }, { status: 400 });
    }
    const number = (key: string, fallback: number) => (typeof body[key] === "number" && Number.isFinite(body[key]) ? (body[key] as number) : fallback);
    const maxWaitMs = Math.max(0, Math.min(number("maxWaitMs", 0), 10 * 60_000));
    switch (path) {
      case "/acquire":
        return Response.json(await this.#acquire(Math.max(1, Math.floor(number("rate", 5))), maxWaitMs, body.final === true));
      case "/release":
        this.#release(number("ticket", -1));
        return Response.json({});
      case "/lock":
        return Response.json(await this.#lock(String(body.name ?? ""), maxWaitMs));
      case "/unlock":
        this.#unlock(String(body.name ?? ""), number("ticket", -1));
        return Response.json({});
      default:
        return Response.json({ error: "unknown route" }, { status: 404 });
    }
  }

  #windowFor(rate: number): () => PacingWindow {
    if (this.#window === undefined || rate < this.#rate) {
      // A lower rate than before (another client's setting) wins: the stricter one is safe.
      this.#rate = rate;
      this.#generation += 1;
      this.#window = serverWasm.revivable((glue) => new glue.PacingWindow(rate, 1000, 10, 64));
    }
    return this.#window;
  }

  /** A slot id of the current window as a ticket: the window's generation in the high bits, so
   * a ticket of a replaced window is never taken for a slot of the new one. */
  #ticketOf(id: number): number {
    return this.#generation * TICKET_SPAN + id;
  }

  #acquire(rate: number, maxWaitMs: number, final: boolean): Promise<ObjectAnswer> {
    const window = this.#windowFor(rate);
    return new Promise((grant) => {
      this.#waiting.push({ until: Date.now() + maxWaitMs, final, grant });
      this.#pump(window);
    });
  }

  #release(ticket: number): void {
    if (ticket < 0 || this.#window === undefined || Math.floor(ticket / TICKET_SPAN) !== this.#generation) return;
    const window = this.#window;
    serverWasm.call(() => window().finish(ticket % TICKET_SPAN, Date.now()));
    this.#pump(window);
  }

  /** Grants slots to waiters in arrival order while the window has room; schedules the next look. */
  #pump(window: () => PacingWindow): void {
    const now = Date.now();
    serverWasm.call(() => window().finishStale(now, SLOT_LEASE_MS));
    let wait = Infinity;
    while (this.#waiting.length > 0) {
      const first = this.#waiting[0] as Waiter;
      const answer = serverWasm.call(() => window().acquire(now));
      if (answer >= 0) {
        this.#waiting.shift();
        first.grant({ ticket: this.#ticketOf(answer) });
        continue;
      }
      wait = -answer;
      break;
    }
    // A final waiter whose wait ends before the next slot frees is told so now (its call fails at
    // once rather than sleep into its deadline); the others ("ask again") when their hold ends.
    let next = now + wait;
    for (let i = this.#waiting.length - 1; i >= 0; i--) {
      const waiter = this.#waiting[i] as Waiter;
      if (waiter.final ? waiter.until < now + wait : waiter.until <= now) {
        this.#waiting.splice(i, 1);
        waiter.grant({ timeout: true });
      } else if (!waiter.final) {
        next = Math.min(next, waiter.until);
      }
    }
    if (this.#waiting.length > 0) this.#wake(next);
  }

  #wake(at: number): void {
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      if (this.#window !== undefined) this.#pump(this.#window);
    }, Math.max(1, at - Date.now()));
  }

  #lock(name: string, maxWaitMs: number): Promise<ObjectAnswer> {
    let state = this.#locks.get(name);
    if (state === undefined) {
      state = { holder: undefined, since: 0, queue: [] };
      this.#locks.set(name, state);
    }
    const lock = state;
    return new Promise((grant) => {
      const waiter: Waiter = { until: Date.now() + maxWaitMs, grant };
      lock.queue.push(waiter);
      this.#handOver(lock);
      if (lock.queue.includes(waiter)) {
        // Re-examined when the wait ends (or the holder's lease does, whichever is first).
        const at = Math.min(waiter.until, lock.since + LOCK_LEASE_MS);
        setTimeout(() => {
          this.#handOver(lock);
          const i = lock.queue.indexOf(waiter);
          if (i >= 0 && Date.now() >= waiter.until) {
            lock.queue.splice(i, 1);
            waiter.grant({ timeout: true });
          }
        }, Math.max(1, at - Date.now()));
      }
    });
  }

  #unlock(name: string, ticket: number): void {
    const lock = this.#locks.get(name);
    if (lock === undefined || lock.holder !== ticket) return;
    lock.holder = undefined;
    this.#handOver(lock);
    if (lock.holder === undefined && lock.queue.length === 0) this.#locks.delete(name);
  }

  /** Gives a free (or lease-expired) lock to the first waiter. */
  #handOver(lock: LockState): void {
    const now = Date.now();
    if (lock.holder !== undefined && now - lock.since < LOCK_LEASE_MS) return;
    lock.holder = undefined;
    const next = lock.queue.shift();
    if (next === undefined) return;
    lock.holder = this.#nextLockTicket++;
    lock.since = now;
    next.grant({ ticket: lock.holder });
  }
}

nameClasses({ CyzenTokenCoordinator });
