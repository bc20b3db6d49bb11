// The in-process front-end of the e2e tier: the suites talk to `createSandbox().fetch` (the npm
// package cyzen-senselink-sandbox) instead of the sandbox binary. The suites and the clients call
// the global `fetch` with URLs under `env.sandboxUrl`; this routes those to the sandbox's `fetch`
// and everything else (a push subscriber, a local proxy server) to the real one.

/** Sends requests for `sandbox.url` to `sandbox.fetch`; returns a function that undoes it. */
export function routeToSandbox(sandbox) {
  const outside = globalThis.fetch;
  const origin = sandbox.url;
  const ours = (url) => url === origin || url.startsWith(`${origin}/`);
  globalThis.fetch = function fetch(input, init) {
    const url = input instanceof Request ? input.url : String(input);
    return ours(url) ? sandbox.fetch(input, init) : outside(input, init);
  };
  return () => {
    globalThis.fetch = outside;
  };
}
