// Starting helper processes for tests: wait for a "listening on URL" line, stop them at exit.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

const children = new Set();
for (const signal of ["exit", "SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill("SIGTERM");
    if (signal !== "exit") process.exit(1);
  });
}

/** Spawns a command and resolves with the first URL it prints after "listening on". */
export function startServer(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"], ...options });
    children.add(child);
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`${command} did not start in 120 s`)), 120_000);
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      const match = buffer.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], child, stop: () => { children.delete(child); child.kill("SIGTERM"); } });
      }
    });
    child.on("exit", (code) => reject(new Error(`${command} exited (${code}) before listening:\n${buffer}`)));
  });
}

/** Runs a command to completion; rejects on a non-zero exit. Resolves with stdout. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}\n${stdout}\n${stderr}`));
    });
  });
}

/** A TCP port free on 127.0.0.1 right now (one the kernel handed out, closed again). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}
