#!/usr/bin/env node
// Bulk onboarding from the command line: an HR spreadsheet saved as CSV (UTF-8 or Shift_JIS) and a
// folder of face photos named by employee number (or listed in a 写真 column) → SenseLink.
//
//   SENSELINK_BASE_URL=https://link.japancv.co.jp SENSELINK_APP_KEY=… SENSELINK_APP_SECRET=… \
//     node examples/import-people.mjs staff.csv photos/ [--dry-run] [--force-similar] [--concurrency 4]
//
// Every row is checked first (nothing is sent while any row has a problem). Ctrl-C stops cleanly;
// the result is saved next to the CSV (staff.csv.result.json) and the next run resumes from it
// without registering anyone twice. A summary CSV (UTF-8 with BOM, for Excel) is written too.
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { importPeople, parsePeopleCsv } from "cyzen-senselink/import";
import { SenseLinkClient } from "cyzen-senselink/senselink";

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const [csvPath, photoDir] = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--concurrency");
if (!csvPath || !photoDir) {
  console.error("usage: node examples/import-people.mjs staff.csv photos/ [--dry-run] [--force-similar] [--concurrency N]");
  process.exit(2);
}

const sl = new SenseLinkClient({
  baseUrl: process.env.SENSELINK_BASE_URL,
  appKey: process.env.SENSELINK_APP_KEY,
  appSecret: process.env.SENSELINK_APP_SECRET,
  edition: process.env.SENSELINK_EDITION ?? "cloud",
});
const edition = process.env.SENSELINK_EDITION ?? "cloud";

// The photos as File objects: the library sends them as they are.
const photos = [];
for (const name of await readdir(photoDir)) {
  if (/\.(jpe?g|png)$/i.test(name)) photos.push(new File([await readFile(join(photoDir, name))], name));
}
// Group and department names in the CSV resolve to ids with these.
const [groups, departments] = await Promise.all([sl.groups.list().catch(() => []), sl.departments.list().catch(() => [])]);
const csv = parsePeopleCsv(await readFile(csvPath), { photos, groups, departments, edition });
console.log(`${csv.rows.length} rows (${csv.encoding}); columns: ${csv.header.map((h, i) => `${h} → ${csv.columns[i] ?? "(ignored)"}`).join(", ")}`);
if (csv.unusedPhotos.length) console.log(`photos no row uses: ${csv.unusedPhotos.join(", ")}`);

// Problems from reading the file and from the rules, by line.
const checked = await importPeople(sl, csv.rows, { dryRun: true, edition });
const problems = [...csv.issues, ...checked.issues].sort((a, b) => a.row - b.row);
for (const { row, field, message } of problems) console.log(`line ${csv.lines[row]}: ${field}: ${message}`);
if (problems.length > 0 || flag("--dry-run")) process.exit(problems.length > 0 ? 1 : 0);

const saved = `${csvPath}.result.json`;
const resume = existsSync(saved) ? JSON.parse(await readFile(saved, "utf8")) : undefined;
if (resume) console.log(`resuming: ${resume.created} already registered`);
const stop = new AbortController();
process.once("SIGINT", () => {
  console.log("\nstopping (the rows in flight finish or are looked up on the next run)…");
  stop.abort();
});
const result = await importPeople(sl, csv.rows, {
  edition, resume, signal: stop.signal,
  concurrency: Number(value("--concurrency", "4")),
  similarFace: flag("--force-similar") ? "force" : "skip",
  onProgress: ({ done, total, created, skipped, failed }) =>
    process.stdout.write(`\r${done}/${total}: ${created} registered, ${skipped} skipped, ${failed} failed   `),
});
console.log();
await writeFile(saved, JSON.stringify(result));

// A cell starting with = + - @ tab or CR gets a single quote and quotes, so Excel reads it as text,
// not as a formula (OWASP "CSV Injection"; names come from the spreadsheet). The admin page's
// download does the same (www/csv.js).
const cell = (v) => {
  const text = String(v ?? "");
  if (/^[=+\-@\t\r]/.test(text)) return `"'${text.replaceAll('"', '""')}"`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};
const lines = [["line", "name", "jobNumber", "status", "id", "code", "message"]];
for (const r of result.rows) {
  const row = csv.rows[r.row];
  const code = r.status === "failed" ? r.error.code : r.status === "skipped" ? r.reason : "";
  const message = r.status === "failed" ? r.error.message : r.status === "skipped" ? r.message : "";
  lines.push([csv.lines[r.row], row.name, row.jobNumber ?? "", r.status, r.status === "created" ? r.id : "", code, message]);
}
await writeFile(`${csvPath}.result.csv`, `\ufeff${lines.map((l) => l.map(cell).join(",")).join("\r\n")}\r\n`);
console.log(`${result.created} registered, ${result.skipped} skipped, ${result.failed} failed, ${result.pending} not yet` +
  `${result.stoppedBy ? ` (stopped: ${result.stoppedBy.code} ${result.stoppedBy.message})` : ""}; details in ${csvPath}.result.csv`);
process.exit(result.pending > 0 || result.failed > 0 ? 1 : 0);
