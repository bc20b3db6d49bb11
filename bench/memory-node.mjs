// Wasm linear-memory growth, in a fresh Node process so that no earlier benchmark has already
// grown the memory to its high-water mark (which would hide growth). Prints JSON with the growth
// in bytes of the first (warm-up) and the measured call for:
//   - one cyzen 200-record page (`client.spots.list().pages()`, first page), through `/cyzen`,
//   - registering a 3 MB photo with `employees.create`, as a Blob and as a Uint8Array, through
//     `/senselink`.
// Usage: node bench/memory-node.mjs <pkg dir> <captured cyzen page body (JSON file)>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pkg, spotsFile] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(join(pkg, file)).href);
const cyzenLib = await load("dist/cyzen.node.js");
const senselinkLib = await load("dist/senselink.node.js");
// The same module instances the entries loaded: the Node entries' glues live in dist/node-shared.js.
// `initSync()` returns the exports of the instance the loader already created; it never
// instantiates again (without a module argument it would throw if nothing had been instantiated yet).
const memoryOf = async (module) => {
  const { memory } = (await load("dist/node-shared.js"))[`${module}Glue`].initSync();
  if (!(memory instanceof WebAssembly.Memory)) throw new Error(`the ${module} glue's exports have no memory`);
  return memory;
};
const memories = { cyzen: await memoryOf("cyzen"), senselink: await memoryOf("senselink") };

const growth = async (memory, call) => {
  const before = memory.buffer.byteLength;
  await call();
  return memory.buffer.byteLength - before;
};
const result = { initialBytes: { cyzen: memories.cyzen.buffer.byteLength, senselink: memories.senselink.buffer.byteLength } };

// cyzen: one 200-record page answered by an in-memory fetch.
const spotsBody = readFileSync(spotsFile, "utf8");
const cyzen = new cyzenLib.CyzenClient({
  baseUrl: "https://cyzen.test/webapi/v0", companyId: "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b",
  auth: { staticToken: "bench-token" }, requestsPerSecond: 10_000,
  fetch: async () => new Response(spotsBody, { headers: { "content-type": "application/json" } }),
});
const firstPage = async () => {
  for await (const page of cyzen.spots.list().pages()) {
    if (page.items.length !== 200) throw new Error(`expected 200 spots, got ${page.items.length}`);
    return;
  }
};
result.cyzenPageWarmUp = await growth(memories.cyzen, firstPage);
result.cyzenPage = await growth(memories.cyzen, firstPage);

// SenseLink: a 3 MB "JPEG" (right magic bytes; the fetch never looks at it).
const photo = new Uint8Array(3 * 1024 * 1024);
photo.set([0xff, 0xd8, 0xff, 0xe0]);
for (let i = 4; i < photo.length; i++) photo[i] = (i * 31) & 255;
const senselink = new senselinkLib.SenseLinkClient({
  baseUrl: "https://senselink.test", appKey: "bench-key", appSecret: "bench-secret",
  fetch: async () => new Response(JSON.stringify({ code: 200, message: "OK", data: { id: 1, name: "x" } }),
    { headers: { "content-type": "application/json" } }),
});
const register = (avatar) => () => senselink.employees.create({ name: "計測 太郎", avatar });
// Warm-up with small photos of both kinds: first-call allocations are not what is measured.
result.photoWarmUp = await growth(memories.senselink, register(new Blob([photo.subarray(0, 1024)], { type: "image/jpeg" })))
  + await growth(memories.senselink, register(photo.slice(0, 1024)));
result.photoBlob = await growth(memories.senselink, register(new Blob([photo], { type: "image/jpeg" })));
result.photoBytes = await growth(memories.senselink, register(photo));
console.log(JSON.stringify(result));
