// The cyzen client end to end against the sandbox, in Node, Chromium and workerd:
//   node tests/e2e/run.mjs --suites cyzen
// The checks live in cyzen-oauth.js (code flow, PKCE, state, refresh), cyzen-lists.js (every
// resource and cursor kind, windows, writes, images, errors, resume) and cyzen-pacing.js (sliding
// window, backoff, Retry-After, no blind write retries); helpers in cyzen-common.js. They run here,
// in this order, after one sandbox reset.
import { oauthChecks } from "./cyzen-oauth.js";
import { listsChecks } from "./cyzen-lists.js";
import { pacingChecks } from "./cyzen-pacing.js";

const part = (name, checks) => Object.fromEntries(Object.entries(checks).map(([k, v]) => [`${name}: ${k}`, v]));

export const checks = { ...part("oauth", oauthChecks), ...part("lists", listsChecks), ...part("pacing", pacingChecks) };
