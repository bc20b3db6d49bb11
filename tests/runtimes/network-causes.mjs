// Runs in Node, Deno and Bun (./run.mjs starts it in each, from a project where the packed
// package is installed): calls that fail on the network — a refused port, a connection reset on
// connect, a connection reset in the middle of the answer — must leave no credential in the error:
// not in the cause chain's properties (walked to the bottom, own and non-enumerable ones included),
// not in `String(error)` / `util.inspect`, and not in what `console.error(error)` prints (the
// runner reads this process's stderr). Prints one JSON line `{ passed, failed }` on stdout.
// argv: <refused port> <reset-on-connect port> <reset-mid-answer port>
import process from "node:process";
import { inspect } from "node:util";
import * as lib from "cyzen-senselink";

const [refused, resetOnConnect, resetMidAnswer] = process.argv.slice(-3).map(Number);
const APP_KEY = "rt-app-key-Q7v3";
const APP_SECRET = "rt-app-secret-Zx81";
const TOKEN = "rt-static-token-Hm42";
const URL_TOKEN = "rt-url-token-Kd09";

/** Every string reachable from the cause chain: own properties (enumerable or not), nested `cause` and `errors`. */
function causeStrings(value, out = [], seen = new Set(), depth = 0) {
  if (typeof value === "string") out.push(value);
  if (value === null || typeof value !== "object" || seen.has(value) || depth > 12) return out;
  seen.add(value);
  for (const key of Object.getOwnPropertyNames(value)) {
    let inner;
    try {
      inner = value[key];
    } catch {
      continue;
    }
    causeStrings(inner, out, seen, depth + 1);
  }
  return out;
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** The credentials a failed call must not show; the SenseLink ones are read back from `error.url`. */
function credentialsOf(error) {
  const timestamp = /[?&]timestamp=(\d+)/.exec(error.url ?? "")?.[1];
  const secrets = [APP_KEY, APP_SECRET, TOKEN, URL_TOKEN];
  if (timestamp !== undefined) secrets.push(lib.senselinkSign(timestamp, APP_SECRET));
  return { secrets, timestamp };
}

async function failure(call, what) {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error(`${what}: the call succeeded`);
}

/** The checks of one failed call; `kind` is a pattern the cause chain's text must still match. */
function checkError(error, what, kind) {
  // `console.error` prints nested causes its own way in each runtime: the runner checks stderr.
  console.error(error);
  assert(error instanceof lib.TransportError && error.code === "NETWORK", `${what}: ${error?.code} ${error}`);
  assert(error.cause !== undefined, `${what}: no cause`);
  const { secrets, timestamp } = credentialsOf(error);
  const fromCauses = causeStrings(error.cause).join("\n");
  const printed = [String(error), error.message, String(error.cause), inspect(error, { depth: Infinity }), inspect(error.cause, { depth: Infinity })].join("\n");
  for (const secret of secrets) {
    assert(!fromCauses.includes(secret), `${what}: the cause chain carries ${secret}:\n${fromCauses}`);
    assert(!printed.includes(secret), `${what}: printing the error shows ${secret}:\n${printed}`);
  }
  // The timestamp is in the error's own (redacted) url, but a cause carries no part of a signed URL.
  if (timestamp !== undefined) assert(!fromCauses.includes(timestamp), `${what}: the cause chain carries the signed URL's timestamp:\n${fromCauses}`);
  assert(!/app_key=[^[]|[?&]sign=[^[]|access_token=[^[]/.test(fromCauses + printed), `${what}: a signed query in:\n${fromCauses}\n${printed}`);
  // What the runtime said stays useful: the reason survives the redaction.
  assert(kind.test(fromCauses), `${what}: the cause chain lost why the request failed (${kind}):\n${fromCauses}`);
}

const senselink = (port) => new lib.SenseLinkClient({ baseUrl: `http://127.0.0.1:${port}`, appKey: APP_KEY, appSecret: APP_SECRET, timeoutMs: 30_000 });
const REFUSED = /refused/i;
const RESET = /reset|closed|ECONNRESET|terminated|other side/i;
const checks = {
  "SenseLink, refused port: no app_key, timestamp or sign in the cause": async () => {
    checkError(await failure(() => senselink(refused).persons.list({ size: 1 }), "refused"), "refused", REFUSED);
  },
  "SenseLink, connection reset on connect: no app_key, timestamp or sign in the cause": async () => {
    checkError(await failure(() => senselink(resetOnConnect).persons.list({ size: 1 }), "reset"), "reset on connect", RESET);
  },
  "SenseLink, connection reset in the middle of the answer: no app_key, timestamp or sign in the cause": async () => {
    checkError(await failure(() => senselink(resetMidAnswer).persons.list({ size: 1 }), "mid-answer"), "reset mid-answer", /./);
  },
  "cyzen with a static token, refused port: no token in the cause": async () => {
    const cyzen = new lib.CyzenClient({ baseUrl: `http://127.0.0.1:${refused}/webapi/v0`, companyId: "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b", auth: { staticToken: TOKEN }, timeoutMs: 30_000 });
    checkError(await failure(() => cyzen.groups.list().toArray({ limit: 1 }), "cyzen"), "cyzen", REFUSED);
  },
  "httpRequest to a URL carrying access_token, refused port: no token in the cause": async () => {
    const error = await failure(() => lib.httpRequest({ url: `http://127.0.0.1:${refused}/x?access_token=${URL_TOKEN}&page=2`, timeoutMs: 30_000 }), "httpRequest");
    checkError(error, "httpRequest", REFUSED);
  },
};

const passed = [];
const failed = [];
for (const [name, check] of Object.entries(checks)) {
  try {
    await check();
    passed.push(name);
  } catch (error) {
    failed.push({ name, error: String(error?.stack ?? error) });
  }
}
console.log(JSON.stringify({ passed, failed }));
