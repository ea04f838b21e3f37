// Small CPU fuzz runs for CI: 2000 random byte sequences in ring 3 and 2000 in ring 0 must
// each end in a guest exception, an exit, a halt, a triple fault or the budget; none may
// throw out of the emulator. Run again compiled by the block compiler, they must end in
// the interpreter's state.
import { describe, it, expect } from "vitest";
import { fuzzCpu, formatSummary } from "./cpu-fuzzer.ts";

describe("CPU fuzz", () => {
  it("2000 random instruction sequences raise no host exception", () => {
    const s = fuzzCpu({ seed: 0x5eed, cases: 2000 });
    const report = formatSummary(s) + s.failures.slice(0, 5).map((f) => `\ncase ${f.caseNo} [${f.bytes}]: ${f.error.split("\n")[0]}`).join("");
    expect(s.failures.length, report).toBe(0);
    expect(s.cases).toBe(2000);
    // Random bytes mostly fault: #UD, #GP and #PF must all have been seen.
    for (const v of [6, 13, 14]) expect(s.exceptions.get(v) ?? 0, report).toBeGreaterThan(0);
  }, 120_000);

  it("2000 random sequences in ring 0 (system instructions, table and CR writes) raise no host exception", () => {
    const s = fuzzCpu({ seed: 0x5eed, cases: 2000, ring: 0 });
    const report = formatSummary(s) + s.failures.slice(0, 5).map((f) => `\ncase ${f.caseNo} [${f.bytes}]: ${f.error.split("\n")[0]}`).join("");
    expect(s.failures.length, report).toBe(0);
    expect(s.cases).toBe(2000);
  }, 120_000);

  it("compiled from their first instruction, 3000 sequences (ring 3 and ring 0) end as the interpreter ends them", () => {
    for (const ring of [3, 0] as const) {
      const s = fuzzCpu({ seed: 0x5eed, cases: ring === 3 ? 2000 : 1000, ring, compareJit: true });
      const report = formatSummary(s) + s.failures.slice(0, 3).map((f) => `\ncase ${f.caseNo} [${f.bytes}]: ${f.error.split("\n")[0]}`).join("");
      expect(s.failures.length, report).toBe(0);
      expect(s.regions, report).toBeGreaterThan(s.cases); // most cases compile one region or more
    }
  }, 120_000);

  it("is deterministic for a seed", () => {
    const a = fuzzCpu({ seed: 42, cases: 200 });
    const b = fuzzCpu({ seed: 42, cases: 200 });
    expect([...a.exceptions]).toEqual([...b.exceptions]);
    expect(a.instructions).toBe(b.instructions);
    expect(a.budgetOuts).toBe(b.budgetOuts);
  }, 60_000);
});
