// Prints per-runtime results of a check suite and exits: non-zero on any failure, or when a
// runtime ran no check at all (a silent zero is a failure).
export function reportAndExit(results) {
  let ok = true;
  for (const [runtime, { passed, failed }] of Object.entries(results)) {
    console.log(`${runtime}: ${passed.length} passed, ${failed.length} failed`);
    for (const { name, error } of failed) console.log(`  FAILED ${name}\n    ${error.replaceAll("\n", "\n    ")}`);
    if (failed.length > 0 || passed.length === 0) ok = false;
  }
  process.exit(ok ? 0 : 1);
}
