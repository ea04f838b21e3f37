// Protected-mode and paging test kernels (src/*.asm, built by build.sh into bin/) boot on
// the real Machine through its multiboot loader and print to port 0xE9. Their expected
// outputs (expected/NAME.txt) were written from the Intel 386/486 manuals' definitions
// (error codes, saved EIP, frames, A/D bits, TLB rules). Every expected line is its own
// test case, so a failure names the exception or paging rule that broke.

import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { bootKernel, type KernelRun } from "./boot-kernel.ts";

const here = dirname(fileURLToPath(import.meta.url));
const kernels = readdirSync(join(here, "src"))
  .filter((f) => f.endsWith(".asm"))
  .map((f) => f.slice(0, -4))
  .sort();

/** Resets each kernel must cause (the triple-fault kernel resets the PC once). */
const RESETS: Record<string, number> = { triple: 1 };

for (const name of kernels) {
  const expectedLines = readFileSync(join(here, "expected", `${name}.txt`), "latin1").split("\n").slice(0, -1);

  describe(`pm kernel ${name}`, () => {
    let run: KernelRun | null = null;
    let runError: unknown = null;
    let lines: string[] = [];
    beforeAll(() => {
      try {
        run = bootKernel(new Uint8Array(readFileSync(join(here, "bin", `${name}.bin`))));
        lines = run.output.split("\n");
      } catch (e) {
        runError = e;
      }
    }, 120_000);

    expectedLines.forEach((want, i) => {
      const label = want.split(":")[0].trim() || want;
      it(`${name} line ${i + 1}: ${label}`, () => {
        if (runError) throw runError;
        if (lines[i] !== want) {
          const context = lines.slice(Math.max(0, i - 2), i + 3).join("\n    ");
          throw new Error(`line ${i + 1}\n  want: ${want}\n  got:  ${lines[i] ?? "<missing>"}\n  output around it:\n    ${context}\n  run ended: ${run?.end}`);
        }
      });
    });

    it(`${name}: exits through isa-debug-exit with status 1 after ${RESETS[name] ?? 0} reset(s)`, () => {
      if (runError) throw runError;
      expect(run!.output.split("\n").length - 1, "number of output lines").toBe(expectedLines.length);
      expect(run!.end).toBe("exit");
      expect(run!.exitStatus).toBe(1);
      expect(run!.resets).toBe(RESETS[name] ?? 0);
    });
  });
}

describe("pm kernel binaries", () => {
  let nasm = true;
  try {
    execFileSync("nasm", ["-v"], { stdio: "ignore" });
  } catch {
    nasm = false;
  }
  const reason = "nasm is not installed: cannot check that bin/ matches src/";
  if (!nasm && process.env.CI !== "true") {
    it.skip(`match their sources (${reason})`, () => {});
    console.log(`pm.test.ts: skipping the rebuild check: ${reason}`);
    return;
  }
  it("match their sources (re-assembled with nasm)", () => {
    if (!nasm) throw new Error(reason);
    const dir = mkdtempSync(join(tmpdir(), "pm-kernels-"));
    try {
      for (const name of kernels) {
        const out = join(dir, `${name}.bin`);
        execFileSync("nasm", ["-f", "bin", "-I", join(here, "src") + "/", "-o", out, join(here, "src", `${name}.asm`)]);
        expect(Buffer.compare(readFileSync(out), readFileSync(join(here, "bin", `${name}.bin`))), `${name}.bin is stale: run sh tests/kernels/pm/build.sh`).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
