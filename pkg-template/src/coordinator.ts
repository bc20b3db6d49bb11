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
  /**
   * Which token the object coordinates: **one name per access token**. Every instance sending with
   * the same token must use the same name (else each object paces only its share), and two tokens
   * must not share one (else they share one token's rate). Name it after whose token it is:
   * `"static:" + companyId` for a static token, `"oauth:" + userId` (whatever keys that user's
   * stored tokens) for OAuth tokens.
   */
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
  /**
   * What a token refresh does when the object cannot be reached for its lock. `"fail"` (default):
   * it does not refresh, and the call fails with `NETWORK` — another instance may hold the lock,
   * and two refreshes at once race for a rotating refresh token (a server that detects reuse may
   * revoke both). `"local"`: it takes a lock of its own isolate and refreshes (the loser of a
   * rotation race adopts the winner's stored tokens, at the cost of an extra token request).
   * Either way, once the object has answered that another instance holds the lock, the lock is
   * never taken locally.
   */
  readonly lockFallback?: "fail" | "local";
}

/** The longest the object holds one request before answering "not yet" (the client asks again). */
const HOLD_MS = 5000;

/** Why the object failed, for the fallback's reason. */
class Unreachable extends Error {}

/** Answers of the object (see the protocol below). */
interface ObjectAnswer {
  /** Granted: the slot or lock is the caller's. */
  readonly ticket?: number;
  /** Offered: the caller's once it confirms it (`/confirm`) within OFFER_MS. */
  readonly offer?: number;
  /** Nothing within the wait. */
  readonly timeout?: boolean;
  /** The object ended the hold before the wait: ask again. */
  readonly again?: boolean;
  /** `/confirm` too late: the offer went to someone else. */
  readonly expired?: boolean;
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

function lockFallbackOf(options: DurableObjectCoordinatorOptions): "fail" | "local" {
  const value = options.lockFallback ?? "fail";
  if (value !== "fail" && value !== "local") {
    throw makeError("INVALID_INPUT", 'lockFallback: must be "fail" or "local"', { field: "lockFallback" });
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

/** Settles as `work` does, or rejects with `ABORTED` as soon as `signal` fires (`work` runs on). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  const aborted = () => makeError("ABORTED", "the call was aborted by its AbortSignal", { cause: signal.reason });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * A {@link CyzenCoordinator} backed by the {@link CyzenTokenCoordinator} Durable Object bound as
 * `namespace`: one object per `name`, one name per access token. A request costs one call to the
 * object before it is sent and one after its answer; under a queue, one more when a slot frees for
 * it (it confirms the slot: see the protocol at {@link CyzenTokenCoordinator}) and one more per 5 s
 * of waiting. A refresh costs two or three more. When the object cannot be reached (an error, or no
 * answer within 5 s — or the call's shorter wait — plus `graceMs`), the client paces on its own at
 * `fallbackShare` of the rate for `retryAfterMs`, and each such grant carries `fallback` (the
 * client's `onFallback` hook and `log.warn` report it); a refresh then fails with `NETWORK` (or,
 * with `lockFallback: "local"`, takes a lock of its own isolate). Nothing waits past the call's
 * deadline, and a call that is cancelled stops waiting at once.
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
  const lockFallback = lockFallbackOf(options);
  let stub: ReturnType<DurableObjectNamespaceLike["get"]> | undefined;

  /**
   * One call to the object, held there at most `holdMs`; throws {@link Unreachable} when it fails
   * or has no answer `graceMs` after that. Never aborted because the caller left: the answer may
   * carry a grant, which must then be given back (see `obtain`).
   */
  async function ask(path: string, body: object, holdMs: number): Promise<ObjectAnswer> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), holdMs + graceMs);
    try {
      stub ??= namespace.get(namespace.idFromName(name) as never);
      const response = await stub.fetch(`https://coordinator/${path}`, { method: "POST", body: JSON.stringify(body), signal: controller.signal });
      if (!response.ok) throw new Unreachable(`the object answered HTTP ${response.status}`);
      const answer = (await response.json()) as ObjectAnswer | null;
      if (answer === null || typeof answer !== "object") throw new Unreachable("the object's answer is not an object");
      return answer;
    } catch (error) {
      stub = undefined;
      if (error instanceof Unreachable) throw error;
      throw new Unreachable(controller.signal.aborted ? `no answer within ${graceMs} ms beyond the wait` : `unreachable (${(error as Error)?.message ?? String(error)})`);
    } finally {
      clearTimeout(timer);
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
   * Asks the object (`acquire` or `lock`) until the caller holds a ticket; `undefined` when the
   * call's wait ran out or the caller left. Each ask is held at most HOLD_MS, so an object that
   * never answers is told from a long queue within HOLD_MS + graceMs; `final`: the ask covers the
   * whole remaining wait, so the object says at once when nothing frees in time. An offer is
   * confirmed before it counts; whatever is offered or granted after the caller left is given back
   * unused (`giveBack`). `answered` is called after each answer (the object is up). Throws
   * {@link Unreachable}.
   */
  async function obtain(path: string, body: object, request: CoordinatorRequest, giveBack: (ticket: number) => Promise<unknown>, answered: () => void): Promise<number | undefined> {
    const until = Date.now() + request.maxWaitMs;
    // The slot or lock is held at most until the call's deadline (a call with none: the object's default).
    const leaseMs = Number.isFinite(request.maxWaitMs) ? request.maxWaitMs : undefined;
    const keep = async (ticket: number): Promise<number | undefined> => {
      if (!request.signal.aborted) return ticket;
      await giveBack(ticket).catch(() => undefined);
      return undefined;
    };
    for (;;) {
      if (request.signal.aborted) return undefined;
      const left = Math.max(0, until - Date.now());
      const maxWaitMs = Math.min(left, HOLD_MS);
      const final = maxWaitMs === left;
      const answer = await ask(path, { ...body, maxWaitMs, final, leaseMs, confirm: true }, maxWaitMs);
      answered();
      if (typeof answer.ticket === "number") return keep(answer.ticket);
      if (typeof answer.offer === "number") {
        const offer = answer.offer;
        if (request.signal.aborted) return keep(offer);
        const confirmed = await ask("confirm", { ...body, ticket: offer }, 0);
        if (typeof confirmed.ticket === "number") return keep(confirmed.ticket);
        // Confirmed too late (it went to the next waiter): ask again.
      } else if (final && answer.again !== true) {
        return undefined;
      }
      if (Date.now() >= until) return undefined;
    }
  }

  return {
    async acquire(request) {
      const local = (reason: string, waitMs: number) => localSlot(fallbackWindow(request.requestsPerSecond), { ...request, maxWaitMs: waitMs }, reason);
      const recent = onFallback();
      if (recent !== undefined) return local(recent, request.maxWaitMs);
      const until = Date.now() + request.maxWaitMs;
      const unused = (ticket: number) => ask("release", { ticket, unused: true }, 0);
      const work = obtain("acquire", { rate: request.requestsPerSecond }, request, unused, () => undefined);
      // The caller may leave first; the work then gives back what it gets (never unhandled).
      work.catch(() => undefined);
      let ticket: number | undefined;
      try {
        ticket = await unlessAborted(work, request.signal);
      } catch (error) {
        if (!(error instanceof Unreachable)) throw error;
        return local(failed(error), Math.max(0, until - Date.now()));
      }
      if (ticket === undefined) throw makeError("TIMEOUT", "no pacing slot from the coordinator within the call's deadline", {});
      const granted = ticket;
      return {
        release: async () => {
          // A lost release only holds the slot until its lease (the call's deadline) ends.
          await ask("release", { ticket: granted }, 0).catch(() => undefined);
        },
      };
    },
    async lock(lockName, request) {
      if (lockFallback === "local") {
        const recent = onFallback();
        if (recent !== undefined) return { fallback: recent, release: () => undefined };
      }
      const unlock = (ticket: number) => ask("unlock", { name: lockName, ticket }, 0);
      let answered = false;
      const work = obtain("lock", { name: lockName }, request, unlock, () => void (answered = true));
      work.catch(() => undefined);
      let ticket: number | undefined;
      try {
        ticket = await unlessAborted(work, request.signal);
      } catch (error) {
        if (!(error instanceof Unreachable)) throw error;
        const reason = failed(error);
        // Once the object has said the lock is taken, taking one locally would make two holders.
        if (lockFallback === "local" && !answered) {
          // Unlocked, the loser of a rotation race adopts the winner's stored tokens.
          return { fallback: reason, release: () => undefined };
        }
        throw makeError("NETWORK", `${reason}; the token is not refreshed without the coordinator's lock (another instance may hold it)`, { cause: error });
      }
      if (ticket === undefined) throw makeError("TIMEOUT", "the token refresh lock was not granted within the call's deadline", {});
      const granted = ticket;
      return { release: () => unlock(granted).then(() => undefined, () => undefined) };
    },
  };
}

/*
 * The protocol between durableObjectCoordinator (in every isolate) and CyzenTokenCoordinator (one
 * object per token). POST, JSON object bodies (anything else answers 400):
 *
 *   /acquire {rate, maxWaitMs, final, leaseMs, confirm}  → {ticket} | {offer} | {timeout} | {again}
 *   /lock    {name, maxWaitMs, final, leaseMs, confirm}  → {ticket} | {offer} | {timeout} | {again}
 *   /confirm {ticket, name?}                             → {ticket} | {expired}
 *   /release {ticket, unused?}    /unlock {name, ticket}  → {}
 *
 * The object cannot see a caller leave: without the `enable_request_signal` compatibility flag
 * workerd never fires a held request's `signal`, and an isolate may die mid-call. So nothing
 * counts on it:
 * 1. A request is held at most its `maxWaitMs`, and never more than MAX_HOLD_MS; when the hold ends
 *    without a grant it is answered (`timeout`: nothing in your wait; `again`: the object cut the
 *    wait short) and forgotten. A caller still waiting asks again; one that left does not, and is
 *    no longer queued. Every held request is answered when its hold ends: the object wakes at the
 *    earliest of the holds, offers and leases that bound its queues and answers all that are due.
 * 2. What frees while a request is held is *offered*, not granted, to a client that can confirm
 *    (`confirm: true`): it is reserved for OFFER_MS and becomes the caller's only by a `/confirm`
 *    in that time. Nothing is sent before the confirm, so an offer nobody confirms (the caller
 *    left, its isolate died) is taken back *unused*: a slot leaves no window, a lock goes to the
 *    next waiter. What is free when a request arrives is granted at once (the caller asked a
 *    moment ago).
 * 3. Every grant has a lease ending at the caller's deadline: `leaseMs` (the call's remaining time)
 *    from the request's arrival, plus LEASE_MARGIN_MS. The call is over by then, so what it still
 *    holds has lost its holder: a slot is finished (its window starts then, as the request may have
 *    reached the server), a lock goes to the next waiter. A lock's lease is thus never shorter than
 *    the refresh it guards, which runs within the same deadline.
 * 4. The client never abandons a request to the object when its caller leaves: the call stops
 *    waiting at once, the answer still arrives (within the hold + graceMs), and whatever it offers
 *    or grants is given back unused (`/release {unused: true}`, `/unlock`).
 * 5. Each slot keeps the rate its caller announced (the Rust window, `acquireFor`): a slot is
 *    granted only while every slot held in its window allows one more. A stricter rate binds with
 *    the slots already held, and ends when its own slots' windows do.
 *
 * Clients of earlier versions (no `confirm`, no `leaseMs`) are granted as before, with a 65 s lease.
 */

/** Slot ids per object instance in a ticket (ids count up from 0; 2^32 grants per instance). */
const TICKET_SPAN = 2 ** 32;
/** The longest the object holds one request (a caller that left is forgotten within this). */
const MAX_HOLD_MS = HOLD_MS;
/** How long an offer waits for its `/confirm` before it is taken back unused. */
const OFFER_MS = 2000;
/** Added to a lease: the request's transit, and an aborted request the server may still count. */
const LEASE_MARGIN_MS = 1000;
/** The lease when a request carries no `leaseMs` (a client with no deadline, or of an earlier version). */
const DEFAULT_LEASE_MS = 65_000;
/** The longest lease a request can ask for. */
const MAX_LEASE_MS = 10 * 60_000;
/** The highest rate a request can announce. */
const MAX_RATE = 1000;

/** A held request. */
interface Waiter {
  /** When its hold ends. */
  readonly until: number;
  /** The caller cannot wait past `until`: told at once when nothing frees by then. */
  readonly final: boolean;
  /** The object cut the caller's wait to MAX_HOLD_MS: answered `again` when it ends. */
  readonly capped: boolean;
  /** When what it is granted is taken back (its caller's deadline). */
  readonly leaseUntil: number;
  /** Its client confirms offers. */
  readonly confirm: boolean;
  readonly answer: (answer: ObjectAnswer) => void;
}

interface SlotWaiter extends Waiter {
  /** The rate its caller announced. */
  readonly rate: number;
}

interface LockHolder {
  readonly ticket: number;
  readonly leaseUntil: number;
  /** Set while offered and not yet confirmed: when the offer lapses. */
  offerUntil: number | undefined;
}

interface LockState {
  holder: LockHolder | undefined;
  readonly queue: Waiter[];
  timer: ReturnType<typeof setTimeout> | undefined;
  timerAt: number;
}

/** The answer a waiter gets when its hold ends without a grant. */
function holdEnded(waiter: Waiter): ObjectAnswer {
  return waiter.capped ? { again: true } : { timeout: true };
}

/**
 * The Durable Object behind {@link durableObjectCoordinator}: per token (one object per name), the
 * sliding window and in-flight count of every isolate's requests, and the refresh lock. Export it
 * from your Worker's entry module and bind it (`[[durable_objects.bindings]]`, class
 * `CyzenTokenCoordinator`; a migration with `new_sqlite_classes` or `new_classes`; other Worker
 * scripts bind it with `script_name`). It keeps its state in memory: after the object restarts,
 * the window starts empty (the clients' own pacers still hold each isolate to the rate). A caller
 * that leaves is never waited for: held requests are bounded, grants made while a request waited
 * must be confirmed, and every grant's lease ends at its caller's deadline (the protocol is
 * described in the package's source, above this class).
 */
export class CyzenTokenCoordinator {
  #window: (() => PacingWindow) | undefined;
  /** Tells this instance's tickets from an earlier one's (the object restarted). */
  readonly #epoch = 1 + Math.floor(Math.random() * 0xfffff);
  readonly #waiting: SlotWaiter[] = [];
  /** Slots offered and not yet confirmed: slot id → when the offer lapses. */
  readonly #offers = new Map<number, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  readonly #locks = new Map<string, LockState>();
  #nextLockTicket = 0;

