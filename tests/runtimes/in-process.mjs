// Runs in Node, Deno and Bun (./run.mjs starts it in each, from a project where both packed
// packages are installed): the client entries (`cyzen-senselink/senselink`, `/cyzen`) against the
// emulator in-process (`createSandbox().fetch`, no server and no port), as a user's tests would —
// a signed SenseLink page, a cyzen page with a static token, and a fault (a 503 answered to a read,
// retried). Prints one JSON line `{ passed, failed }` on stdout.
import { SenseLinkClient } from "cyzen-senselink/senselink";
import { CyzenClient } from "cyzen-senselink/cyzen";
import { createSandbox } from "cyzen-senselink-sandbox";

const passed = [];
const failed = [];
async function check(name, body) {
  try {
    await body();
    passed.push(name);
  } catch (error) {
    failed.push({ name, error: String(error?.stack ?? error) });
  }
}
const assert = (condition, message) => {
  if (!condition) throw new Error(message);
};

const sandbox = createSandbox();
const sl = new SenseLinkClient({ baseUrl: sandbox.url, ...sandbox.senselink, fetch: sandbox.fetch });
await check("a signed SenseLink list, in-process", async () => {
  const page = await sl.persons.list({ size: 5 });
  assert(page.items.length === 5 && typeof page.items[0].name === "string", JSON.stringify(page).slice(0, 200));
});
await check("a cyzen page with a static token, in-process", async () => {
  const cy = new CyzenClient({ baseUrl: sandbox.cyzen.baseUrl, companyId: sandbox.cyzen.companyId,
    auth: { staticToken: sandbox.cyzen.staticToken }, fetch: sandbox.fetch });
  const users = await cy.users.list().toArray({ limit: 10 });
  assert(users.length > 0, "no users");
});
await check("a 503 to a read is retried (a fault queued in the emulator)", async () => {
  await sandbox.faults.add("status=503;retry-after=0", { pathPrefix: "/api/v1/user/list", count: 1 });
  let retries = 0;
  const client = new SenseLinkClient({ baseUrl: sandbox.url, ...sandbox.senselink, fetch: sandbox.fetch, onRetry: () => (retries += 1) });
  const page = await client.persons.list({ size: 1 });
  assert(page.items.length === 1 && retries === 1, `retries ${retries}`);
});
sandbox.close();
console.log(JSON.stringify({ passed, failed }));
