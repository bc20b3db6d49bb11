// The first jobs of the cold-start rows: what a user's code does right after importing an entry
// point. Each takes the imported names (`lib`) and returns a string that proves the job was done.
// bench/cold-node.mjs runs them in Node; bench/run.mjs writes them into the workerd Workers as
// source text (`String(job.run)`), so each is self-contained (no outside names). The baseline
// module (bench/baseline/baseline.js) exports the same names for the jobs that have a baseline.

/** name → { uses: the names it imports, run, answer: what it must return, label }. */
export const JOBS = {
  sign: {
    uses: ["senselinkSign"],
    // The vendor manual's test vector.
    run: (lib) => lib.senselinkSign("1477881215000", "2323dsfadfewrasa3434"),
    answer: "e5ef72ef839bdf5397b4906b199b9fbf",
    label: "`senselinkSign`",
  },
  cyzen: {
    uses: ["CyzenClient"],
    run: (lib) => typeof new lib.CyzenClient({ auth: { staticToken: "bench-token" }, companyId: "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b", baseUrl: "https://cyzen.test/webapi/v0" }),
    answer: "object",
    label: "`new CyzenClient({ auth: { staticToken }, … })`",
  },
  server: {
    uses: ["createSenseLinkProxy"],
    run: (lib) => typeof lib.createSenseLinkProxy({ baseUrl: "https://senselink.test", appKey: "bench-key", appSecret: "bench-secret", authorize: () => true }),
    answer: "function",
    label: "`createSenseLinkProxy`",
  },
  // The example Worker's start: a cyzen client and a SenseLink proxy.
  worker: {
    uses: ["CyzenClient", "createSenseLinkProxy"],
    run: (lib) => `${typeof new lib.CyzenClient({ auth: { staticToken: "bench-token" }, companyId: "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b", baseUrl: "https://cyzen.test/webapi/v0" })} ${
      typeof lib.createSenseLinkProxy({ baseUrl: "https://senselink.test", appKey: "bench-key", appSecret: "bench-secret", authorize: () => true })}`,
    answer: "object function",
    label: "`new CyzenClient` + `createSenseLinkProxy`",
  },
  import: {
    uses: ["parsePeopleCsv"],
    run: (lib) => String(lib.parsePeopleCsv(new TextEncoder().encode("氏名,社員番号\n計測 太郎,E0001\n")).rows.length),
    answer: "1",
    label: "`parsePeopleCsv` (one row)",
  },
};
