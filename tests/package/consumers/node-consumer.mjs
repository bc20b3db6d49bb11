// Node ESM consumer: imports the installed package by name, as a user's script does.
import * as lib from "cyzen-senselink";
import { runChecks } from "./checks.js";

const result = await runChecks(lib, process.argv[2]);
console.log(JSON.stringify(result));