  /** Called by the Workers runtime with the object's state and the Worker's env (unused). */
  constructor(_state?: unknown, _env?: unknown) {}

  /** The coordinator's protocol (`POST /acquire`, `/release`, `/lock`, `/unlock`, `/confirm`, JSON object bodies). */
  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    let parsed: unknown;
    try {
      parsed = await request.json();
    } catch {
      return Response.json({ error: "a JSON body is required" }, { status: 400 });
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return Response.json({ error: "the body must be a JSON object" }, { status: 400 });
    }
    const body = parsed as Record<string, unknown>;
    const number = (key: string): number | undefined => {
      const value = body[key];
      return typeof value === "number" && Number.isFinite(value) ? value : undefined;
    };
    const now = Date.now();
    const waiter = (answer: (a: ObjectAnswer) => void): Waiter => {
      const wait = Math.max(0, number("maxWaitMs") ?? 0);
      const leaseMs = number("leaseMs");
      return {
        until: now + Math.min(wait, MAX_HOLD_MS),
        final: body.final === true && wait <= MAX_HOLD_MS,
        capped: wait > MAX_HOLD_MS,
        leaseUntil: now + (leaseMs === undefined ? DEFAULT_LEASE_MS : Math.min(Math.max(0, leaseMs), MAX_LEASE_MS) + LEASE_MARGIN_MS),
        confirm: body.confirm === true,
        answer,
      };
    };
    const ticket = number("ticket") ?? -1;
    const name = typeof body.name === "string" ? body.name : undefined;
    switch (path) {
      case "/acquire": {
        const rate = Math.min(MAX_RATE, Math.max(1, Math.floor(number("rate") ?? 5)));
        return Response.json(await new Promise<ObjectAnswer>((answer) => this.#acquire({ ...waiter(answer), rate })));
      }
      case "/release":
        this.#release(ticket, body.unused === true);
        return Response.json({});
      case "/lock":
        if (name === undefined) return Response.json({ error: "name: a string is required" }, { status: 400 });
        return Response.json(await new Promise<ObjectAnswer>((answer) => this.#lock(name, waiter(answer))));
      case "/unlock":
        if (name !== undefined) this.#unlock(name, ticket);
        return Response.json({});
      case "/confirm":
        return Response.json(name === undefined ? this.#confirmSlot(ticket) : this.#confirmLock(name, ticket));
      default:
        return Response.json({ error: "unknown route" }, { status: 404 });
    }
  }

  #windowOf(): () => PacingWindow {
    // Each slot carries its own rate (acquireFor): the window's own limit is never the binding one.
    this.#window ??= serverWasm.revivable((glue) => new glue.PacingWindow(MAX_RATE, 1000, 10, 64));
    return this.#window;
  }

  #ticket(id: number): number {
    return this.#epoch * TICKET_SPAN + id;
  }

  /** The id inside a ticket of this instance, or `undefined`. */
  #idOf(ticket: number): number | undefined {
    const id = ticket - this.#epoch * TICKET_SPAN;
    return Number.isInteger(id) && id >= 0 && id < TICKET_SPAN ? id : undefined;
  }

  #acquire(waiter: SlotWaiter): void {
    this.#waiting.push(waiter);
    this.#pump(waiter);
  }

