// The guest kernels of `npm run bench:cpu` (bench/kernels/): each runs to its HLT on
// vmalab with the instruction count and checksum recorded below for a tiny iteration
// count, and v86 (the npm package, JIT on and off) prints the same checksum after about
// the same number of instructions by its own counter. The committed binaries match their
// sources when nasm is there. v86 missing skips its part (fails when CI=true).

import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KERNEL_WORKLOADS, kernelImage, kernelIterations, kernelPath } from "../../bench/kernels/workloads.ts";
import { runKernelOnVmalab } from "../../bench/kernels/run-vmalab.ts";
import { runKernelOnV86, v86BuildDir } from "../../bench/kernels/run-v86.ts";

const kernelsDir = new URL("../../bench/kernels/", import.meta.url).pathname;

/** Output and vmalab instruction count per kernel at 1 and 100 iterations (recorded from vmalab, checked against v86). */
const EXPECTED: Record<string, Record<number, [string, number]>> = {
  int: { 1: ["int 00000002\n", 32926], 100: ["int 201813f4\n", 34560] },
  mem: { 1: ["mem 0000400d\n", 32923], 100: ["mem 04ef6f1c\n", 34309] },
  call: { 1: ["call 6effaa0f\n", 34500], 100: ["call 37616574\n", 192082] },
  string: { 1: ["string 01010101\n", 33088], 100: ["string 852a030c\n", 49126] },
};

describe("bench:cpu kernels on vmalab", () => {
  for (const w of KERNEL_WORKLOADS) {
    for (const n of [1, 100]) {
      it(`${w.name}, ${n} iteration(s): output and instruction count`, () => {
        const r = runKernelOnVmalab(kernelImage(w.name, n));
        expect(r.output).toBe(EXPECTED[w.name][n][0]);
        expect(r.instructions).toBe(EXPECTED[w.name][n][1]);
      });
    }
    it(`${w.name}: the built default work count is patched in at offset 32`, () => {
      const built = kernelIterations(kernelImage(w.name));
      expect(built).toBeGreaterThan(100);
      expect(kernelIterations(kernelImage(w.name, 7))).toBe(7);
    });
  }
  it("rejects a zero iteration count (the loops would run 2^32 times)", () => {
    expect(() => kernelImage("int", 0)).toThrow(RangeError);
  });
});

let v86Problem: string | null = null;
try {
  await import("v86");
  readFileSync(join(v86BuildDir(), "v86.wasm"));
} catch (e) {
  v86Problem = `v86 cannot load (${e instanceof Error ? e.message : String(e)}); run npm ci`;
}

describe("bench:cpu kernels on v86", () => {
  if (v86Problem !== null && process.env.CI !== "true") {
    it.skip(`run on v86 (${v86Problem})`, () => {});
    console.log(`cpu-kernels.test.ts: skipping v86: ${v86Problem}`);
    return;
  }
  for (const w of KERNEL_WORKLOADS) {
    for (const jit of [true, false]) {
      it(`${w.name}, 100 iterations, JIT ${jit ? "on" : "off"}: same output as vmalab`, async () => {
        if (v86Problem !== null) throw new Error(v86Problem);
        const [output, count] = EXPECTED[w.name][100];
        const r = await runKernelOnV86(kernelImage(w.name, 100), jit, undefined, 30_000);
        expect(r.output).toBe(output);
        // v86 reads its counter at the last output byte, a few instructions before the HLT;
        // both count a long REP once per chunk, each its own way, so string has no such bound.
        if (w.name !== "string") {
          expect(r.v86Instructions).toBeLessThanOrEqual(count);
          expect(r.v86Instructions).toBeGreaterThan(count - 10);
        }
      });
    }
  }
});

describe("bench:cpu kernel binaries", () => {
  let nasm = true;
  try {
    execFileSync("nasm", ["-v"], { stdio: "ignore" });
  } catch {
    nasm = false;
  }
  const reason = "nasm is not installed: cannot check that bench/kernels/bin matches src/";
  if (!nasm && process.env.CI !== "true") {
    it.skip(`match their sources (${reason})`, () => {});
    console.log(`cpu-kernels.test.ts: skipping the rebuild check: ${reason}`);
    return;
  }
  it("match their sources (re-assembled with nasm)", () => {
    if (!nasm) throw new Error(reason);
    const dir = mkdtempSync(join(tmpdir(), "bench-kernels-"));
    try {
      for (const w of KERNEL_WORKLOADS) {
        const out = join(dir, `${w.name}.bin`);
        execFileSync("nasm", ["-f", "bin", "-I", join(kernelsDir, "src") + "/", "-o", out, join(kernelsDir, "src", `${w.name}.asm`)]);
        expect(Buffer.compare(readFileSync(out), readFileSync(kernelPath(w.name))), `${w.name}.bin is stale: run sh bench/kernels/build.sh`).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
