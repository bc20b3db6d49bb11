// Node ESM consumer: imports the installed package by name, as a user's script does, runs the
// shared checks, then checks of stacks that only Node can make (file names, source maps). Run it
// with and without `--enable-source-maps`.
import { spawnSync } from "node:child_process";
import * as lib from "cyzen-senselink";
import * as cyzen from "cyzen-senselink/cyzen";
import * as importer from "cyzen-senselink/import";
import * as senselink from "cyzen-senselink/senselink";
import * as server from "cyzen-senselink/server";
import { PENDING, runChecks, runEntryChecks, runNamed } from "./checks.js";

const sourceMaps = process.execArgv.includes("--enable-source-maps");

/** The stack of what `make` throws or rejects with. */
async function stackOf(make) {
  try {
    await make();
  } catch (error) {
    return String(error?.stack);
  }
  throw new Error("expected an error");
}

const namesThisFile = "an error's stack names the calling file (node-consumer.mjs)";
const nodeChecks = {
  [namesThisFile]: async () => {
    const made = await stackOf(() => new lib.SenseLinkClient({}));
    const sl = new lib.SenseLinkClient({ baseUrl: "http://127.0.0.1:9", appKey: "k", appSecret: "s" });
    const rejected = await stackOf(() => sl.persons.list({ type: 9 }));
    for (const [what, stack] of [["new SenseLinkClient({})", made], ["persons.list({ type: 9 })", rejected]]) {
      if (!stack.includes("/node-consumer.mjs:")) throw new Error(`${what}: the stack does not name node-consumer.mjs:\n${stack}`);
    }
  },
};
if (!sourceMaps) {
  nodeChecks["without source maps, an uncaught error prints a short line of the package, not all of it"] = async () => {
    const script = 'import { SenseLinkClient } from "cyzen-senselink"; new SenseLinkClient({});';
    const { status, stderr } = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    const longest = Math.max(...stderr.split("\n").map((line) => line.length));
    if (status === 0 || !stderr.includes("InvalidInputError") || longest > 300) {
      throw new Error(`exit ${status}, longest line ${longest} characters:\n${stderr.slice(0, 2000)}`);
    }
  };
}
if (sourceMaps) {
  nodeChecks["with --enable-source-maps, the package's frames show TypeScript sources"] = async () => {
    const stack = await stackOf(() => lib.httpRequest({ url: "not a url" }));
    if (!/\/src\/errors\.ts:\d+:\d+/.test(stack) || !/\/src\/http\.ts:\d+:\d+/.test(stack) || stack.includes("wrapper.js")) {
      throw new Error(`expected frames in src/errors.ts and src/http.ts, none in wrapper.js:\n${stack}`);
    }
  };
  nodeChecks["with --enable-source-maps, an uncaught error prints a TypeScript line, not the minified one"] = async () => {
    const script = 'import { SenseLinkClient } from "cyzen-senselink"; new SenseLinkClient({});';
    const { status, stderr } = spawnSync(process.execPath, ["--enable-source-maps", "--input-type=module", "-e", script], { encoding: "utf8" });
    const longest = Math.max(...stderr.split("\n").map((line) => line.length));
    if (status === 0 || !/src\/errors\.ts:\d+/.test(stderr) || !stderr.includes("InvalidInputError") || longest > 300) {
      throw new Error(`exit ${status}, longest line ${longest} characters:\n${stderr.slice(0, 2000)}`);
    }
  };
}

const shared = await runChecks(lib, process.argv[2]);
const perEntry = await runEntryChecks({ root: lib, senselink, cyzen, server, import: importer }, process.argv[2]);
const own = await runNamed(nodeChecks, PENDING);
const all = [shared, perEntry, own];
console.log(JSON.stringify({ passed: all.flatMap((r) => r.passed), failed: all.flatMap((r) => r.failed) }));
