// `vmalab diff-designs` and the page's design diff: runs one guest program
// under several memory-manager designs, each from the same fresh
// deterministic boot (system/guest-run.ts),
// and lines up what they did: every page fault the kernel handled (the
// monitor's fault tracer, per pid, aligned across the designs where they
// fault at the same address), the memory manager's counters and profile
// (kernel/mm/counters.ts) from the end of the boot to the program's exit, the
// first place where the designs part ways, and whether the program printed
// the same under each. The result is plain data: cli/diff-designs-format.ts
// prints it as text, or as JSON; web/components/diff-chart.ts draws it. Same
// image and argv, same result.

import { runGuest, type GuestRunOptions } from "./guest-run.ts";
import type { InitrdArchive } from "../kernel/boot.ts";
import { Errno } from "../kernel/errno.ts";
import { checkFrames } from "../kernel/mm/check.ts";
import { FAULT_DECISIONS } from "../kernel/mm/counters.ts";
import { MM_DESIGNS, type MmDesignName } from "../kernel/mm/design-names.ts";
import { Debugger } from "../emulator/gdb/debugger.ts";
import { FaultTracer, type FaultTraceEntry } from "../monitor/fault-trace.ts";
import type { VmalabSystem } from "./system.ts";

/** One page fault as the diff shows it: the fault tracer's entry without its sequence number, end cycle and frames. */
export type DiffFault = Omit<FaultTraceEntry, "seq" | "cycle" | "oldPfn" | "newPfn">;

/** One design's run of the program. */
export interface DesignRun {
  design: MmDesignName;
  /** init's wait status (exit code << 8, or the signal), or null when the run was cut short. */
  status: number | null;
  /** Why the run was cut short (guest time limit, waiting for input, a kernel panic), or null. */
  stopped: string | null;
  /** The program's console output, CR LF turned into LF. */
  output: string;
  /** Guest cycles from the end of the boot to the program's exit. */
  cycles: number;
  /** Counter deltas over the run (MmCounters.snapshot() names, faults as fault:<decision>). */
  counters: Record<string, number>;
  /** Kernel profile over the run: calls and inclusive cycles per function (copyMm:<design> as copyMm). */
  prof: Record<string, { calls: number; cycles: number }>;
  faults: DiffFault[];
  /** Free frames at the end of the boot and after the program exited. */
  freeFramesAtBoot: number;
  freeFramesAtExit: number;
  /** kernel/mm/check.ts's frame accounting violations after the run (empty: sound). */
  frameCheck: string[];
}

/** One line of the aligned fault table: the same fault (pid, address, read/write) under each design, or null where a design took none. */
export interface FaultRow {
  pid: number;
  address: number;
  write: boolean;
  /** Per design (the order of DesignDiff.designs): the index into that run's faults, or null. */
  faults: (number | null)[];
  /** Not every design took it, or they decided it differently (or saw another area). */
  differs: boolean;
}

/** One counter across the designs. */
export interface CounterRow {
  name: string;
  values: number[];
  differs: boolean;
}

/** One process's faults across the designs. */
export interface PidGroup {
  pid: number;
  /** The command name at its first fault (under the first design that has one). */
  comm: string;
  /** Rows of DesignDiff.rows, in order. */
  rows: FaultRow[];
  /** Faults per design. */
  counts: number[];
}

export interface DesignDiff {
  argv: string[];
  memorySize: number | null;
  designs: MmDesignName[];
  runs: DesignRun[];
  /** Every design's program output is the same, and so is its status. */
  outputsIdentical: boolean;
  statusesIdentical: boolean;
  /** The fault table, grouped by pid (ascending). */
  pids: PidGroup[];
  /** The first row where the designs part ways (in pid order), or null when every fault matches. */
  firstDivergence: { pid: number; row: number } | null;
  /** Counters (and profile cycles, as prof:<function>) any design moved, in a fixed order. */
  counters: CounterRow[];
}

/** The program cannot be compared (it does not start, an archive is bad); `message` is one line. */
export class DiffError extends Error {}

