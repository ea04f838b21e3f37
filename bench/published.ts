// The four published results the suite reproduces, as data: where each was
// published, the figure as published, which cases and designs it is compared
// with, and how the measured figure is computed from a suite run. The
// "Published results" table of the report (report.ts) is derived from this
// list only; userland/bench/README.md names the same sources.

import type { MmDesignName } from "../kernel/mm/designs.ts";
import type { CaseResult, SuiteResults } from "./suite-result.ts";

/** One line of the published-results table. */
export interface PublishedRow {
  /** What is compared, e.g. "fork_exit: classic / vma". */
  measure: string;
  /** The published figure as text. */
  published: string;
  /** vmalab's figure as text ("-" when the run has not measured it). */
  measured: string;
}

export interface PublishedResult {
  id: string;
  /** Short name of the result. */
  title: string;
  /** Who, where and when (short, for the table). */
  source: string;
  /** The full citation (for the notes and the README). */
  reference: string;
  /** The published figure, in one sentence. */
  claim: string;
  /** Case ids (suite.ts "<program> <param>") or program names the comparison reads. */
  cases: string[];
  designs: MmDesignName[];
  /** How the measured figures are computed from a run: one row per figure. */
  measure(r: SuiteResults): PublishedRow[];
}

/** Guest microseconds per operation of a case under a design (cycles at the guest clock), or null. */
export function usPerOp(r: SuiteResults, c: CaseResult | undefined, d: MmDesignName): number | null {
  const cyc = c?.designs[d]?.cyclesPerOp;
  return cyc === undefined ? null : (cyc / r.meta.cpuHz) * 1e6;
}

/** The case with this id, or else the first case of the program named by the id's first word. */
export function findCase(r: SuiteResults, id: string): CaseResult | undefined {
  return r.cases.find((c) => c.id === id) ?? r.cases.find((c) => c.program === id.split(" ")[0]);
}

/** µs or ms, 2-3 significant digits. */
export function fmtTime(us: number | null): string {
  if (us === null || !Number.isFinite(us)) return "-";
  if (us >= 1000) return `${Number((us / 1000).toPrecision(us >= 10000 ? 3 : 2))} ms`;
  if (us >= 1) return `${Number(us.toPrecision(us >= 100 ? 3 : 2))} µs`;
  return `${Number(us.toPrecision(2))} µs`;
}

const ratio = (a: number | null, b: number | null): string => (a === null || b === null || b === 0 ? "-" : `${(a / b).toFixed(2)}x`);
const percent = (a: number | null, base: number | null): string => {
  if (a === null || base === null || base === 0) return "-";
  const p = ((a - base) / base) * 100;
  return `${p >= 0 ? "+" : ""}${p.toFixed(1)}%`;
};

/** "classic 12 µs / vma 10 µs / ..." over the designs of the run that measured the case. */
function perDesign(r: SuiteResults, f: (d: MmDesignName) => string | null): string {
  const parts = r.meta.designs.map((d) => [d, f(d)] as const).filter(([, v]) => v !== null);
  return parts.length ? parts.map(([d, v]) => `${d} ${v}`).join(" / ") : "-";
}

/** The maple-tree fork points: total VMAs and µs per fork (from fork() calls per 10 s). */
export const MAPLE_POINTS: readonly { v: number; us: number; text: string }[] = [
  { v: 21, us: 89, text: "89 µs" },
  { v: 1621, us: 900, text: "0.9 ms" },
  { v: 51221, us: 25000, text: "25 ms" },
];
export const MAPLE_SLOPE_US = 0.5;

/** fork_vmas cases of the maple-tree comparison present in r, by V ascending. */
function vmasCases(r: SuiteResults): { v: number; c: CaseResult }[] {
  return MAPLE_POINTS.map((p) => ({ v: p.v, c: r.cases.find((c) => c.id === `fork_vmas v=${p.v}`) }))
    .filter((x): x is { v: number; c: CaseResult } => x.c !== undefined);
}

