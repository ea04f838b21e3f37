// The report writers (table, JSON, SVG chart), the result-line parser and the
// crossover search, on made-up results.

import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatMarkdown, formatText, headline, tableCells, writeResultsJson } from "../../bench/report.ts";
import { renderChart } from "../../bench/chart.ts";
import { findCrossover, summarize } from "../../bench/crossover.ts";
import { normalizeOutput, parseResultLines } from "../../bench/result-line.ts";
import type { DesignResult } from "../../bench/measure.ts";
import type { CaseResult, SuiteResults } from "../../bench/suite-result.ts";
import { MM_DESIGNS, type MmDesignName } from "../../kernel/mm/designs.ts";

function design(d: MmDesignName, cycles: number): DesignResult {
  return {
    design: d, ops: 10, baseOps: 1, cyclesPerOp: cycles, programCyclesPerOp: cycles, hostUsPerOp: 12.5, wallMs: 100, baseWallMs: 10,
    counters: { pdeVisits: d === "classic" ? 1539 : 18, pteVisits: 89, tablesAllocated: 2, "fault:cow-copy": 2 },
    prof: {}, line: "bench x - ops=10 ns=1 ns_per_op=0", normalized: "bench x - ops=10 ns=* ns_per_op=*",
  };
}

function fakeCase(id: string, scale: number): CaseResult {
  const [program, param] = id.split(" ");
  return {
    id, program, param, op: "op", args: { run: ["-n", "10"], base: ["-n", "1"] }, memorySize: null,
    designs: Object.fromEntries(MM_DESIGNS.map((d, i) => [d, design(d, scale * (4 - i))])),
    errors: {}, native: { usPerOp: 80, line: "" }, outputsIdentical: true,
  };
}

function fakeResults(scales: number[]): SuiteResults {
  const ids = ["fork_exit -", "fork_exec -", "fork_touch k=16", "fork_vmas v=64", "zap_sparse mb=<64>&"];
  return {
    meta: { date: "2026-01-01T00:00:00Z", commit: null, node: "v20", host: "test", size: "quick", designs: [...MM_DESIGNS], cpuHz: 66e6, command: "t", wallSeconds: 1, nativeNote: "" },
    cases: scales.map((s, i) => fakeCase(ids[i], s)),
    crossover: summarize([{ v: 1024, classic: 100, vma: 90 }, { v: 2048, classic: 110, vma: 130 }]),
  };
}

/** Checks that every tag is closed in order (a small well-formedness check). Returns the element names seen. */
function checkXml(svg: string): string[] {
  const stack: string[] = [];
  const seen: string[] = [];
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, "");
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, attrs, self] = m;
    expect(attrs).not.toMatch(/[<&](?!amp;|lt;|gt;|quot;)/);
    if (close) expect(stack.pop()).toBe(name);
    else {
      seen.push(name);
      if (!self) stack.push(name);
    }
  }
  expect(stack).toEqual([]);
  expect(body.replace(/<[^>]*>/g, "")).not.toMatch(/[<>]|&(?!amp;|lt;|gt;|quot;)/);
  return seen;
}

