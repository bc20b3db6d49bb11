// The Chromium tier's entry. It lives in its own file, not inline in page.html, so that stack
// frames name this file's URL rather than the page URL, whose query carries the test env (and so
// the sandbox's secrets): a check that no secret appears in an error's stack must not trip on it.
import { runSuites } from "./harness.js";

const params = new URLSearchParams(location.search);
const lib = await import(`${params.get("pkg") ?? "/pkg"}/dist/browser.js`);
const env = JSON.parse(params.get("env"));
// --front-end in-process: the emulator runs in this page (the package's browser loader).
if (params.get("sandboxPkg")) {
  const { createSandbox } = await import(`${params.get("sandboxPkg")}/dist/browser.js`);
  const { routeToSandbox } = await import("./in-process.js");
  routeToSandbox(createSandbox({ seed: 1, url: env.sandboxUrl }));
}
const suites = {};
for (const name of params.get("suites").split(",").filter(Boolean)) {
  suites[name] = await import(`./suites/${name}.js`);
}
window.__result = await runSuites(lib, suites, env);