export const PUBLISHED: readonly PublishedResult[] = [
  {
    id: "memory-c-rewrite",
    title: "vma-driven fork/exit/exec (the memory.c rewrite)",
    source: "Patrick Schaaf, linux-kernel, 7 Aug 1995",
    reference:
      "Patrick Schaaf, \"memory.c rewrite\" (linux-kernel, 7 Aug 1995; a patch against Linux 1.3.12 that drives " +
      "fork, exit and exec from the vm_areas instead of the whole page-table range)",
    claim: "fork/exit/exec of small programs 3x to 4x cheaper than walking the whole user page-table range",
    cases: ["fork_exit -", "fork_exec -"],
    designs: ["classic", "vma"],
    measure: (r) =>
      ["fork_exit -", "fork_exec -"].map((id) => {
        const c = findCase(r, id);
        return { measure: `${id.split(" ")[0]}: classic / vma`, published: "3–4x", measured: ratio(usPerOp(r, c, "classic"), usPerOp(r, c, "vma")) };
      }),
  },
  {
    id: "maple-tree-fork",
    title: "fork cost growing with the number of areas",
    source: "Peng Zhang / Liam Howlett, linux-mm, Oct 2023",
    reference:
      "Peng Zhang, \"fork: use __mt_dup() to duplicate maple tree in dup_mmap()\" (Linux 6.8, commit d2406291483775ec, " +
      "Oct 2023), on Liam R. Howlett's maple tree; byte-unixbench spawn modified to add VMAs to the default 21, " +
      "fork() calls per 10 s converted to time per fork+exit",
    claim: "89 µs per fork+exit at 21 VMAs, 0.9 ms at 1,621, 25 ms at 51,221: about 0.5 µs per extra VMA",
    cases: MAPLE_POINTS.map((p) => `fork_vmas v=${p.v}`),
    designs: ["classic", "vma", "lazy", "sharedpt"],
    measure: (r) => {
      const rows: PublishedRow[] = MAPLE_POINTS.map((p) => {
        const c = r.cases.find((x) => x.id === `fork_vmas v=${p.v}`);
        return {
          measure: `fork+exit+wait at V=${p.v} areas (guest µs at ${r.meta.cpuHz / 1e6} MHz)`,
          published: p.text,
          measured: c ? perDesign(r, (d) => (c.designs[d] ? fmtTime(usPerOp(r, c, d)) : null)) : "-",
        };
      });
      const vs = vmasCases(r);
      const lo = vs[0], hi = vs[vs.length - 1];
      // Machines 30 years apart differ in speed, not in how cost grows: the ratio to the smallest V compares.
      for (const { v, c } of vs.slice(1)) {
        const p = MAPLE_POINTS.find((x) => x.v === v)!;
        rows.push({
          measure: `growth: fork+exit+wait at V=${v} / at V=${lo.v}`,
          published: `${(p.us / MAPLE_POINTS[0].us).toFixed(1)}x`,
          measured: perDesign(r, (d) => {
            const a = usPerOp(r, lo.c, d), b = usPerOp(r, c, d);
            return a === null || b === null ? null : `${(b / a).toFixed(1)}x`;
          }),
        });
      }
      rows.push({
        measure: vs.length >= 2 ? `µs per extra area, V=${lo.v} to ${hi.v}` : "µs per extra area",
        published: `≈${MAPLE_SLOPE_US} µs`,
        measured: vs.length >= 2
          ? perDesign(r, (d) => {
            const a = usPerOp(r, lo.c, d), b = usPerOp(r, hi.c, d);
            return a === null || b === null ? null : `${((b - a) / (hi.v - lo.v)).toFixed(3)} µs`;
          })
          : "-",
      });
      const x = r.crossover;
      const range = `${MAPLE_POINTS[0].v}–${MAPLE_POINTS[MAPLE_POINTS.length - 1].v.toLocaleString("en-US")}`;
      let where = "-";
      if (x && x.estimate !== null) {
        const inside = x.estimate >= MAPLE_POINTS[0].v && x.estimate <= MAPLE_POINTS[MAPLE_POINTS.length - 1].v;
        where = `V≈${x.estimate} (${inside ? "inside" : "outside"} the published range ${range})`;
      } else if (x && x.firstSlower !== null) where = `vma slower already at V=${x.firstSlower}, below the published range ${range}`;
      else if (x && x.lastCheaper !== null) {
        const top = MAPLE_POINTS[MAPLE_POINTS.length - 1].v;
        where = `vma cheaper at every V measured, up to V=${x.lastCheaper}` + (x.lastCheaper >= top ? ` (no crossover inside the published range ${range})` : "");
      }
      rows.push({ measure: "where vma-driven fork stops beating the full walk (classic)", published: "- (Linux has no full walk since 1995)", measured: where });
      return rows;
    },
  },
  {
    id: "lazy-fork",
    title: "lazy page-table copy at fork for shared mappings",
    source: "Nick Piggin / Ray Bryant, Linux 2.6.14, 2005",
    reference:
      "Linux 2.6.14 (Oct 2005): copy_page_range skips areas without anonymous pages, faults fill their page tables " +
      "later (Nick Piggin's patch; Ray Bryant's report of forking a process with 100 MB of shared file mappings)",
    claim: "fork of a process with 100 MB of shared file mappings: 23 ms with the page tables copied, about 1 ms lazily",
    cases: ["fork_shmap mb=100"],
    designs: ["vma", "lazy"],
    measure: (r) => {
      const c = findCase(r, "fork_shmap mb=100");
      const tag = c ? `fork_shmap ${c.param}` : "fork_shmap";
      const vma = usPerOp(r, c, "vma"), lazy = usPerOp(r, c, "lazy");
      return [
        { measure: `${tag}: copied page tables (vma)`, published: "23 ms", measured: fmtTime(vma) },
        { measure: `${tag}: lazy`, published: "≈1 ms", measured: fmtTime(lazy) },
        { measure: `${tag}: vma / lazy`, published: "≈23x", measured: ratio(vma, lazy) },
      ];
    },
  },
  {
    id: "shared-page-tables",
    title: "shared page tables",
    source: "Daniel Phillips, Feb 2002; Dave McCracken, 2002–2005",
    reference:
      "Daniel Phillips, RFC \"Page table sharing\" (linux-kernel, Feb 2002), and Dave McCracken's shared page table " +
      "patches (2002–2005)",
    claim: "large gains only for big shared mappings; a few percent on ordinary workloads",
    cases: ["fork_shmap mb=100", "fork_exit -", "shell_spawn -"],
    designs: ["vma", "sharedpt"],
    measure: (r) => {
      const big = findCase(r, "fork_shmap mb=100");
      return [
        {
          measure: `${big ? `fork_shmap ${big.param}` : "fork_shmap"}: vma / sharedpt`,
          published: "large gain",
          measured: ratio(usPerOp(r, big, "vma"), usPerOp(r, big, "sharedpt")),
        },
        ...["fork_exit -", "shell_spawn -"].map((id) => {
          const c = findCase(r, id);
          return { measure: `${id.split(" ")[0]}: sharedpt vs vma (cost)`, published: "a few percent", measured: percent(usPerOp(r, c, "sharedpt"), usPerOp(r, c, "vma")) };
        }),
      ];
    },
  },
];

/** The published-results table as rows of cells; the first row is the header. */
export function publishedCells(r: SuiteResults): string[][] {
  const rows = [["result", "source", "measure", "published", "vmalab"]];
  for (const p of PUBLISHED) {
    // The result and its source on the first row of its group only.
    p.measure(r).forEach((row, i) => rows.push([i ? "" : p.title, i ? "" : p.source, row.measure, row.published, row.measured]));
  }
  return rows;
}
