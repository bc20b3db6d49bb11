// A small HTTP server for the transport and package tests: it answers with exactly what arrived
// (multipart parsed by the runtime's own parser, file parts as sha256 + base64), serves static files,
// slow answers, chosen statuses and redirects, and records requests that the client abandoned.
// Usage: node tests/support/echo-server.mjs [--port N] [--static DIR]   (prints "listening on URL")
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const port = Number(option("--port", process.env.ECHO_PORT ?? 0));
const staticDir = option("--static", null);

const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css", ".map": "application/json" };

/** Outcomes of `/slow` requests by id: "completed" or "aborted" (the client closed the connection). */
const slowOutcomes = new Map();

function cors(res) {
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-allow-methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  res.setHeader("access-control-allow-headers", "*");
  res.setHeader("access-control-expose-headers", "*");
}

function json(res, status, value, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function describeBody(contentType, raw) {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (type === "multipart/form-data") {
    // The runtime's own multipart parser (undici), so a malformed body fails here as it would anywhere.
    const form = await new Request("http://local/", { method: "POST", headers: { "content-type": contentType }, body: raw }).formData();
    const parts = [];
    for (const [name, value] of form.entries()) {
      if (typeof value === "string") {
        parts.push({ name, value });
      } else {
        const bytes = Buffer.from(await value.arrayBuffer());
        parts.push({ name, filename: value.name, type: value.type, size: bytes.length,
          sha256: createHash("sha256").update(bytes).digest("hex"), base64: bytes.toString("base64") });
      }
    }
    return { multipart: parts };
  }
  if (type === "application/x-www-form-urlencoded") {
    return { form: [...new URLSearchParams(raw.toString("utf8")).entries()] };
  }
  if (type === "application/json") {
    return { json: JSON.parse(raw.toString("utf8")) };
  }
  return { base64: raw.toString("base64") };
}

async function serveStatic(res, pathname) {
  const root = resolve(staticDir);
  let file = normalize(join(root, decodeURIComponent(pathname)));
  if (!file.startsWith(root)) return json(res, 403, { error: "outside the static root" });
  try {
    if ((await stat(file)).isDirectory()) file = join(file, "index.html");
    const body = await readFile(file);
    res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(body);
  } catch {
    json(res, 404, { error: "not found", path: pathname });
  }
}

const server = createServer(async (req, res) => {
  cors(res);
  const url = new URL(req.url, "http://127.0.0.1");
  const path = url.pathname;
  try {
    if (req.method === "OPTIONS") return res.writeHead(204).end();
    if (path === "/echo") {
      const raw = await readBody(req);
      const described = raw.length ? await describeBody(req.headers["content-type"], raw) : {};
      return json(res, 200, { method: req.method, path, query: [...url.searchParams.entries()],
        headers: req.headers, contentType: req.headers["content-type"] ?? null, size: raw.length, ...described });
    }
    if (path === "/slow") {
      const id = url.searchParams.get("id") ?? "anonymous";
      const ms = Number(url.searchParams.get("ms") ?? 5000);
      slowOutcomes.set(id, "pending");
      const timer = setTimeout(() => {
        slowOutcomes.set(id, "completed");
        json(res, 200, { id, waited: ms });
      }, ms);
      res.on("close", () => {
        if (!res.writableEnded) {
          clearTimeout(timer);
          slowOutcomes.set(id, "aborted");
        }
      });
      return;
    }
    if (path === "/slow-outcome") {
      return json(res, 200, { outcome: slowOutcomes.get(url.searchParams.get("id")) ?? "unknown" });
    }
    if (path.startsWith("/status/")) {
      const status = Number(path.slice("/status/".length));
      const headers = Object.fromEntries([...url.searchParams.entries()].filter(([k]) => k !== "body"));
      res.writeHead(status, { "content-type": "text/plain", ...headers });
      return res.end(url.searchParams.get("body") ?? `status ${status}`);
    }
    if (path === "/redirect") {
      res.writeHead(302, { location: "/echo" });
      return res.end();
    }
    if (path === "/bytes") {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(bytes);
    }
    if (staticDir && req.method === "GET") return serveStatic(res, path);
    json(res, 404, { error: "not found", path });
  } catch (error) {
    json(res, 500, { error: String(error?.stack ?? error) });
  }
});

server.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
