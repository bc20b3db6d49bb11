// Who is calling. Every route but the SenseLink push receiver (which has its own key) needs an
// authenticated caller, in one of two modes:
//
//   Cloudflare Access   ACCESS_TEAM_DOMAIN and ACCESS_AUD set: a valid Access JWT
//                       (Cf-Access-Jwt-Assertion, verified with createAccessVerifier: RS256 against
//                       the team's keys, aud, iss, exp/nbf/iat) on every request.
//   local demo          DEMO_INSECURE_LOCAL=1 (written by `make demo` into .dev.vars, never for a
//                       deployment): no identity check at all, so it is refused unless the request
//                       is addressed to a loopback host (127.0.0.1, localhost, [::1]).
//
// Anything else (nothing set, half of Access set, the demo flag on a public host) answers 503 "not
// configured": the Worker is closed until it is configured, never open by default.
import { createAccessVerifier } from "cyzen-senselink/server";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const callers = new WeakMap();
let verifierCache = null;

/** The authenticated caller of a request (set by `authenticate`), or undefined. */
export function callerOf(request) {
  return callers.get(request);
}

/** "access", "demo" or "unconfigured" for this request. */
export function authMode(request, env) {
  if (env.ACCESS_TEAM_DOMAIN && env.ACCESS_AUD) return "access";
  if (env.ACCESS_TEAM_DOMAIN || env.ACCESS_AUD) return "unconfigured";
  if (env.DEMO_INSECURE_LOCAL === "1" && LOOPBACK.has(new URL(request.url).hostname)) return "demo";
  return "unconfigured";
}

/** `ACCESS_CERTS_URL` is a test hook (a local key server); honoured only on a loopback host, so it
 * cannot redirect a deployed Worker's key fetches anywhere. */
function certsOverride(env) {
  if (!env.ACCESS_CERTS_URL) return undefined;
  const url = new URL(env.ACCESS_CERTS_URL);
  if (!LOOPBACK.has(url.hostname)) throw new Error("ACCESS_CERTS_URL must point at a loopback host (tests only)");
  return url.href;
}

function verifier(env) {
  const key = `${env.ACCESS_TEAM_DOMAIN} ${env.ACCESS_AUD} ${env.ACCESS_CERTS_URL ?? ""}`;
  if (verifierCache?.key !== key) {
    const certs = certsOverride(env);
    verifierCache = {
      key,
      verifier: createAccessVerifier({
        teamDomain: env.ACCESS_TEAM_DOMAIN,
        audience: env.ACCESS_AUD.split(",").map((aud) => aud.trim()).filter(Boolean),
        fetch: certs ? (_url, init) => fetch(certs, init) : undefined,
      }),
    };
  }
  return verifierCache.verifier;
}

/**
 * Authenticates a request: resolves to the caller `{ subject, email }` (also kept for
 * `callerOf(request)`), or to a `{ status, error }` refusal that carries no detail.
 */
export async function authenticate(request, env) {
  const mode = authMode(request, env);
  if (mode === "unconfigured") return { status: 503, error: "not configured" };
  let caller;
  if (mode === "demo") {
    caller = { subject: "demo:local", email: null };
  } else {
    try {
      const identity = await verifier(env).verify(request);
      // Service tokens have an empty sub and name their client in common_name.
      caller = { subject: `access:${identity.sub || `service:${identity.common_name ?? ""}`}`, email: identity.email ?? null };
    } catch (error) {
      if (error?.code !== "ACCESS_DENIED") throw error;
      if (error.reason === "keys_unavailable") {
        console.error("Cloudflare Access keys unavailable", error.message, error.cause?.message ?? "");
        return { status: 503, error: "unavailable" };
      }
      return error.reason === "missing" ? { status: 401, error: "unauthorized" } : { status: 403, error: "forbidden" };
    }
  }
  callers.set(request, caller);
  return caller;
}
