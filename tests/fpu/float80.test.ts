// The x87 arithmetic core (emulator/cpu/fpu) against a real x87: this host's, through
// tests/fpu/oracle.c (compiled with clang at test time), and the results recorded from it in
// tests/fpu/expected.txt (tools/gen-fpu-expected.ts) so exactness is checked on any host.
// Every case compares the 80-bit (or memory) results byte for byte and the status word's
// exception flags, ES, B and condition codes.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareRecords, textToRecords, type Verdict } from "./compare.ts";
import { oracleMissing, runOracle } from "./oracle.ts";
import { type FpuEnv } from "../../emulator/cpu/fpu/float80.ts";
import { fadd, fdiv, fsqrt } from "../../emulator/cpu/fpu/arith.ts";
import { fist, fst64 } from "../../emulator/cpu/fpu/convert.ts";

const MISSING = oracleMissing();
if (MISSING && process.env.CI === "true") throw new Error(`the x87 oracle cannot run: ${MISSING}`);
if (MISSING) console.warn(`tests/fpu: skipping the live x87 comparison: ${MISSING}`);

function report(v: Verdict): string {
  const per = [...v.perOp].map(([op, s]) => `${op} ${s.bad}/${s.cases}`).join(", ");
  return `${v.bad} of ${v.cases} cases differ (${per})\nfirst mismatches:\n${v.first.join("\n")}`;
}

describe("x87 arithmetic core", () => {
  it.skipIf(MISSING !== null)("matches this host's x87 bit for bit on a seeded sweep", () => {
    // All special-value pairs and values, then 15000 random rounds of every op: 835,200 cases.
    const v = compareRecords(runOracle(["15000", "0x243f6a88"]), 20, new Set(), true);
    console.log(`tests/fpu: ${v.cases} oracle cases compared, ${v.tinyPassThrough} of them a tiny pass-through this x87 does without #U`);
    expect(v.cases).toBe(835_200);
    expect(v.tinyPassThrough).toBeLessThanOrEqual(10);
    expect(v.perOp.size).toBe(27);
    expect(v.bad, report(v)).toBe(0);
  });

  it("matches the recorded x87 results", () => {
    const text = readFileSync(new URL("./expected.txt", import.meta.url), "utf8");
    const v = compareRecords(textToRecords(text), 20);
    expect(v.cases).toBe(3240);
    expect(v.bad, report(v)).toBe(0);
  });

  it("gives the known extended-precision values", () => {
    const env: FpuEnv = { cw: 0x037f, sw: 0 };
    const r = new Uint32Array(12);
    const one = [0x3fff, 0x80000000, 0];
    const three = [0x4000, 0xc0000000, 0];
    const two = [0x4000, 0x80000000, 0];
    r.set(one, 0);
    r.set(three, 3);
    fdiv(env, r, 6, 0, 3); // 1/3 = 0.AAAA...AB (rounded up: C1, PE)
    expect([...r.subarray(6, 9)]).toEqual([0x3ffd, 0xaaaaaaaa, 0xaaaaaaab]);
    expect(env.sw).toBe(0x220);
    env.cw = 0x007f; // PC 24: the significand rounds at 24 bits, the exponent stays extended
    env.sw = 0;
    fdiv(env, r, 6, 0, 3);
    expect([...r.subarray(6, 9)]).toEqual([0x3ffd, 0xaaaaab00, 0]);
    env.cw = 0x037f;
    env.sw = 0;
    r.set(two, 0);
    fsqrt(env, r, 6, 0); // sqrt(2) = 1.6A09E667F3BCC908B2F... (hex), rounded down at 64 bits
    expect([...r.subarray(6, 9)]).toEqual([0x3fff, 0xb504f333, 0xf9de6484]);
    expect(env.sw).toBe(0x20);
    // Largest finite + itself: masked overflow to +infinity with OE, PE, C1.
    env.sw = 0;
    r.set([0x7ffe, 0xffffffff, 0xffffffff], 0);
    fadd(env, r, 6, 0, 0);
    expect([...r.subarray(6, 9)]).toEqual([0x7fff, 0x80000000, 0]);
    expect(env.sw).toBe(0x228);
    // ... and unmasked: the exponent wrapped by 24576, ES and B set.
    env.cw = 0x0377;
    env.sw = 0;
    fadd(env, r, 6, 0, 0);
    expect([...r.subarray(6, 9)]).toEqual([0x7fff - 24576, 0xffffffff, 0xffffffff]);
    expect(env.sw).toBe(0x8088);
    // FIST of a NaN: the integer indefinite; FST m64 of 1/3 rounds to the double nearest.
    env.cw = 0x037f;
    env.sw = 0;
    const mem = new Uint32Array(2);
    r.set([0x7fff, 0xc0000000, 0], 0);
    expect(fist(env, r, 0, 32, false, mem, 0)).toBe(true);
    expect(mem[0]).toBe(0x80000000);
    expect(env.sw).toBe(0x1);
    env.sw = 0;
    r.set(one, 0);
    fdiv(env, r, 0, 0, 3);
    expect(fst64(env, r, 0, mem, 0)).toBe(true);
    expect([mem[1], mem[0]]).toEqual([0x3fd55555, 0x55555555]);
  });
});