describe("report", () => {
  it("writes JSON that reads back to the same results", () => {
    const dir = mkdtempSync(join(tmpdir(), "vmalab-report-"));
    try {
      const r = fakeResults([1000, 2000, 3000]);
      writeResultsJson(join(dir, "sub", "results.json"), r);
      expect(JSON.parse(readFileSync(join(dir, "sub", "results.json"), "utf8"))).toEqual(r);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("draws one bar per (benchmark, design) in a well-formed SVG, linear for a small span", () => {
    const r = fakeResults([1000, 2000, 3000, 1500, 2500]);
    const svg = renderChart(r);
    expect(svg.startsWith("<?xml")).toBe(true);
    const names = checkXml(svg);
    expect(names[0]).toBe("svg");
    const bars = [...svg.matchAll(/<rect class="bar" data-case="([^"]*)" data-design="([^"]*)"/g)].map((m) => `${m[1]}|${m[2]}`);
    expect(bars.length).toBe(5 * 4);
    expect(new Set(bars).size).toBe(20);
    expect(bars).toContain("zap_sparse mb=&lt;64&gt;&amp;|sharedpt");
    expect(svg).toContain("guest cycles per operation</text>");
    expect(svg).not.toContain("log scale");
    for (const d of MM_DESIGNS) expect(svg).toContain(`>${d}</text>`);
    expect(svg).toContain("benchmark (parameter)");
  });

  it("switches to a log scale when values span more than 20x, bar heights in order", () => {
    const r = fakeResults([100, 10_000]);
    const svg = renderChart(r);
    checkXml(svg);
    expect(svg).toContain("guest cycles per operation (log scale)");
    const h = [...svg.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(h.length).toBe(8);
    // classic (400) > vma (300) > ... within a group, and the 100x larger group is taller.
    expect(h[0]).toBeGreaterThan(h[1]);
    expect(h[4]).toBeGreaterThan(h[0]);
  });

  it("prints a table with cycles, ratios to classic, and per-design counter cells", () => {
    const r = fakeResults([1000]);
    const cells = tableCells(r);
    expect(cells[0].slice(0, 8)).toEqual([
      "benchmark", "classic cyc/op", "vma cyc/op", "lazy cyc/op", "sharedpt cyc/op", "vma/classic", "lazy/classic", "sharedpt/classic",
    ]);
    expect(cells[1].slice(0, 8)).toEqual(["fork_exit -", "4000", "3000", "2000", "1000", "0.75", "0.50", "0.25"]);
    const pde = cells[0].indexOf("PDE visits");
    expect(cells[1][pde]).toBe("1539/18/18/18");
    expect(cells[1][cells[0].indexOf("native µs/op")]).toBe("80");
    const text = formatText(r);
    expect(text).toContain("Crossover: vma becomes slower than classic between V=1024 and V=2048");
    const md = formatMarkdown(r);
    expect(md.split("\n")[1]).toMatch(/^\|---\|(---:\|)+$/);
    expect(md.split("\n").filter((l) => l.startsWith("| fork_exit -")).length).toBe(1);
    expect(headline(r)[0]).toBe(
      "Headline fork+exit+wait: classic 4000 vs vma 3000 guest cycles per op, vma/classic = 0.75 (vma 1.33x faster; the 1995 rewrite claims 3x to 4x).",
    );
  });
});

describe("crossover", () => {
  it("interpolates between the bracketing probes", () => {
    const c = summarize([{ v: 64, classic: 100, vma: 50 }, { v: 1024, classic: 200, vma: 180 }, { v: 8192, classic: 300, vma: 400 }]);
    expect(c.lastCheaper).toBe(1024);
    expect(c.firstSlower).toBe(8192);
    // d goes from -20 at 1024 to +100 at 8192: zero at 1024 + 7168 * 20/120.
    expect(c.estimate).toBe(Math.round(1024 + (7168 * 20) / 120));
  });

  it("extends and bisects on linear costs down to the resolution", () => {
    const probe = (v: number) => ({ v, classic: 30_000 + v, vma: 20_000 + 7 * v }); // equal at V = 10000/6 ≈ 1667
    const probed: number[] = [];
    const c = findCrossover([4, 64, 1024].map(probe), (v) => (probed.push(v), probe(v)), { maxV: 32768, bisectSteps: 8, resolution: 16 });
    expect(probed[0]).toBe(2048);
    expect(c.lastCheaper).toBeLessThanOrEqual(1666);
    expect(c.firstSlower).toBeGreaterThanOrEqual(1667);
    expect(c.estimate).toBe(1667);
  });

  it("says so when vma stays cheaper", () => {
    const c = findCrossover([{ v: 4, classic: 10, vma: 5 }], (v) => ({ v, classic: 10, vma: 5 }), { maxV: 64, bisectSteps: 4, resolution: 1 });
    expect(c.firstSlower).toBeNull();
    expect(c.probes.map((p) => p.v)).toEqual([4, 8, 16, 32, 64]);
    expect(c.summary).toContain("no crossover found");
  });
});

describe("result lines", () => {
  it("parses results and errors and masks the measurements", () => {
    const out = "hello\r\nbench spawn ms=50 ops=12 ns=50000 ns_per_op=4166 procs=1\r\nbench fork_exit - error=fork\r\n";
    const { results, errors } = parseResultLines(out);
    expect(results).toEqual([
      { name: "spawn", param: "ms=50", ops: 12, ns: 50000, nsPerOp: 4166, extra: [["procs", "1"]], line: "bench spawn ms=50 ops=12 ns=50000 ns_per_op=4166 procs=1" },
    ]);
    expect(errors.map((e) => e.error)).toEqual(["fork"]);
    expect(normalizeOutput(out)).toBe("hello\nbench spawn ms=50 ops=* ns=* ns_per_op=* procs=1\nbench fork_exit - error=fork\n");
    expect(normalizeOutput("bench fork_exit - ops=5 ns=10 ns_per_op=2")).toBe("bench fork_exit - ops=5 ns=* ns_per_op=*");
  });
});
