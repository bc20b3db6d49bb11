// Type-checks every ```ts and ```js block of the README shipped in the package with
// `tsc --strict --noEmit`, against the installed package's own declarations, under both
// `moduleResolution: "bundler"` and `"nodenext"`. Each block is its own module; the only other
// input is readme-prelude.d.ts (the free names the examples use: a Worker's `Env`, `render`, …).
//   checkReadmeExamples({ readme, dir, root }) -> { passed: string[], failed: { name, error }[] }
// `dir` must sit inside the project that has the package installed (its node_modules).
// A block containing a text listed in PENDING waits for a fix outside tests/: it must fail (XFAIL),
// and once it passes the suite fails until it is removed from PENDING.
// Alone: node tests/package/readme-examples.mjs <project dir with the package installed>
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const LANGUAGES = { ts: "ts", typescript: "ts", js: "js", javascript: "js" };

/** Blocks that cannot type-check yet: the block's text, the only error code and the message expected, and why. */
const PENDING = [];

/** The fenced ```ts / ```js blocks of a Markdown text: { line, heading, ext, code }. */
export function codeBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split("\n");
  let heading = "(top)";
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,6} /.test(lines[i])) heading = lines[i].replace(/^#+ /, "");
    const open = /^(\s*)```\s*([\w-]*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, language] = open;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !new RegExp(`^${indent}\`\`\`\\s*$`).test(lines[i]); i++) body.push(lines[i].slice(indent.length));
    const ext = LANGUAGES[language.toLowerCase()];
    if (ext) blocks.push({ line: start + 1, heading, ext, code: `${body.join("\n")}\n` });
  }
  return blocks;
}

function tsc(root, project) {
  return new Promise((resolvePromise) => {
    execFile(join(root, "node_modules/.bin/tsc"), ["-p", project], { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolvePromise({ ok: !error, output: `${stdout}${stderr}` });
    });
  });
}

export async function checkReadmeExamples({ readme, dir, root }) {
  const blocks = codeBlocks(readFileSync(readme, "utf8"));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(here, "readme-prelude.d.ts"), join(dir, "prelude.d.ts"));
  const files = blocks.map((block) => {
    const file = `readme-line-${String(block.line).padStart(4, "0")}.${block.ext}`;
    writeFileSync(join(dir, file), block.code);
    return file;
  });
  const errors = new Map(files.map((file) => [file, []]));
  const general = [];
  // The package's declarations are checked once (skipLibCheck: false under "bundler"); TypeScript's
  // own lib files never.
  for (const [resolution, module, skipLibCheck] of [["Bundler", "ESNext", false], ["NodeNext", "NodeNext", true]]) {
    const project = join(dir, `tsconfig.${resolution.toLowerCase()}.json`);
    writeFileSync(project, JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, target: "ES2022", module, moduleResolution: resolution, moduleDetection: "force",
        lib: ["ES2022", "DOM", "DOM.Iterable"], types: ["node"], typeRoots: [join(root, "node_modules/@types")],
        allowJs: true, checkJs: true, skipLibCheck, skipDefaultLibCheck: true,
      },
      files: ["prelude.d.ts", ...files],
    }, null, 2));
    const { ok, output } = await tsc(root, project);
    let current = general;
    for (const line of output.split("\n").filter((l) => l.trim() !== "")) {
      const file = /^(?:.*[\\/])?(readme-line-\d+\.[jt]s)\(\d+,\d+\)/.exec(line)?.[1];
      if (file) current = errors.get(file);
      else if (!/^\s/.test(line)) current = general;
      current.push(`[${resolution}] ${line}`);
    }
    if (!ok && general.length === 0 && [...errors.values()].every((list) => list.length === 0)) {
      general.push(`[${resolution}] tsc failed without a diagnostic:\n${output}`);
    }
  }
  const passed = [];
  const failed = [];
  blocks.forEach((block, i) => {
    const name = `README.md:${block.line} ${block.ext} block (${block.heading})`;
    const problems = errors.get(files[i]);
    const pending = PENDING.find(({ text }) => block.code.includes(text));
    if (pending !== undefined && problems.length === 0) {
      failed.push({ name, error: "type-checks now: remove its entry from PENDING in tests/package/readme-examples.mjs" });
    } else if (
      pending !== undefined &&
      problems.some((line) => pending.expect.test(line)) &&
      problems.filter((line) => / error TS\d+/.test(line)).every((line) => line.includes(` error ${pending.code}:`))
    ) {
      passed.push(`${name} — XFAIL (expected to fail): ${pending.reason}`);
    } else if (problems.length === 0) {
      passed.push(name);
    } else {
      failed.push({ name, error: problems.join("\n") });
    }
  });
  if (general.length > 0) failed.push({ name: "tsc (outside any block)", error: general.join("\n") });
  return { passed, failed };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const project = resolve(process.argv[2] ?? ".");
  const result = await checkReadmeExamples({
    readme: join(project, "node_modules/cyzen-senselink/README.md"),
    dir: join(project, "readme-examples"),
    root: resolve(here, "../.."),
  });
  for (const name of result.passed) console.log(`ok   ${name}`);
  for (const { name, error } of result.failed) console.log(`FAIL ${name}\n  ${error.replaceAll("\n", "\n  ")}`);
  console.log(`${basename(process.argv[1])}: ${result.passed.length} passed, ${result.failed.length} failed`);
  process.exitCode = result.failed.length > 0 || result.passed.length === 0 ? 1 : 0;
}
