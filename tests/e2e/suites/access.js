// createAccessVerifier / accessAuthorize: Cloudflare Access tokens made here with a locally
// generated RSA key pair (WebCrypto), the team's key set served through the verifier's `fetch`
// option. Needs no sandbox state; runs in every runtime.
import { assert, assertEqual, expectError } from "../harness.js";

const TEAM = "test-team.cloudflareaccess.com";
const ISSUER = `https://${TEAM}`;
const CERTS_URL = `${ISSUER}/cdn-cgi/access/certs`;
const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const encoder = new TextEncoder();

const base64url = (bytes) => {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
};
const part = (value) => base64url(encoder.encode(JSON.stringify(value)));
const nowS = () => Math.floor(Date.now() / 1000);

// Keys are generated on first use: workerd refuses random generation at module scope.
let keysPromise;
function keys() {
  keysPromise ??= (async () => {
    const generate = () => crypto.subtle.generateKey({ ...RS256, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ["sign", "verify"]);
    const [main, other, rotated] = await Promise.all([generate(), generate(), generate()]);
    const jwk = async (pair, kid) => {
      const { kty, n, e } = await crypto.subtle.exportKey("jwk", pair.publicKey);
      return { kid, kty, alg: "RS256", use: "sig", n, e };
    };
    return { main, other, rotated, mainJwk: await jwk(main, "key-1"), rotatedJwk: await jwk(rotated, "key-2"),
      spki: new Uint8Array(await crypto.subtle.exportKey("spki", main.publicKey)) };
  })();
  return keysPromise;
}

function claims(extra = {}) {
  const now = nowS();
  return { aud: [AUD], email: "hanako@example.jp", sub: "7335d417-61da-459d-899c-0a01c76a2f94", iat: now - 5, nbf: now - 5,
    exp: now + 600, iss: ISSUER, type: "app", identity_nonce: "6ei69kawdKzMIAPF", country: "JP", ...extra };
}

async function sign(privateKey, payload, header = { alg: "RS256", kid: "key-1", typ: "JWT" }) {
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${base64url(new Uint8Array(await crypto.subtle.sign(RS256, privateKey, encoder.encode(input))))}`;
}

/** A token signed with the team's key ("key-1"). */
async function token(extra, header) {
  return sign((await keys()).main.privateKey, claims(extra), header);
}

/** A verifier whose `fetch` serves `served()` as the team's key set and records each call. */
async function verifierWith(lib, options = {}, served = null) {
  const { mainJwk } = await keys();
  const calls = [];
  const verifier = lib.createAccessVerifier({
    teamDomain: TEAM,
    audience: AUD,
    fetch: async (url, init) => {
      calls.push({ url, method: init?.method ?? "GET" });
      return Response.json({ keys: served ? served() : [mainJwk], public_cert: { kid: "key-1", cert: "-----BEGIN CERTIFICATE-----" } });
    },
    ...options,
  });
  return { verifier, calls };
}

const withHeader = (jwt) => new Request("https://admin.example/senselink/api/v1/user/list", { headers: { "cf-access-jwt-assertion": jwt } });

/** Expects `ACCESS_DENIED` with `reason`; checks the error's class and that it does not echo the token. */
async function refused(lib, promise, reason, jwt = "") {
  const error = await expectError(promise, "ACCESS_DENIED", lib.AccessDeniedError);
  assert(error instanceof lib.CyzenSenseLinkError, "a CyzenSenseLinkError");
  assertEqual(error.reason, reason, "reason");
  if (jwt) assert(!error.message.includes(jwt) && !error.message.includes(jwt.split(".")[2]), "the message does not echo the token");
  return error;
}

export const checks = {
  "a valid token is accepted: its claims are returned, the team's keys fetched once": async (lib) => {
    const { verifier, calls } = await verifierWith(lib);
    const jwt = await token();
    const identity = await verifier.verify(withHeader(jwt));
    assertEqual([identity.email, identity.sub, identity.iss, identity.aud, identity.country], ["hanako@example.jp", claims().sub, ISSUER, [AUD], "JP"], "claims");
    assert(typeof identity.exp === "number" && typeof identity.iat === "number", "exp and iat");
    await verifier.verify(withHeader(await token({ email: "taro@example.jp" })));
    assertEqual((await verifier.verifyToken(jwt)).email, "hanako@example.jp", "verifyToken");
    assertEqual(calls, [{ url: CERTS_URL, method: "GET" }], "one fetch of the certs URL");
  },

  "the team domain may be given as a URL; aud may be a string; several audiences may be accepted": async (lib) => {
    const { verifier } = await verifierWith(lib, { teamDomain: `https://${TEAM}/`, audience: ["other-app", AUD] });
    assertEqual((await verifier.verify(withHeader(await token({ aud: AUD })))).aud, [AUD], "aud as an array");
  },

  "a token for another application (aud) is refused": async (lib) => {
    const { verifier } = await verifierWith(lib);
    const jwt = await token({ aud: ["0000aaaa"] });
    await refused(lib, verifier.verify(withHeader(jwt)), "audience", jwt);
    await refused(lib, verifier.verify(withHeader(await token({ aud: [] }))), "audience");
    await refused(lib, verifier.verify(withHeader(await token({ aud: [`${AUD}x`] }))), "audience");
  },

  "an expired token is refused; a small clock skew is tolerated": async (lib) => {
    const { verifier } = await verifierWith(lib);
    const jwt = await token({ exp: nowS() - 120, iat: nowS() - 900, nbf: nowS() - 900 });
    await refused(lib, verifier.verify(withHeader(jwt)), "expired", jwt);
    const justExpired = await token({ exp: nowS() - 10 });
    await verifier.verify(withHeader(justExpired));
    const { verifier: strict } = await verifierWith(lib, { clockSkewSeconds: 0 });
    await refused(lib, strict.verify(withHeader(justExpired)), "expired");
  },

  "a token not valid yet (nbf, or iat in the future) is refused": async (lib) => {
    const { verifier } = await verifierWith(lib);
    await refused(lib, verifier.verify(withHeader(await token({ nbf: nowS() + 300 }))), "not_yet_valid");
    await refused(lib, verifier.verify(withHeader(await token({ iat: nowS() + 300, nbf: undefined }))), "not_yet_valid");
    await verifier.verify(withHeader(await token({ nbf: nowS() + 20 })));
  },

  "a token of another issuer is refused": async (lib) => {
    const { verifier } = await verifierWith(lib);
    for (const iss of ["https://evil.cloudflareaccess.com", `http://${TEAM}`, `${ISSUER}/`, undefined]) {
      await refused(lib, verifier.verify(withHeader(await token({ iss }))), "issuer");
    }
  },

  "a bad signature is refused: altered signature, altered claims, another key under the same kid": async (lib) => {
    const { verifier } = await verifierWith(lib);
    const jwt = await token();
    const [h, p, s] = jwt.split(".");
    const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === "A" ? "B" : "A"}${s.slice(11)}`;
    await refused(lib, verifier.verify(withHeader(flipped)), "signature", flipped);
    const promoted = `${h}.${part(claims({ email: "admin@example.jp" }))}.${s}`;
    await refused(lib, verifier.verify(withHeader(promoted)), "signature");
    const foreign = await sign((await keys()).other.privateKey, claims());
    await refused(lib, verifier.verify(withHeader(foreign)), "signature", foreign);
  },

  "alg none is refused, whatever its spelling or signature": async (lib) => {
    const { verifier, calls } = await verifierWith(lib);
    const [, payload, signature] = (await token()).split(".");
    for (const alg of ["none", "None", "NONE"]) {
      await refused(lib, verifier.verify(withHeader(`${part({ alg, kid: "key-1", typ: "JWT" })}.${part(claims())}.`)), "algorithm");
      await refused(lib, verifier.verify(withHeader(`${part({ alg, kid: "key-1" })}.${payload}.${signature}`)), "algorithm");
    }
    await refused(lib, verifier.verify(withHeader(`${part({ kid: "key-1" })}.${payload}.${signature}`)), "algorithm");
    assertEqual(calls.length, 0, "no key fetched for an unsigned token");
  },

  "HS256 signed with the public key as the secret is refused (and every other alg but RS256)": async (lib) => {
    const { verifier } = await verifierWith(lib);
    const { mainJwk, spki } = await keys();
    for (const secret of [spki, encoder.encode(JSON.stringify(mainJwk)), encoder.encode(mainJwk.n)]) {
      const hmac = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      const input = `${part({ alg: "HS256", kid: "key-1", typ: "JWT" })}.${part(claims())}`;
      const forged = `${input}.${base64url(new Uint8Array(await crypto.subtle.sign("HMAC", hmac, encoder.encode(input))))}`;
      await refused(lib, verifier.verify(withHeader(forged)), "algorithm", forged);
    }
    for (const alg of ["RS384", "RS512", "PS256", "ES256", "rs256", "RS256 "]) {
      await refused(lib, verifier.verify(withHeader(await token({}, { alg, kid: "key-1" }))), "algorithm");
    }
    await refused(lib, verifier.verify(withHeader(await token({}, { alg: "RS256", kid: "key-1", crit: ["exp"] }))), "algorithm");
  },

  "an unknown kid refetches the keys once, then is refused; refetches are rate-limited": async (lib) => {
    const { verifier, calls } = await verifierWith(lib, { minRefetchIntervalSeconds: 0 });
    await verifier.verify(withHeader(await token()));
    const unknown = await token({}, { alg: "RS256", kid: "key-9", typ: "JWT" });
    await refused(lib, verifier.verify(withHeader(unknown)), "unknown_key");
    assertEqual(calls.length, 2, "fetches: the first, then one refetch for the unknown kid");
    // The default interval: a stream of invented kids does not fetch on every request.
    const { verifier: limited, calls: limitedCalls } = await verifierWith(lib);
    await limited.verify(withHeader(await token()));
    for (let i = 0; i < 5; i++) await refused(lib, limited.verify(withHeader(await token({}, { alg: "RS256", kid: `invented-${i}` }))), "unknown_key");
    assertEqual(limitedCalls.length, 1, "no refetch within the minimum interval");
  },

  "a rotated key (new kid) is found by the refetch and accepted": async (lib) => {
    const { mainJwk, rotatedJwk, rotated } = await keys();
    let served = [mainJwk];
    const { verifier, calls } = await verifierWith(lib, { minRefetchIntervalSeconds: 0 }, () => served);
    await verifier.verify(withHeader(await token()));
    served = [mainJwk, rotatedJwk];
    const identity = await verifier.verify(withHeader(await sign(rotated.privateKey, claims(), { alg: "RS256", kid: "key-2", typ: "JWT" })));
    assertEqual(identity.email, "hanako@example.jp", "accepted with the new key");
    assertEqual(calls.length, 2, "one refetch");
  },

  "concurrent first verifications share one fetch of the keys": async (lib) => {
    const { verifier, calls } = await verifierWith(lib);
    const jwt = await token();
    await Promise.all(Array.from({ length: 8 }, () => verifier.verify(withHeader(jwt))));
    assertEqual(calls.length, 1, "fetches");
  },

  "no token → 'missing'; the CF_Authorization cookie counts only when enabled": async (lib) => {
    const { verifier, calls } = await verifierWith(lib);
    await refused(lib, verifier.verify(new Request("https://admin.example/")), "missing");
    await refused(lib, verifier.verify(withHeader("")), "missing");
    // A header someone set by hand proves nothing.
    await refused(lib, verifier.verify(new Request("https://admin.example/", { headers: { "cf-access-authenticated-user-email": "admin@example.jp" } })), "missing");
    const jwt = await token();
    // Browsers drop a `cookie` header from a constructed Request; a Headers object keeps it.
    const withCookie = { headers: new Headers({ cookie: `theme=dark; CF_Authorization=${jwt}` }) };
    await refused(lib, verifier.verify(withCookie), "missing");
    const { verifier: cookieVerifier } = await verifierWith(lib, { cookie: true });
    assertEqual((await cookieVerifier.verify(withCookie)).email, "hanako@example.jp", "cookie accepted when enabled");
    assertEqual(calls.length, 0, "nothing fetched without a token");
  },

  "malformed tokens are refused without a key fetch": async (lib) => {
    const { verifier, calls } = await verifierWith(lib);
    const [h, p, s] = (await token()).split(".");
    for (const bad of ["abc", `${h}.${p}`, `${h}.${p}.${s}.x`, `!!.${p}.${s}`, `${part([1, 2])}.${p}.${s}`, `${part({ alg: "RS256" })}.${p}.${s}`,
      `${h}.${p}.`, `${h}.${p}.${s}=`, "x".repeat(20_000)]) {
      await refused(lib, verifier.verify(withHeader(bad)), "malformed");
    }
    assertEqual(calls.length, 0, "no fetch for a token that cannot be right");
    await refused(lib, verifier.verify(withHeader(await token({ exp: "tomorrow" }))), "malformed");
    await refused(lib, verifier.verify(withHeader(await token({ sub: undefined }))), "malformed");
  },

  "unreachable or broken key endpoints refuse with 'keys_unavailable'": async (lib) => {
    const jwt = await token();
    for (const answer of [() => Promise.reject(new TypeError("fetch failed")), () => new Response("oops", { status: 500 }),
      () => new Response("<html>", { status: 200 }), () => Response.json({ nokeys: [] })]) {
      const verifier = lib.createAccessVerifier({ teamDomain: TEAM, audience: AUD, fetch: async () => answer() });
      await refused(lib, verifier.verify(withHeader(jwt)), "keys_unavailable");
    }
  },

  "accessAuthorize: true for a valid token, bare 401/403/503 JSON otherwise": async (lib) => {
    const { verifier } = await verifierWith(lib);
    const authorize = lib.accessAuthorize(verifier);
    assertEqual(await authorize(withHeader(await token())), true, "valid token");
    const missing = await authorize(new Request("https://admin.example/"));
    assertEqual([missing.status, await missing.json()], [401, { error: "unauthorized" }], "no token");
    const forged = await authorize(withHeader(await sign((await keys()).other.privateKey, claims())));
    assertEqual([forged.status, await forged.json(), forged.headers.get("cache-control")], [403, { error: "forbidden" }, "no-store"], "forged token");
    const expired = await authorize(withHeader(await token({ exp: nowS() - 3600 })));
    assertEqual([expired.status, await expired.text()], [403, '{"error":"forbidden"}'], "expired token: no detail");
    const down = lib.accessAuthorize(lib.createAccessVerifier({ teamDomain: TEAM, audience: AUD, fetch: () => Promise.reject(new Error("down")) }));
    assertEqual((await down(withHeader(await token()))).status, 503, "keys unavailable");
  },

  "bad options are INVALID_INPUT": async (lib) => {
    for (const [options, field] of [
      [{ audience: AUD }, "teamDomain"],
      [{ teamDomain: "http://test-team.cloudflareaccess.com", audience: AUD }, "teamDomain"],
      [{ teamDomain: `${TEAM}/path`, audience: AUD }, "teamDomain"],
      [{ teamDomain: TEAM }, "audience"],
      [{ teamDomain: TEAM, audience: [] }, "audience"],
      [{ teamDomain: TEAM, audience: "" }, "audience"],
      [{ teamDomain: TEAM, audience: AUD, clockSkewSeconds: -1 }, "clockSkewSeconds"],
      [{ teamDomain: TEAM, audience: AUD, fetch: "no" }, "fetch"],
    ]) {
      const error = await expectError((async () => lib.createAccessVerifier(options))(), "INVALID_INPUT", lib.InvalidInputError);
      assertEqual(error.field, field, `field for ${JSON.stringify(options)}`);
    }
    await expectError((async () => lib.accessAuthorize({}))(), "INVALID_INPUT");
  },
};
