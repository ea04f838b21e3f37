// Runs one differential program in the emulator and reports the first differences from
// its committed native output: node bin/run-ts.mjs tests/diff/run-one.ts NAME [--print]
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runUserElf } from "../support/user-loader.ts";

const here = dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
if (!name) {
  console.error("usage: run-one.ts NAME [--print]");
  process.exit(2);
}
const t = performance.now();
const r = runUserElf(new Uint8Array(readFileSync(join(here, "bin", name))), { argv: [name] });
const ms = performance.now() - t;
if (process.argv.includes("--print")) process.stdout.write(r.stdout);
const want = readFileSync(join(here, "expected", `${name}.txt`), "latin1").split("\n");
const got = (r.stdout + `exit ${r.exitCode}\n`).split("\n");
let section = "";
let shown = 0;
const bad = new Set<string>();
for (let i = 0; i < Math.max(want.length, got.length); i++) {
  if (want[i]?.startsWith("## ")) section = want[i];
  if (want[i] !== got[i]) {
    bad.add(section);
    if (shown++ < 40) console.log(`${section} line ${i + 1}\n  want: ${want[i]}\n  got:  ${got[i]}`);
  }
}
console.log(`sections differing: ${[...bad].join(", ") || "none"}`);
console.log(`exit ${r.exitCode} failure ${r.failure} cycles ${r.cycles} instructions ${r.instructions} ${ms.toFixed(0)} ms (${(r.instructions / ms / 1000).toFixed(1)} MIPS)`);
