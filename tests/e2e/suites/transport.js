// The transport against the sandbox's fault injection and its real multipart parser, in every
// runtime: each fault a server can produce maps to the documented typed error or response.
import { assert, assertEqual, expectError, requestLog } from "../harness.js";

const fault = (spec) => ({ "x-sandbox-fault": spec });

async function sha256Hex(data) {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const checks = {
  "a multipart upload reaches the sandbox's parser byte for byte": async (lib, env) => {
    const photo = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 255);
    photo.set([0xff, 0xd8, 0xff, 0xe0]);
    const marker = `transport-${env.runtime}-${Date.now()}`;
    await lib.httpRequest({
      url: `${env.sandboxUrl}/api/v1/recognition/check`,
      method: "POST",
      query: { marker },
      multipart: [{ name: "note", value: "佐藤 太郎" }, { name: "face_avatar", file: new Blob([photo]), filename: "face.jpg", contentType: "image/jpeg" }],
    });
    const entry = (await requestLog(env, "/api/v1/recognition/check")).find((e) => e.query.includes(marker));
    assert(entry, "the request is in the sandbox log");
    const [note, file] = entry.body.parts;
    assertEqual([note.name, note.value], ["note", "佐藤 太郎"], "text part");
    assertEqual([file.name, file.filename, file.content_type, file.size], ["face_avatar", "face.jpg", "image/jpeg", photo.length], "file part");
    assertEqual(file.sha256, await sha256Hex(photo), "file sha256");
  },
  "a dropped connection is a NETWORK error": async (lib, env) => {
    await expectError(lib.httpRequest({ url: `${env.sandboxUrl}/webapi/v0/spots`, headers: fault("drop") }), "NETWORK", lib.TransportError);
  },
  "a truncated body is a NETWORK error, not a short success": async (lib, env) => {
    await expectError(lib.httpRequest({ url: `${env.sandboxUrl}/webapi/v0/spots`, headers: fault("truncate") }), "NETWORK", lib.TransportError);
  },
  "latency beyond timeoutMs is a TIMEOUT": async (lib, env) => {
    await expectError(lib.httpRequest({ url: `${env.sandboxUrl}/webapi/v0/spots`, headers: fault("latency=3000"), timeoutMs: 200 }), "TIMEOUT", lib.TransportError);
  },
  "503 with Retry-After and an HTML 502 come back as responses": async (lib, env) => {
    const busy = await lib.httpRequest({ url: `${env.sandboxUrl}/webapi/v0/spots`, headers: fault("status=503;retry-after=2") });
    assertEqual([busy.status, busy.headers["retry-after"]], [503, "2"], "503");
    const html = await lib.httpRequest({ url: `${env.sandboxUrl}/webapi/v0/spots`, headers: fault("html") });
    assert(html.status === 502 && new TextDecoder().decode(html.body).includes("<html"), `html ${html.status}`);
  },
};