export interface DiffOptions {
  /** The built-in initramfs image. */
  initrd: Uint8Array;
  /** Designs to compare, in order (default: all four). */
  designs?: readonly MmDesignName[];
  memorySize?: number;
  /** More kernel command-line words (not mm=). */
  cmdline?: string;
  initrds?: InitrdArchive[];
  maxGuestSeconds?: number;
  /** Called with each design's freshly booted system before the program runs (tests). */
  onBoot?: GuestRunOptions["onBoot"];
}

/** Runs argv under one design and records its faults, counters and profile from the end of the boot to its exit. */
export function runDesign(design: MmDesignName, argv: string[], opts: DiffOptions): DesignRun {
  const faults: DiffFault[] = [];
  let counters0: Record<string, number> = {};
  let prof0 = new Map<string, { calls: number; cycles: number }>();
  let sysRef: VmalabSystem | null = null;
  let free0 = 0;
  let r;
  try {
    r = runGuest(design, argv, {
      initrd: opts.initrd,
      memorySize: opts.memorySize,
      cmdline: opts.cmdline,
      initrds: opts.initrds,
      maxGuestSeconds: opts.maxGuestSeconds,
      onBoot: (sys) => {
        sysRef = sys;
        const ctx = sys.kernel.mmctx;
        counters0 = ctx.counters.snapshot();
        prof0 = new Map([...ctx.prof.entries.values()].map((e) => [e.name, { calls: e.calls, cycles: e.cycles }]));
        free0 = ctx.frames.freeCount;
        const tracer = new FaultTracer(sys.machine, new Debugger(sys.machine), () => sys.kernel);
        tracer.attach();
        tracer.addSink((e) =>
          faults.push({ pid: e.pid, comm: e.comm, eip: e.eip, address: e.address, error: e.error, vma: e.vma, decision: e.decision, cycles: e.cycles }),
        );
        opts.onBoot?.(sys);
      },
    });
  } catch (e) {
    if ((e as Error)?.name !== "KernelPanic") throw e;
    // kernel/boot.ts's panic when init's execve fails (as `vmalab run` reports it)
    const noInit = /^No working init found \((.*): error (\d+)\)/.exec((e as Error).message);
    if (noInit) throw new DiffError(`cannot run '${noInit[1]}' in the guest: execve failed with ${Errno[Number(noInit[2])] ?? `error ${noInit[2]}`}`);
    throw new DiffError(`kernel panic under mm=${design}: ${(e as Error).message}`);
  }
  // An extra archive that did not unpack whole: as `vmalab run`, refuse rather than compare runs without it.
  const bad = r.kernelLog.find((line) => (opts.initrds ?? []).some((a) => line.startsWith(`initramfs ${a.name}: `)));
  if (bad) throw new DiffError(bad);
  const ctx = (sysRef as VmalabSystem | null)!.kernel.mmctx;
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.counters)) counters[k] = v - (counters0[k] ?? 0);
  const prof: DesignRun["prof"] = {};
  for (const e of ctx.prof.entries.values()) {
    const before = prof0.get(e.name) ?? { calls: 0, cycles: 0 };
    const name = e.name === ctx.design.copyProfName ? "copyMm" : e.name;
    if (e.calls - before.calls > 0) prof[name] = { calls: e.calls - before.calls, cycles: e.cycles - before.cycles };
  }
  let output = r.output;
  let stopped: string | null = null;
  const cut = r.status === null ? /\[bench\] ([^\n]*)\n$/.exec(output) : null;
  if (cut) {
    stopped = cut[1];
    output = output.slice(0, cut.index);
  }
  return {
    design,
    status: r.status,
    stopped,
    output: output.replace(/\r\n/g, "\n"),
    cycles: r.cycles,
    counters,
    prof,
    faults,
    freeFramesAtBoot: free0,
    freeFramesAtExit: ctx.frames.freeCount,
    frameCheck: checkFrames(ctx),
  };
}

