import { readdirSync, readFileSync } from "node:fs";
import { withWorkerd } from "../tests/support/workerd.mjs";
const children = () => readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((pid) => {
  try { const stat = readFileSync(`/proc/${pid}/stat`, "utf8"); const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]); return ppid === process.pid; } catch { return false; }
});
const cpuNs = (pid) => readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => { try { return sum + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]); } catch { return sum; } }, 0);
const cases = ["senselink", "base-sign", "cyzen", "base-cyzen", "root"];
const samples = Object.fromEntries(cases.map((c) => [c, []]));
for (let i = 0; i < 12; i++) for (const c of cases) {
  await withWorkerd(`target/bench/app/worker-${c}/out/index.js`, async (mf) => {
    await (await mf.dispatchFetch("http://x/")).text();
    const pids = children().filter((p) => readFileSync(`/proc/${p}/comm`, "utf8").trim().startsWith("workerd"));
    samples[c].push(pids.reduce((s, p) => s + cpuNs(p), 0) / 1e6);
  });
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const c of cases) console.log(c, med(samples[c]).toFixed(1), samples[c].map((x) => x.toFixed(0)).join(" "));
