// What the shipped README's examples use without defining it, declared as a user's project has it.
// Keep it small: an example that needs more should define it itself.

/** A Worker's bindings, as `wrangler types` generates them (a global `Env`). */
interface Env {
  SENSELINK_APP_KEY: string;
  SENSELINK_APP_SECRET: string;
  ACCESS_TEAM_DOMAIN: string;
  ACCESS_AUD: string;
  CYZEN_AUTHORIZE_URL: string;
  CYZEN_TOKEN_URL: string;
  CYZEN_CLIENT_ID: string;
  CYZEN_CLIENT_SECRET: string;
  CYZEN_APP_TOKEN: string;
  CYZEN_APP_TOKEN_HEADER: string;
  CYZEN_COMPANY_ID: string;
  CYZEN_KV: KVNamespace;
  CYZEN_STATIC_TOKEN: string;
  CYZEN_COORDINATOR: DurableObjectNamespace;
  ASSETS: Fetcher;
}

/** A Durable Object namespace binding (the part the examples use). */
interface DurableObjectNamespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): { fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> };
}

/** A Durable Object's id. */
interface DurableObjectId {
  toString(): string;
}

/** The part of Workers KV the examples use (`@cloudflare/workers-types` declares all of it). */
interface KVNamespace {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A service binding such as `ASSETS` (the part the examples use). */
interface Fetcher {
  fetch(request: Request): Promise<Response>;
}

/** The application's own: show something on the page. */
declare function render(item: unknown): void;

/** The application's own: store a record somewhere. */
declare function save(item: unknown): Promise<void>;

/** The application's own: whether a request carries a valid session. */
declare function hasValidSession(request: Request): boolean | Promise<boolean>;