  #release(ticket: number, unused: boolean): void {
    const id = this.#idOf(ticket);
    if (id === undefined || this.#window === undefined) return;
    const window = this.#window;
    // An offer never confirmed was never used, whatever the caller says.
    const offered = this.#offers.delete(id);
    if (unused || offered) serverWasm.call(() => window().cancel(id));
    else serverWasm.call(() => window().finish(id, Date.now()));
    this.#pump(undefined);
  }

  #confirmSlot(ticket: number): ObjectAnswer {
    const id = this.#idOf(ticket);
    const lapses = id === undefined ? undefined : this.#offers.get(id);
    if (id === undefined || lapses === undefined) return { expired: true };
    this.#offers.delete(id);
    if (Date.now() < lapses) return { ticket };
    // Too late: it goes to the next waiter.
    const window = this.#windowOf();
    serverWasm.call(() => window().cancel(id));
    this.#pump(undefined);
    return { expired: true };
  }

  /**
   * Takes back lapsed offers and expired leases, grants slots to waiters in arrival order while
   * the window has room, answers the waiters whose hold ended, and schedules the next look.
   * `arriving`: the request being handled now, granted outright (the others are offered).
   */
  #pump(arriving: SlotWaiter | undefined): void {
    const window = this.#windowOf();
    const now = Date.now();
    let nextOffer = Infinity;
    for (const [id, lapses] of this.#offers) {
      if (lapses <= now) {
        this.#offers.delete(id);
        serverWasm.call(() => window().cancel(id));
      } else {
        nextOffer = Math.min(nextOffer, lapses);
      }
    }
    serverWasm.call(() => window().finishExpired(now));
    let wait = Infinity;
    while (this.#waiting.length > 0) {
      const first = this.#waiting[0] as SlotWaiter;
      const answer = serverWasm.call(() => window().acquireFor(now, first.rate, first.leaseUntil));
      if (answer < 0) {
        wait = -answer;
        break;
      }
      this.#waiting.shift();
      if (first === arriving || !first.confirm) {
        first.answer({ ticket: this.#ticket(answer) });
      } else {
        this.#offers.set(answer, now + OFFER_MS);
        nextOffer = Math.min(nextOffer, now + OFFER_MS);
        first.answer({ offer: this.#ticket(answer) });
      }
    }
    // A final waiter whose wait ends before the next slot frees is told so now (its call fails at
    // once rather than sleep into its deadline); the others when their hold ends.
    let next = Math.min(now + wait, nextOffer);
    for (let i = this.#waiting.length - 1; i >= 0; i--) {
      const waiter = this.#waiting[i] as SlotWaiter;
      if (waiter.final ? waiter.until < now + wait : waiter.until <= now) {
        this.#waiting.splice(i, 1);
        waiter.answer(holdEnded(waiter));
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
      this.#pump(undefined);
    }, Math.max(1, at - Date.now()));
  }

  #lock(name: string, waiter: Waiter): void {
    let lock = this.#locks.get(name);
    if (lock === undefined) {
      lock = { holder: undefined, queue: [], timer: undefined, timerAt: Infinity };
      this.#locks.set(name, lock);
    }
    lock.queue.push(waiter);
    this.#settle(name, lock, waiter);
  }

  #unlock(name: string, ticket: number): void {
    const lock = this.#locks.get(name);
    if (lock === undefined || lock.holder?.ticket !== ticket) return;
    lock.holder = undefined;
    this.#settle(name, lock, undefined);
  }

  #confirmLock(name: string, ticket: number): ObjectAnswer {
    const lock = this.#locks.get(name);
    const holder = lock?.holder;
    if (lock === undefined || holder === undefined || holder.ticket !== ticket || holder.offerUntil === undefined) return { expired: true };
    if (Date.now() < holder.offerUntil) {
      holder.offerUntil = undefined;
      return { ticket };
    }
    lock.holder = undefined;
    this.#settle(name, lock, undefined);
    return { expired: true };
  }

