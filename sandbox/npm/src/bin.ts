#!/usr/bin/env node
/**
 * `cyzen-senselink-sandbox`: the emulator as an HTTP server, with the `sandbox` binary's flags,
 * environment variables and output (first stdout line `sandbox listening on http://HOST:PORT`).
 * SIGINT / SIGTERM stop it (`sandbox stopped`, exit 0); bad options exit 2.
 */
import { usage } from "../cyzen_senselink_sandbox.js";
import { banner, createSandboxFromArgs, listenAddress, type Sandbox } from "./node.js";
import { listen } from "./server.js";

let sandbox: Sandbox;
try {
  sandbox = createSandboxFromArgs(process.argv.slice(2), process.env);
} catch (error) {
  if (error instanceof Error && error.name === "SandboxHelp") {
    process.stdout.write(usage());
    process.exit(0);
  }
  // As the binary writes it (`eprintln!`: one more newline after the usage text).
  process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n\n${usage()}\n`);
  process.exit(2);
}
const { host, port } = listenAddress(sandbox);
let server;
try {
  server = await listen(sandbox, { host, port });
} catch (error) {
  process.stderr.write(`sandbox: cannot listen: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
process.stdout.write(banner(sandbox, server.url));

const stop = async () => {
  await server.close();
  sandbox.close();
  process.stdout.write("sandbox stopped\n", () => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
