import * as lib from "cyzen-senselink";
import { runChecks } from "../checks.js";

// Served by the echo server (the production build), or by the Vite dev server with ?server=<echo server>.
window.__result = await runChecks(lib, new URLSearchParams(location.search).get("server") ?? location.origin);
