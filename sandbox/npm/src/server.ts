/**
 * The emulator as an HTTP server in Node (`node:http`), for apps in any language: what the
 * `cyzen-senselink-sandbox` command runs. Each request goes through {@link Sandbox.fetch}; a dropped
 * answer (`drop`, `drop-after`) closes the socket without a byte, a body that fails mid-way
 * (`truncate`) closes it after the bytes sent, as the `sandbox` binary does.
 *
 * ```js
 * import { createSandbox } from "cyzen-senselink-sandbox";
 * import { listen } from "cyzen-senselink-sandbox/server";
 * const server = await listen(createSandbox(), { port: 0 });
 * console.log(server.url); // http://127.0.0.1:PORT
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Sandbox } from "./sandbox.js";

/** A listening server. */
export interface SandboxServer {
  /** `http://HOST:PORT` (loopback when bound to an unspecified address). */
  readonly url: string;
  /** Stops accepting, closes open connections, resolves once closed. */
  close(): Promise<void>;
}

/** Where to listen. */
export interface ListenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8787; 0 = any free port. */
  port?: number;
}

function baseUrl(address: AddressInfo): string {
  const unspecified = address.address === "0.0.0.0" || address.address === "::";
  const host = unspecified ? "127.0.0.1" : address.address.includes(":") ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

async function readBody(request: IncomingMessage): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : (Buffer.concat(chunks) as Uint8Array<ArrayBuffer>);
}

async function answer(sandbox: Sandbox, request: IncomingMessage, response: ServerResponse, origin: string): Promise<void> {
  const abort = new AbortController();
  // The client went away before the answer was complete: the handler is dropped, as hyper does.
  response.once("close", () => {
    if (!response.writableFinished) abort.abort();
  });
  const headers = new Headers();
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) headers.append(request.rawHeaders[i] as string, request.rawHeaders[i + 1] as string);
  const method = request.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(request);
  let result: Response;
  try {
    result = await sandbox.fetch(new URL(request.url ?? "/", origin), { method, headers, body, redirect: "manual", signal: abort.signal });
  } catch {
    // No answer at all: close the connection without writing a byte.
    request.socket.destroy();
    return;
  }
  response.statusCode = result.status;
  if (result.statusText !== "") response.statusMessage = result.statusText;
  const cookies = result.headers.getSetCookie();
  result.headers.forEach((value, name) => {
    if (name !== "set-cookie") response.setHeader(name, value);
  });
  if (cookies.length > 0) response.setHeader("set-cookie", cookies);
  if (result.body === null) {
    response.end();
    return;
  }
  response.flushHeaders();
  const reader = result.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!response.write(value)) await new Promise<void>((resolve) => response.once("drain", resolve).once("close", resolve));
      if (response.destroyed) {
        await reader.cancel();
        return;
      }
    }
    response.end();
  } catch {
    // The body failed mid-way (`truncate`): what was sent stays sent, the connection closes.
    request.socket.destroy();
  }
}

/** Serves `sandbox` over HTTP/1.1 on `host:port`. */
export function listen(sandbox: Sandbox, options: ListenOptions = {}): Promise<SandboxServer> {
  return new Promise((resolve, reject) => {
    let origin = "http://127.0.0.1";
    const server = createServer((request, response) => {
      answer(sandbox, request, response, origin).catch(() => request.socket.destroy());
    });
    server.keepAliveTimeout = 5_000;
    server.once("error", reject);
    server.listen(options.port ?? 8787, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      const url = baseUrl(server.address() as AddressInfo);
      origin = url;
      resolve({
        url,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
