// What one fork does to the page tables, entry by entry, as the kernel does
// it: the next fork after arm() is watched through two observers the kernel
// offers (MmContext.onCopyMm around the design's copyMm, and X86's view of
// every 32-bit physical access the kernel makes meanwhile), and each access
// to a page-table entry becomes an event: a parent PDE or PTE read (visited),
// a parent PTE that loses its write bit (write-protected for COW), a child
// PDE written with the parent's table (shared, sharedpt) or a new one, a child
// PTE written (copied). Then the page faults of the parent and the child
// that follow. The web page's fork picture animates the events; nothing here
// knows a design's algorithm, so the picture is the kernel's own work.
//
// Reading the tables for the picture goes straight to the machine's memory
// (no guest cycles): observing a fork does not change the run.

import type { Kernel } from "../kernel/kernel.ts";
import type { Mm } from "../kernel/mm/mm.ts";
import { FAULT_DECISIONS } from "../kernel/mm/counters.ts";
import type { PhysicalMemory } from "../emulator/memory/physmem.ts";
import { findTask } from "./kernel-view.ts";
import type { FaultTraceEntry, FaultTracer } from "./fault-trace.ts";

/** What an event did, by index (FORK_OP_NAMES). */
export const enum ForkOp {
  PdeVisit = 0,
  PteVisit = 1,
  PteCopy = 2,
  Wrprotect = 3,
  TableShare = 4,
  TableAlloc = 5,
}
export const FORK_OP_NAMES: readonly string[] = [
  "PDE visited", "PTE visited", "PTE copied to the child", "parent PTE write-protected", "page table shared with the child", "page table allocated for the child",
];

/** User PDEs (0..767: below 3 GiB). */
export const USER_PDES = 768;

/** A page table the fork read or wrote, with the parent's entries before it. */
export interface ForkTable {
  pdi: number;
  before: Uint32Array;
}

/** One fork, recorded. Events are in the kernel's order; pti is 0 for PDE events. */
export interface ForkTraceData {
  design: string;
  parentPid: number;
  comm: string;
  /** The child's pid (0 when no fault of it was seen to tell it). */
  childPid: number;
  /** The parent's user PDEs before the fork. */
  pdesBefore: Uint32Array;
  ops: Uint8Array;
  pdis: Uint16Array;
  ptis: Uint16Array;
  tables: ForkTable[];
  /** The page faults that followed, up to FAULTS_KEPT: 0 parent / 1 child, the address, the decision (FAULT_DECISIONS index). */
  faultWho: Uint8Array;
  faultAddrs: Uint32Array;
  faultDecisions: Uint8Array;
  /** The kernel's counters over the copy (MmCounters.diff names). */
  counters: Record<string, number>;
}

const FAULTS_KEPT = 512;

