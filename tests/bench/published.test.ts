// The published-results table (bench/published.ts): each of the four results
// compared with the right cases and designs, computed from made-up results.

import { describe, expect, it } from "vitest";
import { fmtTime, PUBLISHED, publishedCells } from "../../bench/published.ts";
import { formatMarkdown, formatText } from "../../bench/report.ts";
import { summarize } from "../../bench/crossover.ts";
import { suite } from "../../bench/suite.ts";
import type { DesignResult } from "../../bench/measure.ts";
import type { CaseResult, SuiteResults } from "../../bench/suite-result.ts";
import { MM_DESIGNS, type MmDesignName } from "../../kernel/mm/designs.ts";

const HZ = 66e6;

function design(d: MmDesignName, cyclesPerOp: number): DesignResult {
  return {
    design: d, ops: 10, baseOps: 1, cyclesPerOp, programCyclesPerOp: cyclesPerOp, hostUsPerOp: 1, wallMs: 1, baseWallMs: 1,
    counters: {}, prof: {}, line: "", normalized: "",
  };
}

/** A case whose guest µs per op under each design are given. */
function fakeCase(id: string, us: Partial<Record<MmDesignName, number>>): CaseResult {
  const [program, param] = id.split(" ");
  return {
    id, program, param, op: "op", args: { run: [], base: [] }, memorySize: null,
    designs: Object.fromEntries(Object.entries(us).map(([d, u]) => [d, design(d as MmDesignName, (u! * HZ) / 1e6)])),
    errors: {}, native: null, outputsIdentical: true,
  };
}

function results(cases: CaseResult[]): SuiteResults {
  return {
    meta: { date: "", commit: null, node: "", host: "", size: "full", designs: [...MM_DESIGNS], cpuHz: HZ, command: "", wallSeconds: 0, nativeNote: "" },
    cases,
    crossover: summarize([{ v: 1024, classic: 100, vma: 90 }, { v: 8192, classic: 110, vma: 130 }]),
  };
}

const all = (x: number) => ({ classic: x, vma: x, lazy: x, sharedpt: x });

const RUN = results([
  fakeCase("fork_exit -", { classic: 400, vma: 100, lazy: 100, sharedpt: 103 }),
  fakeCase("fork_exec -", { classic: 900, vma: 300, lazy: 300, sharedpt: 300 }),
  fakeCase("shell_spawn -", { classic: 2000, vma: 1000, lazy: 1000, sharedpt: 980 }),
  fakeCase("fork_vmas v=21", all(100)),
  fakeCase("fork_vmas v=1621", all(900)),
  fakeCase("fork_vmas v=51221", { classic: 20000, vma: 25700, lazy: 25700, sharedpt: 25700 }),
  fakeCase("fork_shmap mb=100", { classic: 23000, vma: 23000, lazy: 1000, sharedpt: 4000 }),
]);

describe("published results", () => {
  it("are four, each with a dated source and cases that the full suite has", () => {
    expect(PUBLISHED.map((p) => p.id)).toEqual(["memory-c-rewrite", "maple-tree-fork", "lazy-fork", "shared-page-tables"]);
    const ids = new Set(suite("full").map((c) => c.id));
    for (const p of PUBLISHED) {
      expect(p.source).toMatch(/(19|20)\d\d/);
      for (const c of p.cases) expect(ids.has(c), `${p.id}: ${c}`).toBe(true);
    }
    const quick = new Set(suite("quick").map((c) => c.program));
    for (const p of PUBLISHED) for (const c of p.cases) expect(quick.has(c.split(" ")[0]), `${p.id}: ${c}`).toBe(true);
  });

  it("compute the measured figure next to the published one", () => {
    const rows = publishedCells(RUN);
    expect(rows[0]).toEqual(["result", "source", "measure", "published", "vmalab"]);
    const get = (measure: string) => rows.find((r) => r[2] === measure)!;
    expect(get("fork_exit: classic / vma").slice(3)).toEqual(["3–4x", "4.00x"]);
    expect(get("fork_exec: classic / vma")[4]).toBe("3.00x");
    expect(get("fork+exit+wait at V=21 areas (guest µs at 66 MHz)").slice(3)).toEqual(["89 µs", "classic 100 µs / vma 100 µs / lazy 100 µs / sharedpt 100 µs"]);
    expect(get("fork+exit+wait at V=51221 areas (guest µs at 66 MHz)")[4]).toContain("vma 25.7 ms");
    expect(get("µs per extra area, V=21 to 51221")[4]).toContain("vma 0.500 µs");
    expect(get("growth: fork+exit+wait at V=1621 / at V=21").slice(3)).toEqual(["10.1x", "classic 9.0x / vma 9.0x / lazy 9.0x / sharedpt 9.0x"]);
    expect(get("growth: fork+exit+wait at V=51221 / at V=21").slice(3)).toEqual(["280.9x", "classic 200.0x / vma 257.0x / lazy 257.0x / sharedpt 257.0x"]);
    expect(rows.find((r) => r[2].startsWith("where vma-driven"))![4]).toMatch(/^V≈\d+ \(inside the published range 21–51,221\)$/);
    expect(get("fork_shmap mb=100: copied page tables (vma)").slice(3)).toEqual(["23 ms", "23 ms"]);
    expect(get("fork_shmap mb=100: lazy").slice(3)).toEqual(["≈1 ms", "1 ms"]);
    expect(get("fork_shmap mb=100: vma / lazy")[4]).toBe("23.00x");
    expect(get("fork_shmap mb=100: vma / sharedpt")[4]).toBe("5.75x");
    expect(get("fork_exit: sharedpt vs vma (cost)")[4]).toBe("+3.0%");
    expect(get("shell_spawn: sharedpt vs vma (cost)")[4]).toBe("-2.0%");
  });

  it("show - for what a run did not measure, and the quick run's smaller cases", () => {
    const quick = results([fakeCase("fork_vmas v=21", all(100)), fakeCase("fork_vmas v=1621", all(900)), fakeCase("fork_shmap mb=16", { vma: 4000, lazy: 200 })]);
    quick.crossover = null;
    const rows = publishedCells(quick);
    expect(rows.find((r) => r[2] === "fork_exit: classic / vma")![4]).toBe("-");
    expect(rows.find((r) => r[2] === "fork+exit+wait at V=51221 areas (guest µs at 66 MHz)")![4]).toBe("-");
    expect(rows.find((r) => r[2] === "µs per extra area, V=21 to 1621")![4]).toContain("vma 0.500 µs");
    expect(rows.find((r) => r[2] === "fork_shmap mb=16: vma / lazy")![4]).toBe("20.00x");
  });

  it("appear as a second table in the text and Markdown reports", () => {
    const text = formatText(RUN);
    expect(text).toContain("\nPublished results\n");
    expect(text).toMatch(/lazy page-table copy at fork .*Nick Piggin/);
    const md = formatMarkdown(RUN);
    expect(md).toContain("### Published results");
    expect(md).toContain("| result | source | measure | published | vmalab |");
    expect(md.split("\n").filter((l) => l.startsWith("| shared page tables |")).length).toBe(1);
    expect(md.split("\n").filter((l) => l.startsWith("|  |  | ")).length).toBe(publishedCells(RUN).length - 1 - PUBLISHED.length);
  });

  it("formats times in µs and ms", () => {
    expect(fmtTime(89.4)).toBe("89 µs");
    expect(fmtTime(900)).toBe("900 µs");
    expect(fmtTime(1234)).toBe("1.2 ms");
    expect(fmtTime(25000)).toBe("25 ms");
    expect(fmtTime(null)).toBe("-");
  });
});
