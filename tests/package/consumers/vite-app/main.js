import * as lib from "cyzen-senselink";
import * as cyzen from "cyzen-senselink/cyzen";
import * as importer from "cyzen-senselink/import";
import * as senselink from "cyzen-senselink/senselink";
import * as server from "cyzen-senselink/server";
import { runChecks, runEntryChecks } from "../checks.js";

/** The shared checks on the root, then the entry points' checks. */
async function checkAll(url) {
  const results = [await runChecks(lib, url), await runEntryChecks({ root: lib, senselink, cyzen, server, import: importer }, url)];
  return { passed: results.flatMap((r) => r.passed), failed: results.flatMap((r) => r.failed) };
}

// Served by the echo server (the production build), or by the Vite dev server with ?server=<echo server>.
window.__result = await checkAll(new URLSearchParams(location.search).get("server") ?? location.origin);