/** The identity of a fault for lining designs up: where, and whether it was a write (present/not-present may differ). */
const faultKey = (f: DiffFault): string => `${f.address}:${f.error & 2}`;

/** A row still being built: its key and, per design, the fault index. */
interface Slot {
  key: string;
  faults: (number | null)[];
}

/** Above this many cells the middle of two sequences is lined up by position instead of by LCS. */
const LCS_LIMIT = 16_000_000;

/**
 * Lines up design j's faults (indices into its run, keys) with the rows built
 * so far: the longest common subsequence of keys, after trimming the common
 * head and tail; faults left over become rows of their own, where they fall.
 */
function mergeInto(rows: Slot[], j: number, nDesigns: number, items: { index: number; key: string }[]): Slot[] {
  const n = rows.length, m = items.length;
  let head = 0;
  while (head < n && head < m && rows[head].key === items[head].key) head++;
  let tail = 0;
  while (tail < n - head && tail < m - head && rows[n - 1 - tail].key === items[m - 1 - tail].key) tail++;
  const a = rows.slice(head, n - tail), b = items.slice(head, m - tail);
  const pairs: [number, number][] = []; // matched (row, item) in the middle
  if (a.length * b.length <= LCS_LIMIT) {
    const w = b.length + 1;
    const L = new Uint32Array((a.length + 1) * w);
    for (let x = a.length - 1; x >= 0; x--) {
      for (let y = b.length - 1; y >= 0; y--) {
        L[x * w + y] = a[x].key === b[y].key ? L[(x + 1) * w + y + 1] + 1 : Math.max(L[(x + 1) * w + y], L[x * w + y + 1]);
      }
    }
    for (let x = 0, y = 0; x < a.length && y < b.length; ) {
      if (a[x].key === b[y].key) pairs.push([x++, y++]);
      else if (L[(x + 1) * w + y] >= L[x * w + y + 1]) x++;
      else y++;
    }
  } else {
    for (let x = 0; x < Math.min(a.length, b.length); x++) if (a[x].key === b[x].key) pairs.push([x, x]);
  }
  const out: Slot[] = [];
  const put = (row: Slot, item: { index: number } | null) => {
    row.faults[j] = item ? item.index : null;
    out.push(row);
  };
  const fresh = (item: { index: number; key: string }) => {
    const row: Slot = { key: item.key, faults: new Array<number | null>(nDesigns).fill(null) };
    put(row, item);
  };
  for (let k = 0; k < head; k++) put(rows[k], items[k]);
  let x = 0, y = 0;
  for (const [px, py] of [...pairs, [a.length, b.length] as [number, number]]) {
    // rows before the match first, then the new faults: a design's extra fault goes after the others' unmatched ones
    while (x < px) put(a[x++], null);
    while (y < py) fresh(b[y++]);
    if (px < a.length) put(a[x++], b[y++]);
  }
  for (let k = 0; k < tail; k++) put(rows[n - tail + k], items[m - tail + k]);
  return out;
}

/** Counter names in the order the table shows them: page-table work first, then pages, faults, the rest. */
const COUNTER_ORDER = [
  "pdeVisits", "pteVisits", "tablesAllocated", "tablesFreed", "tablesShared", "tablesUnshared",
  "ptesCopied", "ptesZapped", "pagesReferenced", "pagesCopied", "pagesZeroed", "pagesAllocated", "pagesFreed",
  "tlbFlushPage", "tlbFlushAll", "forks", "exits", "execs", "majorFaults", "pswpin", "pswpout", "oomKills",
  ...FAULT_DECISIONS.map((d) => `fault:${d}`),
];
/** Kernel functions whose profile (cycles) the table shows. */
const PROF_ORDER = ["forkMm", "copyMm", "copyPageRange", "exitMm", "execMm", "zapPageRange", "handleMmFault", "doMmap", "doMunmap", "sysMprotect"];

