import * as lib from "cyzen-senselink";
import { runChecks } from "../checks.js";

window.__result = await runChecks(lib, location.origin);
