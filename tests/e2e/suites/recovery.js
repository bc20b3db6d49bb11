// Defence in depth (issue 10, "Traps"): no input reaches a panic, but if the WebAssembly module
// traps anyway, every pending call rejects with INTERNAL at once (instead of hanging), and the next
// call runs on a fresh instance — the clients' state is rebuilt, OAuth tokens come back from the
// store. The trap is forced through the package's test-only `__trapForTests` (an `unreachable`).
import { assert, assertEqual, expectError } from "../harness.js";
import { oauthClient, oauthOptions, queueFault, sleep } from "./cyzen-common.js";
import { client } from "./senselink.js";

function trap(lib) {
  try {
    lib.__trapForTests();
  } catch (error) {
    return error;
  }
  throw new Error("__trapForTests() returned");
}

export const checks = {
  async "a trap rejects every pending call with INTERNAL; the same clients work afterwards"(lib, env) {
    const senselink = client(lib, env);
    const minted = await (await fetch(`${env.sandboxUrl}/__admin/cyzen/tokens`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: env.cyzen.clientId }),
    })).json();
    const store = lib.memoryStore();
    const oauth = new lib.CyzenOAuth(oauthOptions(env, { store }));
    await oauth.setTokens({ accessToken: minted.access_token, refreshToken: minted.refresh_token, tokenType: "bearer" });
    const cyzen = oauthClient(lib, env, oauth);

    await queueFault(env, "/api/v1/user/list", "latency=3000");
    await queueFault(env, "/webapi/v0/groups", "latency=3000");
    const pending = [
      senselink.persons.list({}).then(() => "answered", (error) => error),
      cyzen.groups.list().toArray({ limit: 1 }).then(() => "answered", (error) => error),
    ];
    await sleep(300);
    const thrown = trap(lib);
    assert(thrown instanceof lib.InternalError && thrown.cause instanceof WebAssembly.RuntimeError, `the trap itself: ${thrown}`);
    for (const error of await Promise.all(pending)) {
      assert(error instanceof lib.InternalError, `pending call: ${error}`);
      assertEqual(error.code, "INTERNAL", "code");
    }
    // The same objects work on the fresh instance.
    const persons = await senselink.persons.list({});
    assert(Array.isArray(persons.items), "SenseLink call after the trap");
    const groups = await cyzen.groups.list().toArray({ limit: 1 });
    assertEqual(groups.length, 1, "cyzen call with the stored OAuth tokens after the trap");
    assertEqual((await oauth.getTokens()).accessToken, minted.access_token, "tokens reloaded from the store");
    assertEqual(lib.senselinkSign("1477881215000", "2323dsfadfewrasa3434"), "e5ef72ef839bdf5397b4906b199b9fbf", "signing after the trap");
  },

  async "proxies made before a trap keep working after it"(lib, env) {
    const senselink = lib.createSenseLinkProxy({
      baseUrl: env.sandboxUrl, appKey: env.senselink.appKey, appSecret: env.senselink.appSecret, authorize: () => true,
    });
    const cyzen = lib.createCyzenProxy({
      baseUrl: env.cyzen.baseUrl, companyId: env.cyzen.companyId, auth: { staticToken: env.cyzen.staticToken }, authorize: () => true,
    });
    trap(lib);
    const persons = await senselink(new Request("https://worker.test/senselink/api/v1/user/list?size=1"));
    assertEqual(persons.status, 200, "SenseLink proxy after the trap");
    const groups = await cyzen(new Request("https://worker.test/cyzen/groups"));
    assertEqual(groups.status, 200, "cyzen proxy after the trap");
  },

  async "a thousand traps do not wear the module out"(lib, env) {
    for (let i = 0; i < 1000; i += 1) {
      trap(lib);
      lib.senselinkSign(String(i), "secret");
    }
    assertEqual(lib.senselinkSign("1477881215000", "2323dsfadfewrasa3434"), "e5ef72ef839bdf5397b4906b199b9fbf", "signing");
    const persons = await client(lib, env).persons.list({});
    assert(Array.isArray(persons.items), "a call after 1000 traps");
    await expectError(client(lib, env).persons.list({ size: -1 }), "INVALID_INPUT", lib.InvalidInputError);
  },
};
