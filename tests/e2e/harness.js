// Runs e2e suites inside one runtime (Node, a Chromium page or a Worker). A suite is a module under
// suites/ exporting `checks`: { "what it shows": async (lib, env) => { … throw on failure … } }.
// `lib` is the package's public API as loaded in that runtime; `env` is described in run.mjs.
// The sandbox is reset before each suite so suites don't depend on each other.

export async function runSuites(lib, suites, env) {
  const passed = [];
  const failed = [];
  for (const [suiteName, suite] of Object.entries(suites)) {
    const reset = await fetch(`${env.sandboxUrl}/__admin/reset`, { method: "POST" });
    if (!reset.ok) {
      failed.push({ name: `${suiteName}: sandbox reset`, error: `HTTP ${reset.status}` });
      continue;
    }
    for (const [checkName, check] of Object.entries(suite.checks)) {
      const name = `${suiteName}: ${checkName}`;
      if (suite.runtimes && !suite.runtimes.includes(env.runtime)) continue;
      try {
        await check(lib, env);
        passed.push(name);
      } catch (error) {
        failed.push({ name, error: String(error?.stack ?? error) });
      }
    }
  }
  return { passed, failed };
}

/** Assertion helpers shared by the suites. */
export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export function assertEqual(actual, expected, what = "value") {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** Awaits `promise`, expecting it to reject with `code` (and `Class`, when given); returns the error. */
export async function expectError(promise, code, Class) {
  try {
    await promise;
  } catch (error) {
    if (Class) assert(error instanceof Class, `expected ${Class.name}, got ${error?.constructor?.name}: ${error?.message}`);
    assert(error?.code === code, `expected code ${code}, got ${error?.code}: ${error?.message}`);
    return error;
  }
  throw new Error(`expected a ${code} error, but the call succeeded`);
}

/** The sandbox's request log (optionally only paths starting with `prefix`). */
export async function requestLog(env, prefix = "") {
  const response = await fetch(`${env.sandboxUrl}/__admin/requests?path_prefix=${encodeURIComponent(prefix)}`);
  return response.json();
}

export async function clearRequestLog(env) {
  await fetch(`${env.sandboxUrl}/__admin/requests`, { method: "DELETE" });
}

/** POSTs JSON to a sandbox admin endpoint and returns the parsed answer. */
export async function admin(env, path, body, method = "POST") {
  const response = await fetch(`${env.sandboxUrl}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`admin ${path}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
