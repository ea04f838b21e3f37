// The suite's results as people and programs read them: one table (plain
// text for the terminal, Markdown for the README) and results.json.
// The SVG chart is drawn by chart.ts.

import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { MmDesignName } from "../kernel/mm/designs.ts";
import type { CaseResult, SuiteResults } from "./suite-result.ts";
import { PUBLISHED, publishedCells } from "./published.ts";

/** A per-op counter column: a header and how to read it from the counters. */
interface CounterColumn {
  header: string;
  value(counters: Record<string, number>): number;
}

const counter = (header: string, ...keys: string[]): CounterColumn => ({
  header,
  value: (c) => keys.reduce((s, k) => s + (c[k] ?? 0), 0),
});

/** The key counters shown per op, one column each (values of every design in the cell). */
export const COUNTER_COLUMNS: readonly CounterColumn[] = [
  counter("PDE visits", "pdeVisits"),
  counter("PTE visits", "pteVisits"),
  counter("PT alloc", "tablesAllocated"),
  counter("PT freed", "tablesFreed"),
  counter("PT shared", "tablesShared"),
  counter("PT unshared", "tablesUnshared"),
  counter("pages copied", "pagesCopied"),
  counter("flt zero", "fault:demand-zero"),
  counter("flt cow", "fault:cow-copy"),
  counter("flt reuse", "fault:cow-reuse"),
  counter("flt file", "fault:file-read", "fault:file-map"),
  counter("flt other", "fault:pfn-cow", "fault:stack-growth", "fault:spurious", "fault:sigsegv", "fault:sigbus", "fault:oom"),
];

/** A number for a table cell: integers as they are, small values with up to 2 decimals. */
export function fmtNum(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "-";
  if (Number.isInteger(x) || Math.abs(x) >= 100) return String(Math.round(x));
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return String(Number(x.toFixed(2)));
}

/** design / classic, or null when either is missing. */
export function ratioToClassic(c: CaseResult, d: MmDesignName): number | null {
  const base = c.designs.classic?.cyclesPerOp;
  const v = c.designs[d]?.cyclesPerOp;
  if (base === undefined || v === undefined || base === 0) return null;
  return v / base;
}

/** The table as rows of cells; the first row is the header. Designs in results.meta.designs order. */
export function tableCells(r: SuiteResults): string[][] {
  const ds = r.meta.designs;
  const others = ds.includes("classic") ? ds.filter((d) => d !== "classic") : [];
  const slash = ds.length > 1;
  const header = [
    "benchmark",
    ...ds.map((d) => `${d} cyc/op`),
    ...others.map((d) => `${d}/classic`),
    `host µs/op${slash ? " (emulated)" : ""}`,
    "native µs/op",
    ...COUNTER_COLUMNS.map((c) => c.header),
  ];
  const rows = [header];
  for (const c of r.cases) {
    const per = (f: (d: MmDesignName) => string): string => ds.map(f).join("/");
    const failed = (d: MmDesignName): boolean => c.designs[d] === undefined;
    const row = [
      c.id + (c.outputsIdentical === false ? " (OUTPUT DIFFERS)" : ""),
      ...ds.map((d) => (failed(d) ? "error" : fmtNum(c.designs[d]!.cyclesPerOp))),
      ...others.map((d) => {
        const x = ratioToClassic(c, d);
        return x === null ? "-" : x.toFixed(2);
      }),
      per((d) => (failed(d) ? "-" : fmtNum(c.designs[d]!.hostUsPerOp))),
      c.native?.usPerOp != null ? fmtNum(c.native.usPerOp) : "-",
      ...COUNTER_COLUMNS.map((col) => per((d) => (failed(d) ? "-" : fmtNum(col.value(c.designs[d]!.counters))))),
    ];
    rows.push(row);
  }
  return rows;
}

/** The memory.c rewrite's claim checked: vma against classic for the small fork+exit and fork+exec+exit cases. */
export function headline(r: SuiteResults): string[] {
  const out: string[] = [];
  for (const [program, what] of [["fork_exit", "fork+exit+wait"], ["fork_exec", "fork+execve+exit+wait"]] as const) {
    const c = r.cases.find((x) => x.program === program);
    const cl = c?.designs.classic?.cyclesPerOp, vm = c?.designs.vma?.cyclesPerOp;
    if (cl === undefined || vm === undefined) continue;
    out.push(
      `Headline ${what}: classic ${Math.round(cl)} vs vma ${Math.round(vm)} guest cycles per op, ` +
        `vma/classic = ${(vm / cl).toFixed(2)} (vma ${(cl / vm).toFixed(2)}x faster; the 1995 rewrite claims 3x to 4x).`,
    );
  }
  return out;
}

const visits = (c: Record<string, number>): number => (c.pdeVisits ?? 0) + (c.pteVisits ?? 0);

/**
 * Where the cycles of one op go under classic and vma (from the kernel
 * profiler), and what the measured cost per visited page-table entry is: the
 * counters' explanation of the ratio. One line per program (fork_exit, fork_exec).
 */
