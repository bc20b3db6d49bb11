// A Worker importing the package by name, bundled by Wrangler exactly as `wrangler deploy` would.
import * as lib from "cyzen-senselink";
import * as cyzen from "cyzen-senselink/cyzen";
import * as importer from "cyzen-senselink/import";
import * as senselink from "cyzen-senselink/senselink";
import * as server from "cyzen-senselink/server";
import { runChecks, runEntryChecks } from "../../checks.js";

/** The shared checks on the root, then the entry points' checks. */
async function checkAll(url) {
  const results = [await runChecks(lib, url), await runEntryChecks({ root: lib, senselink, cyzen, server, import: importer }, url)];
  return { passed: results.flatMap((r) => r.passed), failed: results.flatMap((r) => r.failed) };
}

export default {
  async fetch(request) {
    const server = new URL(request.url).searchParams.get("server");
    return Response.json(await checkAll(server));
  },
};
