// npm run bench:cpu [-- --runs N] [iterations] — runs bench/cpu-workload.ts the way the
// emulator ships: bundled into one ES module by esbuild (as the web and CLI builds are)
// and executed by a plain `node`, so the figures measure the emulator rather than the
// TypeScript loader (which alone costs ~40 MiB of resident memory and slows
// cross-module enum access). Each run is a fresh process (fresh JIT); the table gives
// every run and the median, the figure to quote: on a shared machine single runs
// vary by ±20% although every run executes exactly the same instructions.
// Falls back to one run in this process when esbuild is unavailable.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, "cpu-workload.ts");
const argv = process.argv.slice(2);
let runs = 5;
const ri = argv.indexOf("--runs");
if (ri >= 0) {
  runs = Number(argv[ri + 1]);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    console.error("bench:cpu: --runs takes a number from 1 to 100");
    process.exit(2);
  }
  argv.splice(ri, 2);
}
const bad = argv.find((a) => !/^\d+$/.test(a));
if (bad !== undefined) {
  console.error(`bench:cpu: unknown argument '${bad}' (usage: npm run bench:cpu -- [--runs N] [iterations])`);
  process.exit(2);
}

interface Run { instructions: number; cycles: number; secs: number; cpuSecs: number; mips: number; cpuMips: number; rssMiB: number; ramMiB: number }

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function bundled(): Promise<boolean> {
  let build: typeof import("esbuild").build;
  try {
    ({ build } = await import("esbuild"));
  } catch {
    return false;
  }
  const dir = mkdtempSync(join(tmpdir(), "vmalab-bench-"));
  try {
    const out = join(dir, "cpu-bench.mjs");
    await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", outfile: out, logLevel: "warning" });
    const results: Run[] = [];
    for (let i = 0; i < runs; i++) {
      if (process.stderr.isTTY) process.stderr.write(`\rbench:cpu: run ${i + 1}/${runs}`);
      const r = spawnSync(process.execPath, [out, "--json", ...argv], { encoding: "utf8" });
      if (r.status !== 0) {
        process.stderr.write("\n" + r.stderr);
        process.exitCode = r.status ?? 1;
        return true;
      }
      results.push(JSON.parse(r.stdout) as Run);
    }
    if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
    const first = results[0];
    if (results.some((r) => r.instructions !== first.instructions || r.cycles !== first.cycles)) {
      console.error("bench:cpu: runs disagree on instruction or cycle counts (the emulator is not deterministic)");
      process.exitCode = 1;
    }
    const cpuMips = results.map((r) => r.cpuMips);
    const row = (k: string, v: string): void => console.log(`  ${k.padEnd(22)} ${v.padStart(14)}`);
    console.log("vmalab CPU benchmark: integer loop, paging on");
    row("instructions", String(first.instructions));
    row("guest cycles", String(first.cycles));
    row("runs", String(runs));
    row("MIPS (CPU time) each", cpuMips.map((m) => m.toFixed(1)).join(" "));
    row("MIPS (CPU time) min", Math.min(...cpuMips).toFixed(1));
    row("MIPS (CPU time) median", median(cpuMips).toFixed(1));
    row("MIPS (CPU time) max", Math.max(...cpuMips).toFixed(1));
    row("MIPS (wall) median", median(results.map((r) => r.mips)).toFixed(1));
    row("peak RSS (MiB) max", Math.max(...results.map((r) => r.rssMiB)).toFixed(1));
    row("guest RAM (MiB)", String(first.ramMiB));
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!(await bundled())) {
  console.log("(esbuild not found: one run through the TypeScript loader; figures include its overhead)");
  await import("./cpu-workload.ts");
}
