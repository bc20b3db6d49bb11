import { __setErrorFactory } from "../cyzen_senselink.js";
import { makeError } from "./errors.js";

/** Finishes loading once the WebAssembly module is instantiated (no I/O, no randomness). */
export function afterInit(): void {
  __setErrorFactory(makeError);
}
