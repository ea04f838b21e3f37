// Builds and runs tests/fpu/oracle.c, the x87 of this host as the reference: the C file is
// compiled with the host's clang into a temporary directory and its binary records (layout in
// oracle.c and tests/fpu/cases.ts) are returned.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), "oracle.c");

/** Why the oracle cannot run here (not an x86_64 host, no clang), or null when it can. */
export function oracleMissing(): string | null {
  if (process.arch !== "x64") return `the host is ${process.arch}, not x86_64 (no native x87 to compare with)`;
  try {
    execFileSync("clang", ["--version"], { stdio: "ignore" });
  } catch {
    return "clang not found";
  }
  return null;
}

/** Compiles oracle.c (clang -O1) and runs it with the given arguments; returns its records. */
export function runOracle(args: string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "vmalab-x87-"));
  try {
    const bin = join(dir, "oracle");
    execFileSync("clang", ["-O1", "-o", bin, SOURCE], { stdio: ["ignore", "ignore", "inherit"] });
    const out = execFileSync(bin, args, { maxBuffer: 1 << 30 });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