export function explainRatio(r: SuiteResults): string[] {
  const out: string[] = [];
  for (const program of ["fork_exit", "fork_exec"]) {
    const c = r.cases.find((x) => x.program === program);
    const cl = c?.designs.classic, vm = c?.designs.vma;
    if (!cl || !vm) continue;
    const part = (d: typeof cl): string => {
      const p = (name: string): number => Object.entries(d.prof).filter(([k]) => k === name || k.startsWith(`${name}:`)).reduce((s, [, v]) => s + v.cycles, 0);
      const copy = p("copyMm"), fork = p("forkMm"), teardown = p("exitMm") + p("execMm"), faults = p("handleMmFault");
      const rest = d.cyclesPerOp - fork - teardown - faults;
      return `${d.design} ${Math.round(d.cyclesPerOp)} = fork ${Math.round(fork)} (copyMm ${Math.round(copy)}) + exit/exec teardown ${Math.round(teardown)} + faults ${Math.round(faults)} + rest ${Math.round(rest)}`;
    };
    const vc = visits(cl.counters), vv = visits(vm.counters);
    const perVisit = (cl.cyclesPerOp - vm.cyclesPerOp) / (vc - vv);
    const common = vm.cyclesPerOp - perVisit * vv;
    const need = (ratio: number): string => (((ratio - 1) * common) / (vc - ratio * vv)).toFixed(1);
    out.push(
      `Where the cycles of ${program} go: ${part(cl)}; ${part(vm)}. The designs differ by ${vc - vv} visited PDEs+PTEs per op, ` +
        `at ${perVisit.toFixed(2)} cycles each; the other ${Math.round(common)} cycles are the same in both. ` +
        `vma would be 3x (4x) cheaper if a visited entry cost ${need(3)} (${need(4)}) cycles.`,
    );
  }
  return out;
}

/** Lines printed under the table: what the cells mean, the crossover, errors. */
export function tableNotes(r: SuiteResults): string[] {
  const ds = r.meta.designs;
  const notes: string[] = [];
  if (ds.length > 1) notes.push(`Cells with "/" give one value per design: ${ds.join("/")}.`);
  notes.push(
    "cyc/op: guest cycles per operation (66 MHz guest clock), from the machine's cycle counter, as the difference between " +
      "a measured run and a shorter baseline run divided by the difference in operations; counters are per operation the same way.",
  );
  notes.push("host µs/op: host time to emulate one operation (its guest cycles at the emulator's average speed over the measured run).");
  notes.push(
    r.meta.nativeNote
      ? `native µs/op: not measured (${r.meta.nativeNote}).`
      : "native µs/op: the same i386 binaries run directly on this host (best of 3, the program's own clock).",
  );
  notes.push(...headline(r), ...explainRatio(r));
  if (r.crossover) notes.push(`Crossover: ${r.crossover.summary}`);
  for (const c of r.cases) {
    for (const [d, msg] of Object.entries(c.errors)) notes.push(`ERROR ${c.id} under mm=${d}: ${msg.split("\n")[0]}`);
    if (c.outputsIdentical === false)
      notes.push(`OUTPUT DIFFERS ${c.id}: ${Object.entries(c.designs).map(([d, x]) => `${d}: ${x!.normalized}`).join(" | ")}`);
  }
  return notes;
}

const isNumeric = (s: string): boolean => /^[-\d./]+$/.test(s) && s !== "-";

/** Rows of cells as aligned plain text (numbers right-aligned), with a rule under the header. */
function alignText(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) =>
    row.map((cell, i) => (i > 0 && (isNumeric(cell) || cell === "-") ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines;
}

/** Lines under the published-results table: the full citations and how to read the figures. */
export function publishedNotes(r: SuiteResults): string[] {
  return [
    `Published figures are from other machines and kernels; compare ratios and slopes, not absolute times. vmalab's times are guest cycles at ${r.meta.cpuHz / 1e6} MHz per operation (cyc/op above).`,
    ...PUBLISHED.map((p) => `${p.title}: ${p.reference}. Published: ${p.claim}.`),
  ];
}

/** The table as aligned plain text (numbers right-aligned), then the published-results table. */
export function formatText(r: SuiteResults): string {
  return [...alignText(tableCells(r)), "", ...tableNotes(r), "", "Published results", "", ...alignText(publishedCells(r)), "", ...publishedNotes(r)].join("\n") + "\n";
}

const esc = (s: string): string => s.replace(/\|/g, "\\|");
function markdownTable(rows: string[][], align: (i: number) => string): string[] {
  return [
    `| ${rows[0].map(esc).join(" | ")} |`,
    `|${rows[0].map((_, i) => align(i)).join("|")}|`,
    ...rows.slice(1).map((row) => `| ${row.map(esc).join(" | ")} |`),
  ];
}

/** The table as GitHub Markdown, with the notes as a list below it, then the published-results table. */
export function formatMarkdown(r: SuiteResults): string {
  const out = [
    ...markdownTable(tableCells(r), (i) => (i === 0 ? "---" : "---:")),
    "",
    ...tableNotes(r).map((n) => `- ${n}`),
    "",
    "### Published results",
    "",
    ...markdownTable(publishedCells(r), () => "---"),
    "",
    ...publishedNotes(r).map((n) => `- ${n}`),
  ];
  return out.join("\n") + "\n";
}

/** Writes results as pretty JSON (creating the directory). */
export function writeResultsJson(path: string, r: SuiteResults): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(r, null, 2) + "\n");
}