/** Builds the comparison from finished runs (exported for tests that make runs of their own). */
export function compareRuns(argv: string[], runs: DesignRun[], memorySize: number | null = null): DesignDiff {
  const designs = runs.map((r) => r.design);
  const nd = runs.length;
  const pidSet = new Set<number>();
  for (const r of runs) for (const f of r.faults) pidSet.add(f.pid);
  const pids: PidGroup[] = [];
  let firstDivergence: DesignDiff["firstDivergence"] = null;
  for (const pid of [...pidSet].sort((p, q) => p - q)) {
    let slots: Slot[] = [];
    const counts: number[] = [];
    runs.forEach((r, j) => {
      const items = r.faults.flatMap((f, index) => (f.pid === pid ? [{ index, key: faultKey(f) }] : []));
      counts.push(items.length);
      slots = mergeInto(slots, j, nd, items);
    });
    const rows = slots.map((s): FaultRow => {
      const present = s.faults.map((i, j) => (i === null ? null : runs[j].faults[i]));
      const first = present.find((f) => f !== null)!;
      const differs = present.some((f) => f === null || f.decision !== first.decision || f.vma !== first.vma);
      return { pid, address: first.address, write: (first.error & 2) !== 0, faults: s.faults, differs };
    });
    const firstFault = runs.map((r) => r.faults.find((f) => f.pid === pid)).find((f) => f !== undefined)!;
    const diverge = rows.findIndex((row) => row.differs);
    if (firstDivergence === null && diverge >= 0) firstDivergence = { pid, row: diverge };
    pids.push({ pid, comm: firstFault.comm, rows, counts });
  }
  const counters: CounterRow[] = [];
  const names = [...COUNTER_ORDER, ...Object.keys(runs[0]?.counters ?? {}).filter((k) => !COUNTER_ORDER.includes(k))];
  for (const name of names) {
    const values = runs.map((r) => r.counters[name] ?? 0);
    if (values.every((v) => v === 0)) continue;
    counters.push({ name, values, differs: values.some((v) => v !== values[0]) });
  }
  const profNames = [...PROF_ORDER, ...[...new Set(runs.flatMap((r) => Object.keys(r.prof)))].filter((k) => !PROF_ORDER.includes(k)).sort()];
  for (const name of profNames) {
    const values = runs.map((r) => r.prof[name]?.cycles ?? 0);
    if (values.every((v) => v === 0)) continue;
    counters.push({ name: `prof:${name}`, values, differs: values.some((v) => v !== values[0]) });
  }
  const cycles = runs.map((r) => r.cycles);
  counters.push({ name: "guestCycles", values: cycles, differs: cycles.some((v) => v !== cycles[0]) });
  return {
    argv,
    memorySize,
    designs,
    runs,
    outputsIdentical: runs.every((r) => r.output === runs[0].output),
    statusesIdentical: runs.every((r) => r.status === runs[0].status && r.stopped === runs[0].stopped),
    pids,
    firstDivergence,
    counters,
  };
}

/** Runs argv under each design (default: all four) and compares the runs. Throws DiffError when the program cannot start. */
export function diffDesigns(argv: string[], opts: DiffOptions): DesignDiff {
  const designs = opts.designs ?? MM_DESIGNS;
  const runs = designs.map((d) => runDesign(d, argv, opts));
  return compareRuns(argv, runs, opts.memorySize ?? null);
}

/** How a run ended, in words: "exit 0", "killed by signal 11", "cut short: ...". */
export function statusText(r: DesignRun): string {
  if (r.status === null) return `cut short: ${r.stopped ?? "?"}`;
  const sig = r.status & 0x7f;
  return sig !== 0 ? `killed by signal ${sig}` : `exit ${(r.status >> 8) & 0xff}`;
}

/** COW faults of a run: the write faults on a present read-only page (copy, reuse, raw PFN copy). */
export function cowFaults(r: DesignRun): number {
  return (r.counters["fault:cow-copy"] ?? 0) + (r.counters["fault:cow-reuse"] ?? 0) + (r.counters["fault:pfn-cow"] ?? 0);
}