  /**
   * Ends a lapsed offer or an expired lease, hands a free lock to the first waiter (outright when it
   * is `arriving`, else as an offer), answers every waiter whose hold ended, and wakes for the next
   * of these moments — so every waiter is answered, whoever holds the lock.
   */
  #settle(name: string, lock: LockState, arriving: Waiter | undefined): void {
    const now = Date.now();
    const holder = lock.holder;
    if (holder !== undefined && (holder.leaseUntil <= now || (holder.offerUntil !== undefined && holder.offerUntil <= now))) {
      lock.holder = undefined;
    }
    const next = lock.holder === undefined ? lock.queue.shift() : undefined;
    if (next !== undefined) {
      const ticket = this.#epoch * TICKET_SPAN + (this.#nextLockTicket++ % TICKET_SPAN);
      const offered = next !== arriving && next.confirm;
      lock.holder = { ticket, leaseUntil: next.leaseUntil, offerUntil: offered ? now + OFFER_MS : undefined };
      next.answer(offered ? { offer: ticket } : { ticket });
    }
    let at = Infinity;
    for (let i = lock.queue.length - 1; i >= 0; i--) {
      const waiter = lock.queue[i] as Waiter;
      if (waiter.until <= now) {
        lock.queue.splice(i, 1);
        waiter.answer(holdEnded(waiter));
      } else {
        at = Math.min(at, waiter.until);
      }
    }
    // Someone waits: look again when the holder's offer or lease ends, or a hold does.
    const current = lock.holder;
    if (current !== undefined) at = Math.min(at, current.offerUntil ?? current.leaseUntil);
    if (lock.timer !== undefined && (lock.queue.length === 0 || lock.timerAt !== at)) {
      clearTimeout(lock.timer);
      lock.timer = undefined;
      lock.timerAt = Infinity;
    }
    if (lock.queue.length === 0) {
      if (lock.holder === undefined) this.#locks.delete(name);
      return;
    }
    if (lock.timer === undefined) {
      lock.timerAt = at;
      lock.timer = setTimeout(() => {
        lock.timer = undefined;
        lock.timerAt = Infinity;
        this.#settle(name, lock, undefined);
      }, Math.max(1, at - now));
    }
  }
}

nameClasses({ CyzenTokenCoordinator });
