// One suite, run unchanged in every runtime the package supports (Node, a plain-ESM page, a Vite
// build, a Cloudflare Worker): each check performs real requests against the echo server
// (tests/support/echo-server.mjs) and compares what arrived byte for byte.
//   runChecks(lib, serverUrl) -> { passed: string[], failed: { name, error }[] }

const bytes = () => Uint8Array.from({ length: 512 }, (_, i) => (i < 256 ? i : 511 - i));

async function sha256Hex(data) {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function expectError(promise, code, Class) {
  try {
    await promise;
  } catch (error) {
    assert(error instanceof Class, `expected ${Class.name}, got ${error?.constructor?.name}: ${error?.message}`);
    assert(error.code === code, `expected code ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  throw new Error(`expected a ${code} error, but the call succeeded`);
}

const decode = (response) => JSON.parse(new TextDecoder().decode(response.body));

/** The `file:line:column` locations of a stack's frames, in order. */
function stackLocations(stack) {
  return String(stack)
    .split("\n")
    .map((line) => /\(?((?:[a-z][\w+.-]*:\/\/|\/)[^\s()]*:\d+:\d+)\)?\s*$/.exec(line)?.[1])
    .filter((location) => location !== undefined);
}

/**
 * Runs each maker through one and the same call site and returns the stacks of what they returned
 * or threw: the frame of that call site is in every stack that reaches the caller.
 */
async function stacksFromOneCallSite(makers) {
  const stacks = [];
  for (const make of makers) {
    try {
      stacks.push((await make()).stack);
    } catch (error) {
      stacks.push(error?.stack);
    }
  }
  return stacks;
}

/**
 * Asserts that `stack` (of an error the package made) reaches the caller's frame seen in `probe`:
 * the same file and line. (Not the column: an error thrown before the call's first `await` points
 * at the call, one thrown after it at the `await`, both on the caller's line.)
 */
function assertReachesCaller(probe, stack, what) {
  const caller = stackLocations(probe)[1]?.replace(/:\d+$/, "");
  assert(caller !== undefined, `no caller frame in the probe's stack:\n${probe}`);
  const reached = stackLocations(stack).some((location) => location.replace(/:\d+$/, "") === caller);
  assert(reached, `${what}: the stack does not reach the caller's frame ${caller}:\n${stack}`);
}

/** Checks that cannot pass until a change outside tests/ lands (see `runNamed`). */
export const PENDING = {};

export async function runChecks(lib, server) {
  const checks = {
    "senselinkSign matches the documented test vector": async () => {
      assert(lib.senselinkSign("1477881215000", "2323dsfadfewrasa3434") === "e5ef72ef839bdf5397b4906b199b9fbf", "wrong signature");
    },
    "multipart with text, Uint8Array and Blob parts arrives byte for byte": async () => {
      const data = bytes();
      const blob = new Blob([data], { type: "image/png" });
      const response = await lib.httpRequest({
        url: `${server}/echo`,
        method: "POST",
        query: { q: "東京 1+1" },
        multipart: [
          { name: "name", value: "佐藤 太郎" },
          { name: "fromBytes", file: data, filename: "a.jpg", contentType: "image/jpeg" },
          { name: "fromBlob", file: blob, filename: "顔.png" },
        ],
      });
      assert(response.status === 200, `status ${response.status}`);
      const echoed = decode(response);
      assert(echoed.contentType.startsWith("multipart/form-data; boundary="), echoed.contentType);
      assert(echoed.query[0][1] === "東京 1+1", JSON.stringify(echoed.query));
      assert(echoed.multipart[0].value === "佐藤 太郎", JSON.stringify(echoed.multipart[0]));
      const expected = await sha256Hex(data);
      for (const [index, filename, type] of [[1, "a.jpg", "image/jpeg"], [2, "顔.png", "image/png"]]) {
        const part = echoed.multipart[index];
        assert(part.filename === filename && part.type === type, JSON.stringify(part));
        assert(part.size === data.length && part.sha256 === expected, `part ${index} differs: ${part.size} bytes, ${part.sha256}`);
      }
    },
    "form and JSON bodies": async () => {
      const form = decode(await lib.httpRequest({ url: `${server}/echo`, method: "PUT", form: { groups: "1,2", name: "山田 花子", n: 3 } }));
      assert(form.contentType.startsWith("application/x-www-form-urlencoded"), form.contentType);
      assert(JSON.stringify(form.form) === JSON.stringify([["groups", "1,2"], ["name", "山田 花子"], ["n", "3"]]), JSON.stringify(form.form));
      const json = decode(await lib.httpRequest({ url: `${server}/echo`, method: "POST", json: { userId: 7, groupIds: [1, 2] } }));
      assert(json.json.userId === 7 && json.json.groupIds.length === 2, JSON.stringify(json.json));
    },
    "a blob response comes back as a Blob": async () => {
      const response = await lib.httpRequest({ url: `${server}/bytes`, responseType: "blob" });
      assert(response.blob instanceof Blob && response.blob.size === 256, `blob ${response.blob?.size}`);
    },
    "timeoutMs rejects with TIMEOUT": async () => {
      await expectError(lib.httpRequest({ url: `${server}/slow?ms=5000`, timeoutMs: 100 }), "TIMEOUT", lib.TransportError);
    },
    "an AbortSignal rejects with ABORTED": async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await expectError(lib.httpRequest({ url: `${server}/slow?ms=5000`, signal: controller.signal }), "ABORTED", lib.TransportError);
    },
    "bad options reject with INVALID_INPUT before sending": async () => {
      const error = await expectError(lib.httpRequest({ url: "not a url" }), "INVALID_INPUT", lib.InvalidInputError);
      assert(error.field === "url", `field ${error.field}`);
      assert(error instanceof lib.CyzenSenseLinkError && error instanceof Error, "class hierarchy");
    },
    "an error's stack reaches the caller's own frame": async () => {
      // Synchronous: an INVALID_INPUT made in WebAssembly while the constructor runs.
      const [probe, error] = await stacksFromOneCallSite([() => new Error("probe"), () => new lib.SenseLinkClient({})]);
      assertReachesCaller(probe, error, "new SenseLinkClient({})");
      // From an async call: an INVALID_INPUT made in WebAssembly before the call's first await
      // (no photo to read) and after it (the photo's first bytes are read first).
      const sl = new lib.SenseLinkClient({ baseUrl: `${server}/never-called`, appKey: "k", appSecret: "s" });
      const photo = new Blob([bytes()], { type: "image/png" });
      const [asyncProbe, listError, createError] = await stacksFromOneCallSite([
        async () => {
          await null;
          throw new Error("probe");
        },
        () => sl.persons.list({ type: 9 }),
        () => sl.employees.create({ name: "", avatar: photo }),
      ]);
      assertReachesCaller(asyncProbe, listError, "await sl.persons.list({ type: 9 })");
      assertReachesCaller(asyncProbe, createError, "await sl.employees.create({ name: \"\", avatar })");
    },
    "a custom fetch is used instead of the global one": async () => {
      let seen = null;
      const response = await lib.httpRequest({
        url: `${server}/never-called`,
        fetch: async (url, init) => {
          seen = { url, method: init.method, redirect: init.redirect };
          return new Response("from the double", { status: 418 });
        },
      });
      assert(response.status === 418 && seen.redirect === "manual", JSON.stringify(seen));
    },
  };
  return runNamed(checks, PENDING);
}

/** What each entry point exports beyond the error classes every entry has. */
const ENTRY_EXPORTS = {
  senselink: ["SenseLinkClient", "senselinkSign"],
  cyzen: ["CyzenClient", "CyzenOAuth", "memoryStore"],
  server: ["createSenseLinkProxy", "createCyzenProxy", "toNodeHandler", "CyzenTokenCoordinator", "durableObjectCoordinator",
    "createAccessVerifier", "accessAuthorize", "parseSenseLinkEvent"],
  import: ["importPeople", "parsePeopleCsv"],
};
/** What a browser entry must not carry: the server parts. */
const SERVER_ONLY = ENTRY_EXPORTS.server;

/**
 * The entry points (`cyzen-senselink/senselink`, `/cyzen`, `/server`, `/import`) imported next to
 * the root, in one runtime: each has its own exports and does its first job, and an error class is
 * the same class whichever entry it was imported from.
 *   runEntryChecks({ root, senselink, cyzen, server, import }, serverUrl)
 */
export async function runEntryChecks(entries, server) {
  const { root } = entries;
  const checks = {
    "each entry exports its part, and the client entries carry no server part": async () => {
      for (const [name, expected] of Object.entries(ENTRY_EXPORTS)) {
        const missing = expected.filter((key) => typeof entries[name][key] !== "function");
        assert(missing.length === 0, `cyzen-senselink/${name} lacks ${missing.join(", ")}`);
        const absentFromRoot = expected.filter((key) => root[key] !== entries[name][key] && typeof root[key] !== "function");
        assert(absentFromRoot.length === 0, `the root lacks ${absentFromRoot.join(", ")}`);
      }
      for (const name of ["senselink", "cyzen", "import"]) {
        const leaked = SERVER_ONLY.filter((key) => key in entries[name]);
        assert(leaked.length === 0, `cyzen-senselink/${name} exports server parts: ${leaked.join(", ")}`);
      }
      assert(!("CyzenClient" in entries.senselink) && !("SenseLinkClient" in entries.cyzen), "a client entry exports the other client");
    },
    "an error class is one class across entries (instanceof works whichever entry made the error)": async () => {
      let made;
      try {
        new entries.senselink.SenseLinkClient({});
      } catch (error) {
        made = error;
      }
      for (const name of ["root", "senselink", "cyzen", "server", "import"]) {
        const lib = entries[name];
        assert(made instanceof lib.InvalidInputError && made instanceof lib.CyzenSenseLinkError, `not an InvalidInputError of ${name}`);
        assert(lib.CyzenSenseLinkError === root.CyzenSenseLinkError, `${name}'s CyzenSenseLinkError is another class`);
      }
    },
    "cyzen-senselink/senselink: senselinkSign and a call with its own module": async () => {
      assert(entries.senselink.senselinkSign("1477881215000", "2323dsfadfewrasa3434") === "e5ef72ef839bdf5397b4906b199b9fbf", "wrong signature");
      const sl = new entries.senselink.SenseLinkClient({ baseUrl: `${server}/never-called`, appKey: "k", appSecret: "s" });
      await expectError(sl.persons.list({ type: 9 }), "INVALID_INPUT", root.InvalidInputError);
    },
    "cyzen-senselink/cyzen: a static-token client, and an OAuth client's sign-in URL": async () => {
      const cy = new entries.cyzen.CyzenClient({ auth: { staticToken: "t" }, companyId: "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b", baseUrl: `${server}/webapi/v0` });
      assert(typeof cy.spots?.list === "function", "no spots.list");
      const oauth = new entries.cyzen.CyzenOAuth({ clientId: "c", authorizeUrl: `${server}/oauth/authorize`, tokenUrl: `${server}/oauth/token`,
        redirectUri: `${server}/callback` });
      const { url } = await oauth.authorizationUrl();
      assert(new URL(url).searchParams.get("code_challenge_method") === "S256", url);
    },
    "cyzen-senselink/server: a proxy refuses a cross-site caller, an event parses": async () => {
      const proxy = entries.server.createSenseLinkProxy({ baseUrl: `${server}/never-called`, appKey: "k", appSecret: "s", unsafelyAllowAnyCaller: true });
      const refused = await proxy(new Request(`${server}/api/v1/nothing-here`, { method: "POST", headers: { "sec-fetch-site": "cross-site" } }));
      assert(refused.status >= 400 && refused.status < 500, `status ${refused.status}`);
      const event = entries.server.parseSenseLinkEvent('{"eventType":"30100","messageId":"m1","sendTime":1,"data":{}}');
      assert(event.eventType === "30100" && event.messageId === "m1", JSON.stringify(event));
    },
    "cyzen-senselink/import: a CSV parses with the SenseLink module's rules": async () => {
      const parsed = entries.import.parsePeopleCsv(new TextEncoder().encode("種別,氏名,グループ\n社員,山田 太郎,1\n"));
      assert(parsed.rows?.length === 1, JSON.stringify(parsed).slice(0, 300));
      const sl = new entries.senselink.SenseLinkClient({ baseUrl: `${server}/never-called`, appKey: "k", appSecret: "s" });
      const dry = await entries.import.importPeople(sl, parsed.rows, { dryRun: true });
      assert(dry.dryRun === true && dry.issues.length > 0, JSON.stringify(dry).slice(0, 300));
    },
  };
  return runNamed(checks, PENDING);
}

/**
 * Runs named checks one after another: { passed: string[], failed: { name, error }[] }. A check
 * named in `pending` (name → why it cannot pass yet) must fail and is reported as XFAIL; if it
 * passes, it is a failure until it is removed from `pending`.
 */
export async function runNamed(checks, pending = {}) {
  const passed = [];
  const failed = [];
  for (const [name, check] of Object.entries(checks)) {
    let error;
    try {
      await check();
    } catch (caught) {
      error = caught ?? new Error("threw nothing");
    }
    if (name in pending) {
      if (error === undefined) {
        failed.push({ name, error: "passes now: remove it from the pending checks (tests/package/checks.js, consumers/node-consumer.mjs)" });
      }
      else passed.push(`${name} — XFAIL (expected to fail): ${pending[name]}`);
    } else if (error === undefined) {
      passed.push(name);
    } else {
      failed.push({ name, error: String(error?.stack ?? error) });
    }
  }
  return { passed, failed };
}
