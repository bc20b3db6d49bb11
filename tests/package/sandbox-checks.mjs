// What createSandbox().fetch promises beyond the e2e suites, checked in Node against the installed
// package (tests/package/sandbox.mjs copies this file into the fresh project and runs it there).
// Prints { passed, failed } as JSON.
import { createSandbox, createSandboxFromArgs } from "cyzen-senselink-sandbox";

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but it resolved");
}

const version = (sandbox) => `${sandbox.url}/api/v3/server/version`;

const checks = {
  async "drop: fetch rejects with a TypeError, nothing is answered"() {
    const sandbox = createSandbox();
    const error = await rejection(sandbox.fetch(version(sandbox), { headers: { [sandbox.faults.header]: "drop" } }));
    assert(error instanceof TypeError && error.message === "fetch failed", `${error}`);
    assert(/drop/.test(String(error.cause?.message)), `cause: ${error.cause}`);
    assert((await sandbox.requests.last())?.status === null, "logged without a status");
    sandbox.close();
  },

  async "drop-after: the write is kept, the fetch rejects"() {
    const sandbox = createSandbox();
    await sandbox.faults.add("drop-after", { pathPrefix: "/webapi/v0/spots", method: "POST" });
    const body = new URLSearchParams({ company_id: sandbox.cyzen.companyId, spot_name: "本社", kana_name: "ホンシャ", lat: "35.6", lon: "139.7" });
    const init = { method: "POST", body, headers: { authorization: `bearer ${sandbox.cyzen.staticToken}` } };
    const before = (await sandbox.cyzen.info()).counts.spots;
    const error = await rejection(sandbox.fetch(`${sandbox.cyzen.baseUrl}/spots`, init));
    assert(error instanceof TypeError, `${error}`);
    assert((await sandbox.cyzen.info()).counts.spots === before + 1, "the spot was created");
    sandbox.close();
  },

  async "truncate: the head arrives, then reading the body fails with a TypeError"() {
    const sandbox = createSandbox();
    const response = await sandbox.fetch(version(sandbox), { headers: { [sandbox.faults.header]: "truncate" } });
    assert(response.status === 200 && Number(response.headers.get("content-length")) > 0, "a 200 with a length");
    const error = await rejection(response.text());
    assert(error instanceof TypeError && error.message === "terminated", `${error}`);
    sandbox.close();
  },

  async "an abort while a latency fault holds the answer rejects with the signal's reason; the handler is dropped"() {
    const sandbox = createSandbox();
    const controller = new AbortController();
    const pending = sandbox.fetch(version(sandbox), { headers: { [sandbox.faults.header]: "latency=60000" }, signal: controller.signal });
    controller.abort(new Error("given up"));
    const error = await rejection(pending);
    assert(error?.message === "given up", `${error}`);
    assert((await sandbox.requests.last())?.status === null, "never answered");
    const timeout = await rejection(sandbox.fetch(version(sandbox), { headers: { [sandbox.faults.header]: "latency=60000" }, signal: AbortSignal.timeout(20) }));
    assert(timeout?.name === "TimeoutError", `${timeout?.name}`);
    sandbox.close();
  },

  async "close(): later calls reject with a TypeError"() {
    const sandbox = createSandbox();
    sandbox.close();
    sandbox.close();
    const error = await rejection(sandbox.fetch(version(sandbox)));
    assert(error instanceof TypeError && /closed/.test(String(error.cause?.message)), `${error}`);
  },

  async "options are checked before anything starts"() {
    for (const options of [{ seed: -1 }, { seed: 1.5 }, { edition: "ge2" }, { url: "ftp://x" }, { appKey: "" }, { pushUrl: "x" },
      { cyzen: { anchor: "yesterday" } }, { cyzen: { no_such_setting: 1 } }]) {
      const error = await rejection((async () => createSandbox(options))());
      assert(error instanceof TypeError && error.message.startsWith("createSandbox: "), `${JSON.stringify(options)}: ${error}`);
    }
    const help = await rejection((async () => createSandboxFromArgs(["--help"]))());
    assert(help.name === "SandboxHelp" && help.message.startsWith("Usage: sandbox"), `${help}`);
    const bad = await rejection((async () => createSandboxFromArgs(["--nope", "1"]))());
    assert(bad instanceof TypeError && bad.message === "unknown option --nope", `${bad}`);
  },

  async "redirects: same-origin followed (response.url), manual and cross-origin returned as they are"() {
    const sandbox = createSandbox({ cyzen: { auto_approve: true } });
    const query = (redirectUri) => new URLSearchParams({ response_type: "code", client_id: "sandbox-client", redirect_uri: redirectUri,
      state: "s", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" });
    const own = await sandbox.fetch(`${sandbox.cyzen.oauth.authorizeUrl}?${query(`${sandbox.url}/callback`)}`);
    assert(own.url.startsWith(`${sandbox.url}/callback?`) && own.url.includes("code="), own.url);
    const manual = await sandbox.fetch(`${sandbox.cyzen.oauth.authorizeUrl}?${query(`${sandbox.url}/callback`)}`, { redirect: "manual" });
    assert(manual.status === 302, `manual: ${manual.status}`);
    const away = await sandbox.fetch(`${sandbox.cyzen.oauth.authorizeUrl}?${query(sandbox.cyzen.oauth.redirectUri)}`);
    assert(away.status === 302 && away.headers.get("location")?.startsWith(sandbox.cyzen.oauth.redirectUri), `cross-origin: ${away.status}`);
    sandbox.close();
  },

  async "two sandboxes share nothing; the same seed gives the same data"() {
    const [a, b] = [createSandbox({ seed: 3 }), createSandbox({ seed: 3 })];
    assert(JSON.stringify(await a.senselink.summary()) === JSON.stringify(await b.senselink.summary()), "same seed, same tenant");
    await a.clock.advance(60_000);
    await a.faults.add("status=500");
    assert((await b.clock.get()).offset_ms === 0 && (await b.faults.list()).length === 0, "b untouched");
    a.close();
    b.close();
  },

  async "answers carry a Date header and the reason phrase, as from a server"() {
    const sandbox = createSandbox();
    const response = await sandbox.fetch(`${sandbox.url}/api/v1/nothing-here`);
    assert(response.status === 404 && response.statusText === "Not Found", `${response.status} ${response.statusText}`);
    assert(!Number.isNaN(Date.parse(response.headers.get("date") ?? "")), "Date header");
    sandbox.close();
  },

  async "an unknown fault spec is refused by faults.add and by the header"() {
    const sandbox = createSandbox();
    const error = await rejection(sandbox.faults.add("explode"));
    assert(/HTTP 400/.test(error.message), error.message);
    const response = await sandbox.fetch(version(sandbox), { headers: { [sandbox.faults.header]: "explode" } });
    assert(response.status === 400, `header: ${response.status}`);
    sandbox.close();
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
