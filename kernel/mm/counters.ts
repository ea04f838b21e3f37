// Per-operation counters of the memory manager (read by the benchmarks and
// the monitor) and a tiny profiler that charges guest cycles to kernel
// functions. Nothing here allocates on the hot path.

/** Decisions of the fault path, as the fault trace and the counters name them. */
export type FaultDecision =
  | "demand-zero" | "zero-page" | "cow-copy" | "cow-reuse" | "file-read" | "file-map" | "pfn-cow"
  | "stack-growth" | "spurious" | "swap-in" | "sigsegv" | "sigbus" | "oom";

export const FAULT_DECISIONS: readonly FaultDecision[] = [
  "demand-zero", "zero-page", "cow-copy", "cow-reuse", "file-read", "file-map", "pfn-cow",
  "stack-growth", "spurious", "swap-in", "sigsegv", "sigbus", "oom",
];

/** Counters; every field only grows. Use snapshot()/diff() to measure one operation. */
export class MmCounters {
  pdeVisits = 0;
  pteVisits = 0;
  tablesAllocated = 0;
  tablesFreed = 0;
  tablesShared = 0;
  tablesUnshared = 0;
  pagesReferenced = 0;
  pagesCopied = 0;
  pagesZeroed = 0;
  pagesAllocated = 0;
  pagesFreed = 0;
  ptesCopied = 0;
  ptesZapped = 0;
  tlbFlushPage = 0;
  tlbFlushAll = 0;
  forks = 0;
  exits = 0;
  execs = 0;
  /** Faults that had to read the page (file read, swap-in): Linux pgmajfault. */
  majorFaults = 0;
  /** Pages read from / written to the swap area (Linux pswpin / pswpout). */
  pswpin = 0;
  pswpout = 0;
  /** Processes killed by the OOM killer. */
  oomKills = 0;
  faults: Record<FaultDecision, number> = {
    "demand-zero": 0, "zero-page": 0, "cow-copy": 0, "cow-reuse": 0, "file-read": 0, "file-map": 0, "pfn-cow": 0,
    "stack-growth": 0, spurious: 0, "swap-in": 0, sigsegv: 0, sigbus: 0, oom: 0,
  };

  /** A plain copy of every counter (faults flattened as fault:<kind>). */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(this)) if (typeof v === "number") out[k] = v;
    for (const d of FAULT_DECISIONS) out[`fault:${d}`] = this.faults[d];
    return out;
  }

  /** Counter deltas since `before` (a snapshot()). */
  diff(before: Record<string, number>): Record<string, number> {
    const now = this.snapshot();
    const out: Record<string, number> = {};
    for (const k of Object.keys(now)) out[k] = now[k] - (before[k] ?? 0);
    return out;
  }
}

/** Per-function profile entry: calls and inclusive guest cycles. */
export interface ProfEntry {
  name: string;
  calls: number;
  cycles: number;
}

const MAX_DEPTH = 64;

/**
 * Kernel profiler: prof.enter("copyPageRange") ... prof.leave(). Cycles are
 * inclusive (a nested function's cycles also count for its caller).
 * cycles: the guest cycle counter (arch layer); tests may pass a fake.
 */
export class Profiler {
  readonly entries = new Map<string, ProfEntry>();
  private readonly stackEntry: (ProfEntry | null)[] = new Array(MAX_DEPTH).fill(null);
  private readonly stackStart = new Float64Array(MAX_DEPTH);
  private depth = 0;

  constructor(public cycles: () => number = () => 0) {}

  enter(name: string): void {
    let e = this.entries.get(name);
    if (!e) {
      e = { name, calls: 0, cycles: 0 };
      this.entries.set(name, e);
    }
    e.calls++;
    if (this.depth < MAX_DEPTH) {
      this.stackEntry[this.depth] = e;
      this.stackStart[this.depth] = this.cycles();
    }
    this.depth++;
  }

  leave(): void {
    if (this.depth === 0) return;
    this.depth--;
    if (this.depth < MAX_DEPTH) {
      const e = this.stackEntry[this.depth]!;
      e.cycles += this.cycles() - this.stackStart[this.depth];
      this.stackEntry[this.depth] = null;
    }
  }

  /** Entries sorted by cycles, highest first. */
  report(): ProfEntry[] {
    return [...this.entries.values()].sort((a, b) => b.cycles - a.cycles);
  }

  reset(): void {
    this.entries.clear();
    this.depth = 0;
  }
}
