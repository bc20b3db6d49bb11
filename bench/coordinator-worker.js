// The Worker `make bench` runs in workerd for the coordinator rows (bench/run.mjs bundles it with
// the package, imported as the example Worker does: the client from `cyzen-senselink/cyzen`, the
// coordinator from `cyzen-senselink/server`).
// GET /?mode=paced&instances=8&seconds=10&coordinated=1: that many static-token clients (standing
// in for isolates) list `statuses` over and over for that long, through the CyzenTokenCoordinator
// bound as CYZEN_COORDINATOR or each on its own pacer.
// GET /?mode=overhead&calls=100&coordinated=1: one client, calls one after another (the sandbox's
// limit is off then): the time per call, whose difference is what the object's round trips add.
import { CyzenClient } from "cyzen-senselink/cyzen";
import { durableObjectCoordinator } from "cyzen-senselink/server";
export { CyzenTokenCoordinator } from "cyzen-senselink/server";

export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const cz = JSON.parse(q.get("cyzen"));
    const coordinated = q.get("coordinated") === "1";
    const coordinator = coordinated ? durableObjectCoordinator(env.CYZEN_COORDINATOR, { name: `bench-${q.get("mode")}-${Date.now()}` }) : undefined;
    const client = (extra = {}) =>
      new CyzenClient({ baseUrl: cz.baseUrl, companyId: cz.companyId, auth: { staticToken: cz.token }, coordinator, ...extra });
    if (q.get("mode") === "overhead") {
      const one = client({ requestsPerSecond: 1000 });
      const calls = Number(q.get("calls"));
      await one.statuses.list().toArray({ limit: 1 });
      const start = Date.now();
      for (let i = 0; i < calls; i++) await one.statuses.list().toArray({ limit: 1 });
      return Response.json({ perCallMs: (Date.now() - start) / calls });
    }
    const end = Date.now() + Number(q.get("seconds")) * 1000;
    const clients = Array.from({ length: Number(q.get("instances")) }, () => client({ maxRetries: 10 }));
    let calls = 0;
    let failed = 0;
    const start = Date.now();
    await Promise.all(clients.map(async (c) => {
      while (Date.now() < end) {
        try {
          await c.statuses.list().toArray({ limit: 1 });
          calls += 1;
        } catch {
          failed += 1; // RATE_LIMITED after its retries (without the coordinator)
        }
      }
    }));
    return Response.json({ calls, failed, seconds: (Date.now() - start) / 1000 });
  },
};
