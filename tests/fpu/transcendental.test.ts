// The transcendental instructions (emulator/cpu/fpu/transcendental.ts) against this host's
// x87 (tests/fpu/oracle.c). The SDM allows an implementation's results to differ in the last
// bit (Intel SDM Vol. 1, 8.3.10), so this measures: every in-domain result must be within one
// unit in the last place of the host's, special values (NaN, infinities, zeros, IE/ZE cases)
// must be identical, and the share of bit-identical values must stay at the level measured
// when this was written (figures in the table below, from oracle 3000 0x13198a2e 34 27).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { textToRecords } from "./compare.ts";
import { oracleMissing, runOracle } from "./oracle.ts";
import { ulpStats } from "./ulp.ts";
import { pi66Hex } from "../../emulator/cpu/fpu/transcendental.ts";

const MISSING = oracleMissing();
if (MISSING && process.env.CI === "true") throw new Error(`the x87 oracle cannot run: ${MISSING}`);
if (MISSING) console.warn(`tests/fpu: skipping the transcendental comparison: ${MISSING}`);

// Minimum share of results whose value is bit-identical to the host's x87, per op: the lower of
// the two x87s measured, less a little (the rest differ by exactly one unit in the last place).
// Measured 2026-12 on an AMD EPYC: fsin 99.61%, fcos 99.67%, fsincos 99.29%, fptan 94.08%,
// fpatan 98.28%, f2xm1 97.90%, fyl2x 98.62%, fyl2xp1 98.52%; on 2026-12-06 on this project's
// "Intel(R) Xeon(R) Processor": 94.56%, 94.58%, 92.77%, 92.44%, 97.80%, 93.96%, 95.85%, 94.39%.
const MIN_SAME: Record<string, number> = {
  fsin: 0.94,
  fcos: 0.94,
  fsincos: 0.92,
  fptan: 0.92,
  fpatan: 0.975,
  f2xm1: 0.935,
  fyl2x: 0.955,
  fyl2xp1: 0.94,
};

describe("x87 transcendental instructions", () => {
  it("reduce arguments with pi rounded to 66 bits", () => {
    // pi = 3.243F6A8885A308D3 13... (hex): 66 bits, the next bit 0, so rounding keeps ...D3.
    expect(pi66Hex()).toBe("3243f6a8885a308d3");
  });

  it.skipIf(MISSING !== null)("stay within one ulp of this host's x87", () => {
    const stats = ulpStats(runOracle(["3000", "0x13198a2e", "34", "27"]), 5, true);
    const lines: string[] = [];
    let total = 0;
    for (const [op, s] of stats) {
      total += s.cases;
      lines.push(
        `${op}: ${s.cases} cases, ${((100 * s.sameValue) / s.cases).toFixed(2)}% identical values ` +
          `(${((100 * s.exact) / s.cases).toFixed(2)}% with the status word), ${s.oneUlp} one ulp apart, ` +
          `max ${s.maxUlp} ulp, ${s.other} special mismatches, ${s.outside} outside the domain and ${s.tinyPassThrough} tiny pass-throughs left out`,
      );
    }
    console.log(`tests/fpu transcendental (${total} cases):\n${lines.join("\n")}`);
    expect(stats.size).toBe(8);
    for (const [op, s] of stats) {
      const detail = `${op}:\n${s.examples.join("\n")}`;
      expect(s.other, detail).toBe(0);
      expect(s.maxUlp, detail).toBeLessThanOrEqual(1);
      expect(s.sameValue / s.cases, op).toBeGreaterThanOrEqual(MIN_SAME[op]);
      expect(s.sameValue + s.oneUlp, op).toBe(s.cases);
      expect(s.tinyPassThrough, op).toBeLessThanOrEqual(10);
    }
    expect(total).toBeGreaterThan(50_000);
  });

  it("stay within one ulp of the recorded x87 results", () => {
    const text = readFileSync(new URL("./expected-transcendental.txt", import.meta.url), "utf8");
    const stats = ulpStats(textToRecords(text), 5);
    let total = 0;
    for (const [op, s] of stats) {
      total += s.cases + s.outside;
      expect(s.other, `${op}:\n${s.examples.join("\n")}`).toBe(0);
      expect(s.maxUlp, op).toBeLessThanOrEqual(1);
    }
    expect(total).toBe(480);
  });
});
