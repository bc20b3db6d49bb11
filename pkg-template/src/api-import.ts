/**
 * `cyzen-senselink/import`: bulk onboarding — `parsePeopleCsv` and `importPeople` — on the
 * SenseLink client's WebAssembly module (the rows are checked by the same rules as a call).
 * @packageDocumentation
 */
export * from "./errors.js";
export * from "./senselink-import.js";
