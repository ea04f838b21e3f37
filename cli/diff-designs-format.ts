// Prints a `vmalab diff-designs` comparison (system/diff-designs.ts): the
// program's output (the same under every design, or where it is not), the
// first divergence, the page faults of each pid side by side, the page-table
// work, and a summary; or the whole comparison as one JSON object.

import { hex8 } from "../monitor/format.ts";
import { cowFaults, statusText, type DesignDiff, type DesignRun, type DiffFault, type FaultRow, type PidGroup } from "../system/diff-designs.ts";

/** Design names joined for a sentence. */
const names = (runs: DesignRun[]): string => runs.map((r) => r.design).join(", ");

const MAX_OUTPUT_LINES = 40;

function quoteOutput(text: string): string[] {
  if (text === "") return ["  (no output)"];
  const lines = text.replace(/\n$/, "").split("\n");
  const shown = lines.slice(0, MAX_OUTPUT_LINES).map((l) => `  | ${l}`);
  if (lines.length > MAX_OUTPUT_LINES) shown.push(`  | ... (${lines.length - MAX_OUTPUT_LINES} more lines)`);
  if (!text.endsWith("\n")) shown.push("  (no newline at the end)");
  return shown;
}

function outputSection(d: DesignDiff): string[] {
  const out: string[] = [];
  const runs = d.runs;
  if (d.outputsIdentical && d.statusesIdentical) {
    out.push(`program output: identical under all ${runs.length} designs (${statusText(runs[0])})`);
    out.push(...quoteOutput(runs[0].output));
    return out;
  }
  // designs grouped by what they printed and how they ended
  const groups = new Map<string, DesignRun[]>();
  for (const r of runs) {
    const k = JSON.stringify([r.output, statusText(r)]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const what = !d.outputsIdentical && !d.statusesIdentical ? "output and status" : d.outputsIdentical ? "status" : "output";
  out.push(`program output: NOT the same under every design (the ${what}; ${groups.size} versions)`);
  const split = [...groups.values()].map((g) => g[0].output.split("\n"));
  let line = 0;
  while (split.every((s) => s[line] === split[0][line])) line++;
  if (!d.outputsIdentical) out.push(`  first difference at line ${line + 1}:`);
  const width = Math.max(...[...groups.values()].map((g) => names(g).length)) + 1;
  for (const g of groups.values()) {
    const l = g[0].output.split("\n")[line];
    const shown = d.outputsIdentical ? "" : l === undefined ? " (output ended)" : ` ${l}`;
    out.push(`  ${(names(g) + ":").padEnd(width)}${shown}  [${statusText(g[0])}]`);
  }
  const oneLine = runs.every((r) => !r.output.replace(/\n$/, "").includes("\n"));
  if (!d.outputsIdentical && !oneLine) {
    for (const g of groups.values()) {
      out.push(`output under ${names(g)}:`);
      out.push(...quoteOutput(g[0].output));
    }
  }
  return out;
}

/** "file-map     812" in width characters for a fault, "-" for none. */
function cell(f: DiffFault | null, width: number): string {
  if (!f) return "-".padEnd(width);
  const c = String(f.cycles);
  return f.decision.padEnd(width - c.length - 1) + " " + c;
}

function rowFaults(d: DesignDiff, row: FaultRow): (DiffFault | null)[] {
  return row.faults.map((i, j) => (i === null ? null : d.runs[j].faults[i]));
}

/** The area column: the area hit, or every distinct area when the designs saw different ones. */
function areaText(fs: (DiffFault | null)[]): string {
  const areas = [...new Set(fs.filter((f) => f !== null).map((f) => f!.vma ?? "none"))];
  return areas.join(" | ");
}

/** Rows where design j did not take the same fault, the same way, as the first design. */
export function unlike(d: DesignDiff, j: number): number {
  let n = 0;
  for (const g of d.pids) {
    for (const row of g.rows) {
      const [a, b] = [row.faults[0], row.faults[j]];
      if (a === null || b === null) {
        if (a !== b) n++;
      } else if (d.runs[0].faults[a].decision !== d.runs[j].faults[b].decision) n++;
    }
  }
  return n;
}

function divergenceText(d: DesignDiff): string {
  const fd = d.firstDivergence;
  if (!fd) return `first divergence: none - every design took the same faults with the same decisions`;
  const g = d.pids.find((p) => p.pid === fd.pid)!;
  const row = g.rows[fd.row];
  const fs = rowFaults(d, row);
  const each = d.designs.map((name, j) => `${name} ${fs[j]?.decision ?? "no fault"}`).join(", ");
  return `first divergence: pid ${g.pid} (${g.comm}) fault row ${fd.row + 1}, ${hex8(row.address)} ${row.write ? "write" : "read"}` +
    ` in ${areaText(fs)}: ${each}`;
}

/** Column widths of the fault tables, the same for every pid. */
interface Widths {
  area: number;
  /** A design's cell without the gap after it. */
  inner: number;
  num: number;
}

function faultWidths(d: DesignDiff): Widths {
  const rows = d.pids.flatMap((g) => g.rows);
  return {
    area: Math.max(4, ...rows.map((row) => areaText(rowFaults(d, row)).length)),
    inner: Math.max(
      8,
      ...d.designs.map((n) => n.length),
      ...rows.flatMap((row) => rowFaults(d, row).map((f) => (f ? f.decision.length + 1 + String(f.cycles).length : 1))),
    ),
    num: Math.max(1, ...d.pids.map((g) => String(g.rows.length).length)),
  };
}

function pidSection(d: DesignDiff, g: PidGroup, w: Widths): string[] {
  const counts = d.designs.map((name, j) => `${name} ${g.counts[j]}`).join(", ");
  const out = [`pid ${g.pid} (${g.comm}): ${counts} faults`];
  const areas = g.rows.map((row) => areaText(rowFaults(d, row)));
  const { area: areaWidth, inner, num } = w;
  const cellWidth = inner + 3;
  out.push(`     ${"#".padStart(num)}  address   r/w  ${"area".padEnd(areaWidth)}  ${d.designs.map((n) => n.padEnd(cellWidth)).join("").trimEnd()}`);
  g.rows.forEach((row, i) => {
    const first = d.firstDivergence?.pid === g.pid && d.firstDivergence.row === i;
    const fs = rowFaults(d, row);
    const cyclesDiffer = fs.some((f) => f?.cycles !== fs[0]?.cycles);
    const mark = `${first ? ">" : " "}${row.differs ? "*" : cyclesDiffer ? "~" : " "}`;
    const cells = fs.map((f) => cell(f, inner).padEnd(cellWidth)).join("").trimEnd();
    out.push(`  ${mark} ${String(i + 1).padStart(num)}  ${hex8(row.address)}  ${row.write ? "W" : "R"}    ${areas[i].padEnd(areaWidth)}  ${cells}`);
  });
  return out;
}

/** A table of named rows, one column per design, a * before rows whose values are not all the same. */
function table(d: DesignDiff, rows: { name: string; values: string[]; differs: boolean }[]): string[] {
  const nameWidth = Math.max(...rows.map((r) => r.name.length));
  const width = Math.max(10, ...d.designs.map((n) => n.length), ...rows.flatMap((r) => r.values.map((v) => v.length))) + 2;
  const lines = [`    ${"".padEnd(nameWidth)}${d.designs.map((n) => n.padStart(width)).join("")}`];
  for (const r of rows) lines.push(`  ${r.differs ? "*" : " "} ${r.name.padEnd(nameWidth)}${r.values.map((v) => v.padStart(width)).join("")}`);
  return lines;
}

function summaryRows(d: DesignDiff): { name: string; values: string[]; differs: boolean }[] {
  const row = (name: string, f: (r: DesignRun, j: number) => string | number) => {
    const values = d.runs.map((r, j) => String(f(r, j)));
    return { name, values, differs: values.some((v) => v !== values[0]) };
  };
  const c = (name: string) => (r: DesignRun) => r.counters[name] ?? 0;
  const groups: string[] = [];
  const outputGroup = (r: DesignRun) => {
    let i = groups.indexOf(r.output);
    if (i < 0) i = groups.push(r.output) - 1;
    return d.outputsIdentical ? "same" : `#${i + 1}`;
  };
  const base = d.runs[0].cycles;
  return [
    row("status", (r) => statusText(r)),
    row("output", outputGroup),
    row("page faults", (r) => r.faults.length),
    { ...row(`faults unlike ${d.designs[0]}'s`, (_r, j) => (j === 0 ? "-" : unlike(d, j))), differs: false },
    row("COW faults", cowFaults),
    row("PDE visits", c("pdeVisits")),
    row("PTE visits", c("pteVisits")),
    row("page tables allocated", c("tablesAllocated")),
    row("page tables shared", c("tablesShared")),
    row("PTEs copied at fork", c("ptesCopied")),
    row("pages copied", c("pagesCopied")),
    row("guest cycles", (r) => r.cycles),
    { ...row(`cycles vs ${d.designs[0]}`, (r, j) => (j === 0 ? "-" : `${r.cycles >= base ? "+" : ""}${((100 * (r.cycles - base)) / base).toFixed(1)}%`)), differs: false },
    row("frame check", (r) => (r.frameCheck.length === 0 ? "ok" : `${r.frameCheck.length} bad`)),
  ];
}

/** The comparison as text. */
export function formatDiff(d: DesignDiff): string {
  const mem = d.memorySize ? `${d.memorySize / (1024 * 1024)}M RAM` : "128M RAM";
  const out: string[] = [];
  out.push(`diff-designs: ${d.argv.join(" ")} under ${d.designs.join(", ")} (${mem}, each from the same deterministic boot)`);
  out.push("");
  out.push(...outputSection(d));
  out.push("");
  out.push(divergenceText(d));
  out.push("");
  out.push("page faults per pid, in order: address, read/write, area, then each design's decision and the guest cycles");
  out.push(`the kernel spent on it ("-": no such fault; * the designs differ; ~ only in cycles; > the first divergence)`);
  const widths = faultWidths(d);
  for (const g of d.pids) out.push(...pidSection(d, g, widths));
  if (d.pids.length === 0) out.push("  (no page faults)");
  out.push("");
  out.push("page-table work from the end of the boot to the program's exit (kernel/mm/counters.ts;");
  out.push("fault:* counts faults by decision; prof:* guest cycles spent in that kernel function; * the designs differ)");
  out.push(...table(d, d.counters.map((c) => ({ name: c.name, values: c.values.map(String), differs: c.differs }))));
  out.push("");
  out.push("summary");
  out.push(...table(d, summaryRows(d)));
  for (const r of d.runs) {
    if (r.frameCheck.length > 0) out.push(`frame check under ${r.design}: ${r.frameCheck.slice(0, 5).join("; ")}`);
  }
  return out.join("\n") + "\n";
}

/** The comparison as one JSON object (addresses as 8-digit hex), for the web page's charts. */
export function diffToJson(d: DesignDiff): string {
  return JSON.stringify({
    argv: d.argv,
    memorySize: d.memorySize,
    designs: d.designs,
    outputsIdentical: d.outputsIdentical,
    statusesIdentical: d.statusesIdentical,
    firstDivergence: d.firstDivergence,
    runs: d.runs.map((r) => ({
      design: r.design, status: r.status, statusText: statusText(r), stopped: r.stopped, output: r.output, cycles: r.cycles,
      cowFaults: cowFaults(r), counters: r.counters, prof: r.prof,
      freeFramesAtBoot: r.freeFramesAtBoot, freeFramesAtExit: r.freeFramesAtExit, frameCheck: r.frameCheck,
      faults: r.faults.map((f) => ({ ...f, eip: f.eip === null ? null : hex8(f.eip), address: hex8(f.address) })),
    })),
    pids: d.pids.map((g) => ({
      pid: g.pid, comm: g.comm, counts: g.counts,
      rows: g.rows.map((row) => ({ address: hex8(row.address), write: row.write, differs: row.differs, faults: row.faults })),
    })),
    counters: d.counters,
    unlikeFirst: d.designs.map((_n, j) => (j === 0 ? 0 : unlike(d, j))),
  }) + "\n";
}
