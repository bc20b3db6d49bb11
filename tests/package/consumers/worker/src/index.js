// A Worker importing the package by name, bundled by Wrangler exactly as `wrangler deploy` would.
import * as lib from "cyzen-senselink";
import { runChecks } from "../../checks.js";

export default {
  async fetch(request) {
    const server = new URL(request.url).searchParams.get("server");
    return Response.json(await runChecks(lib, server));
  },
};
