// OAuth under concurrency (issue 10, "OAuth"): objects created per request over one store share
// one refresh per token generation (in a client and in a proxy), and the loser of a refresh-token
// rotation race — another isolate refreshed first — adopts the winner's tokens from the store
// instead of staying stuck on `invalid_grant`.
import { admin, assert, assertEqual } from "../harness.js";
import { oauthClient, oauthOptions, resetStats, stats } from "./cyzen-common.js";

async function minted(env) {
  return admin(env, "/__admin/cyzen/tokens", { client_id: env.cyzen.clientId });
}

const asTokens = (m) => ({ accessToken: m.access_token, refreshToken: m.refresh_token, tokenType: "bearer" });

/** A store over a shared map (one KV namespace) whose reads lag behind other writers' writes by
 * `lag` reads (KV is eventually consistent across isolates). */
function laggingStore(map, lag) {
  let behind = 0;
  let seen = new Map(map);
  return {
    load(key) {
      if (behind > 0) {
        behind -= 1;
        return seen.get(key) ?? null;
      }
      seen = new Map(map);
      return map.get(key) ?? null;
    },
    save(key, value) {
      if (value === null) map.delete(key);
      else map.set(key, value);
      seen = new Map(map);
    },
    lagNow() {
      seen = new Map(map);
      behind = lag;
    },
  };
}

export const checks = {
  async "five CyzenOAuth objects over one store, five concurrent 401s: one refresh"(lib, env) {
    const store = lib.memoryStore();
    await new lib.CyzenOAuth(oauthOptions(env, { store })).setTokens(asTokens(await minted(env)));
    await admin(env, "/__admin/cyzen/expire", { all: true });
    await resetStats(env);
    const calls = Array.from({ length: 5 }, () =>
      oauthClient(lib, env, new lib.CyzenOAuth(oauthOptions(env, { store }))).groups.list().toArray({ limit: 1 }));
    for (const groups of await Promise.all(calls)) assertEqual(groups.length, 1, "listed");
    assertEqual((await stats(env)).token_endpoint.refresh_token, { calls: 1, ok: 1 }, "refreshes");
  },

  async "a proxy whose auth() builds a CyzenOAuth per request refreshes once per token generation"(lib, env) {
    const store = lib.memoryStore();
    await new lib.CyzenOAuth(oauthOptions(env, { store })).setTokens(asTokens(await minted(env)));
    const proxy = lib.createCyzenProxy({
      baseUrl: env.cyzen.baseUrl,
      companyId: env.cyzen.companyId,
      auth: () => new lib.CyzenOAuth(oauthOptions(env, { store })),
      authorize: () => true,
    });
    await admin(env, "/__admin/cyzen/expire", { all: true });
    await resetStats(env);
    const answers = await Promise.all(Array.from({ length: 5 }, () => proxy(new Request("https://worker.test/cyzen/groups"))));
    assertEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200], "statuses");
    assertEqual((await stats(env)).token_endpoint.refresh_token, { calls: 1, ok: 1 }, "refreshes");
  },

  async "the loser of a rotation race adopts the winner's tokens once the store shows them"(lib, env) {
    const kv = new Map();
    const winnerStore = laggingStore(kv, 0);
    const loserStore = laggingStore(kv, 2);
    const tokens = asTokens(await minted(env));
    const winner = new lib.CyzenOAuth(oauthOptions(env, { store: winnerStore }));
    const loser = new lib.CyzenOAuth(oauthOptions(env, { store: loserStore }));
    await winner.setTokens(tokens);
    assertEqual((await loser.getTokens()).refreshToken, tokens.refreshToken, "both hold the same tokens");
    // The winner (another isolate) refreshes; the loser's reads still show the old tokens.
    loserStore.lagNow();
    const fresh = await winner.refresh();
    await admin(env, "/__admin/cyzen/expire", { access_token: tokens.accessToken });
    await resetStats(env);
    const client = oauthClient(lib, env, loser);
    // Its 401 leads to a refresh with the used refresh token: refused; the store still lags.
    const first = await client.groups.list().toArray({ limit: 1 }).then(() => null, (error) => error);
    assertEqual(first?.code, "OAUTH_INVALID_GRANT", "refused while the store lags");
    // The store catches up: the next call adopts the winner's tokens instead of failing at once.
    const groups = await client.groups.list().toArray({ limit: 1 });
    assertEqual(groups.length, 1, "listed with the winner's tokens");
    assertEqual((await loser.getTokens()).refreshToken, fresh.refreshToken, "adopted");
    const s = await stats(env);
    assertEqual(s.token_endpoint.refresh_token, { calls: 1, ok: 0 }, "one refused refresh, none after");
    assert(kv.get("cyzen:tokens").includes(fresh.refreshToken), "the store keeps the winner's tokens");
  },
};
