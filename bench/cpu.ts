// npm run bench:cpu [iterations] — runs bench/cpu-workload.ts the way the emulator ships:
// bundled into one ES module by esbuild (as the web and CLI builds are) and executed by
// a plain `node`, so the figures measure the emulator rather than the TypeScript loader
// (which alone costs ~40 MiB of resident memory and slows cross-module enum access).
// Falls back to running the workload in this process when esbuild is unavailable.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, "cpu-workload.ts");
const args = process.argv.slice(2);

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
    const r = spawnSync(process.execPath, [out, ...args], { stdio: "inherit" });
    process.exitCode = r.status ?? 1;
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!(await bundled())) {
  console.log("(esbuild not found: running through the TypeScript loader; figures include its overhead)");
  await import("./cpu-workload.ts");
}