/** Records the next fork of a kernel, and the faults after it until detach. */
export class ForkTracer {
  private parent: Mm | null = null;
  private child: Mm | null = null;
  private readonly ops: number[] = [];
  private readonly pdis: number[] = [];
  private readonly ptis: number[] = [];
  private readonly parentTables = new Map<number, number>();
  private readonly childTables = new Map<number, number>();
  private readonly tables = new Map<number, ForkTable>();
  private readonly faults: { who: number; address: number; decision: number }[] = [];
  private pdesBefore = new Uint32Array(USER_PDES);
  private counters0: Record<string, number> = {};
  private counters: Record<string, number> | null = null;
  private comm = "";
  private parentPid = 0;
  private childPid = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly mem: PhysicalMemory,
    private readonly faultTracer: FaultTracer,
  ) {}

  /** Watches the next fork (and the faults after it). */
  arm(): void {
    this.kernel.mmctx.onCopyMm = (parent, child, done) => (done ? this.end() : this.begin(parent, child));
    this.faultTracer.attach();
    this.faultTracer.addSink(this.onFault);
  }

  /** Stops watching (what was seen stays). */
  detach(): void {
    this.kernel.mmctx.onCopyMm = null;
    this.kernel.x86.observeKernelAccesses(null);
    this.faultTracer.removeSink(this.onFault);
  }

  private begin(parent: Mm, child: Mm): void {
    this.parent = parent;
    this.child = child;
    const cur = this.kernel.current;
    this.parentPid = cur.pid;
    this.comm = cur.comm;
    for (let i = 0; i < USER_PDES; i++) {
      const pde = this.mem.read32(parent.pgd + i * 4) >>> 0;
      this.pdesBefore[i] = pde;
      if (pde & 1 && !(pde & 0x80)) this.parentTables.set(pde & ~0xfff, i);
    }
    this.counters0 = this.kernel.mmctx.counters.snapshot();
    this.kernel.x86.observeKernelAccesses(this.onAccess);
  }

  private end(): void {
    this.kernel.x86.observeKernelAccesses(null);
    this.kernel.mmctx.onCopyMm = null;
    this.counters = this.kernel.mmctx.counters.diff(this.counters0);
  }

  private readonly onAccess = (pa: number, v: number, write: boolean): void => {
    const frame = pa & ~0xfff;
    const off = (pa & 0xfff) >>> 2;
    const parent = this.parent!, child = this.child!;
    if (frame === parent.pgd) {
      if (!write && off < USER_PDES) this.event(ForkOp.PdeVisit, off, 0);
      return;
    }
    const p = this.parentTables.get(frame);
    if (p !== undefined) {
      const before = this.table(p).before[off];
      if (!write) this.event(ForkOp.PteVisit, p, off);
      else if (before & 2 && !(v & 2)) this.event(ForkOp.Wrprotect, p, off);
      return;
    }
    if (frame === child.pgd) {
      if (write && off < USER_PDES && v & 1) {
        const shared = (v & ~0xfff) === (this.pdesBefore[off] & ~0xfff);
        if (!shared) this.childTables.set(v & ~0xfff, off);
        this.event(shared ? ForkOp.TableShare : ForkOp.TableAlloc, off, 0);
      }
      return;
    }
    const c = this.childTables.get(frame);
    if (c !== undefined && write && v !== 0) {
      this.table(c);
      this.event(ForkOp.PteCopy, c, off);
    }
  };

  private event(op: ForkOp, pdi: number, pti: number): void {
    this.ops.push(op);
    this.pdis.push(pdi);
    this.ptis.push(pti);
  }

  /** The table of PDE pdi as the parent had it before the fork (read once). */
  private table(pdi: number): ForkTable {
    let t = this.tables.get(pdi);
    if (!t) {
      const before = new Uint32Array(1024);
      const pde = this.pdesBefore[pdi];
      if (pde & 1) for (let i = 0; i < 1024; i++) before[i] = this.mem.read32((pde & ~0xfff) + i * 4) >>> 0;
      t = { pdi, before };
      this.tables.set(pdi, t);
    }
    return t;
  }

  private readonly onFault = (e: FaultTraceEntry): void => {
    if (!this.counters || this.faults.length >= FAULTS_KEPT) return;
    const t = findTask(this.kernel, e.pid);
    const who = t?.mm === this.parent ? 0 : t?.mm === this.child ? 1 : -1;
    if (who < 0) return;
    if (who === 1) this.childPid = e.pid;
    const pdi = e.address >>> 22;
    if (pdi < USER_PDES) this.table(pdi);
    this.faults.push({ who, address: e.address, decision: FAULT_DECISIONS.indexOf(e.decision) });
  };

  /** The fork seen, once its copy is done (null before). */
  data(): ForkTraceData | null {
    const counters = this.counters;
    if (!counters) return null;
    return {
      design: this.kernel.mmctx.design.name,
      parentPid: this.parentPid,
      comm: this.comm,
      childPid: this.childPid,
      pdesBefore: this.pdesBefore,
      ops: Uint8Array.from(this.ops),
      pdis: Uint16Array.from(this.pdis),
      ptis: Uint16Array.from(this.ptis),
      tables: [...this.tables.values()].sort((a, b) => a.pdi - b.pdi),
      faultWho: Uint8Array.from(this.faults, (f) => f.who),
      faultAddrs: Uint32Array.from(this.faults, (f) => f.address),
      faultDecisions: Uint8Array.from(this.faults, (f) => f.decision),
      counters,
    };
  }
}
