// `npm run bench` end to end on a tiny selection: the table on stdout, the
// progress lines on stderr (not a terminal here), results.json and chart.svg.

import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SuiteResults } from "../../bench/suite-result.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

describe("bench runner", () => {
  it("runs --quick --only fork_exit for two designs and writes the results", () => {
    const out = mkdtempSync(join(tmpdir(), "vmalab-bench-"));
    try {
      const p = spawnSync(
        process.execPath,
        ["bin/run-ts.mjs", "bench/run.ts", "--quick", "--only", "fork_exit", "--designs", "vma,classic", "--no-native", "--out", out],
        { cwd: REPO, encoding: "utf8", timeout: 120_000 },
      );
      expect(p.status, p.stderr).toBe(0);
      expect(p.stderr).toMatch(/^\[1\/2\] fork_exit - mm=classic \(\d+s\)$/m);
      expect(p.stderr).toMatch(/^\[2\/2\] fork_exit - mm=vma \(\d+s\)$/m);
      expect(p.stdout).toMatch(/^benchmark +classic cyc\/op +vma cyc\/op +vma\/classic/m);
      expect(p.stdout).toContain("native µs/op: not measured (--no-native)");
      const r = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as SuiteResults;
      expect(r.meta.designs).toEqual(["classic", "vma"]);
      expect(r.meta.size).toBe("quick");
      expect(r.cases.map((c) => c.id)).toEqual(["fork_exit -"]);
      const c = r.cases[0];
      expect(c.outputsIdentical).toBe(true);
      expect(c.designs.classic!.counters.forks).toBe(1);
      expect(c.designs.classic!.counters.pdeVisits).toBeGreaterThanOrEqual(2 * 768);
      expect(c.designs.vma!.cyclesPerOp).toBeLessThan(c.designs.classic!.cyclesPerOp);
      const svg = readFileSync(join(out, "chart.svg"), "utf8");
      expect(svg.match(/<rect class="bar"/g)?.length).toBe(2);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it("rejects an unknown design with a usage message", () => {
    const p = spawnSync(process.execPath, ["bin/run-ts.mjs", "bench/run.ts", "--designs", "nope"], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('bench: unknown design "nope"');
    expect(p.stderr).toContain("usage: npm run bench");
  }, 60_000);
});
