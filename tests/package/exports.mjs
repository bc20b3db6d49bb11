// The names an entry point's declarations export (values and types), read with the TypeScript
// compiler from the installed package: what a user's `import { … } from "cyzen-senselink…"` sees.
//   node tests/package/exports.mjs <project dir> <specifier>   prints them, one per line
import { createRequire } from "node:module";
import { join } from "node:path";

/** The sorted export names of `specifier` as resolved from `projectDir` (node16 resolution). */
export function exportedNames(projectDir, specifier, typescript) {
  const ts = typescript ?? createRequire(import.meta.url)("typescript");
  const probe = join(projectDir, "__exports_probe.mts");
  const host = ts.createCompilerHost({});
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => (name === probe ? `export * from ${JSON.stringify(specifier)};\n` : readFile(name));
  host.fileExists = (name) => name === probe || fileExists(name);
  const program = ts.createProgram([probe], { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, noEmit: true, skipLibCheck: true, types: [] }, host);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(probe);
  const symbol = checker.getSymbolAtLocation(source.statements[0].moduleSpecifier);
  if (!symbol) throw new Error(`${specifier} does not resolve from ${projectDir}`);
  return checker.getExportsOfModule(symbol).map((s) => s.getName()).sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(exportedNames(process.argv[2], process.argv[3]).join("\n"));
}
