// The memory manager's view of the machine and its global state: physical
// memory, the TLB, the frame allocator, counters, profiler, the chosen design,
// and the hooks the arch layer provides (which pgd is in CR3).

import type { PhysMem, TlbControl } from "../arch/phys.ts";
import { KernelWork } from "../arch/kernel-cost.ts";
import { MmCounters, Profiler, type FaultDecision } from "./counters.ts";
import { FrameAllocator } from "./page.ts";
import type { AddressSpace } from "./filemap.ts";
import type { Mm } from "./mm.ts";
import type { MmDesign } from "./designs.ts";
import type { VmArea } from "./vma.ts";
import { SwapArea } from "./swap.ts";
import type { Anonmm } from "./rmap.ts";
import { FrameFilePages } from "./store-frames.ts";
import { TLB_FLUSH_SINGLE_MAX } from "./config.ts";
import { panic } from "../panic.ts";

export interface MmHooks {
  /** Physical address of the page directory in CR3 now. */
  currentPgd(): number;
  /** Loads the kernel's master directory into CR3 (before the current pgd is freed). */
  activateKernelPgd(): void;
  /** Guest cycle counter for the profiler. */
  cycles?(): number;
}

/** The outcome of one page fault (one object reused for every fault: copy what you keep). */
export class FaultResult {
  decision: FaultDecision = "sigsegv";
  address = 0;
  write = false;
  user = false;
  vma: VmArea | null = null;
  /** Frame mapped before the fault (-1 if none) and after it (-1 if none). */
  oldPfn = -1;
  newPfn = -1;
  /** The fault had to read from the file (Linux VM_FAULT_MAJOR). */
  major = false;
}

export interface MmContextOptions {
  mem: PhysMem;
  tlb: TlbControl;
  ramSize: number;
  /** Physical memory below this is never allocated (kernel image, boot structures). */
  reservedEnd: number;
  /** Physical address of the master page directory (kernel PDEs 768..1023). */
  masterPgdPa: number;
  /** Physical address of a zero-filled frame below reservedEnd that nothing writes: the shared zero page. */
  zeroPagePa: number;
  design: MmDesign;
  hooks: MmHooks;
}

export class MmContext {
  /** Physical memory charged per access, for work not priced by a KernelWork unit. */
  readonly mem: PhysMem;
  /** The same memory inside priced work (walkers that charge KernelWork units): only cache fills cost. */
  readonly pmem: PhysMem;
  readonly tlb: TlbControl;
  readonly counters = new MmCounters();
  readonly prof: Profiler;
  readonly frames: FrameAllocator;
  readonly masterPgdPa: number;
  /** The shared zero page's frame (Linux ZERO_PAGE): not a normal page, never counted, never written. */
  readonly zeroPfn: number;
  readonly hooks: MmHooks;
  design: MmDesign;
  /** Every live page cache (for the self-check). */
  readonly mappings = new Set<AddressSpace>();
  /** Every live mm (for the self-check and the monitor). */
  readonly mms = new Set<Mm>();
  readonly fault = new FaultResult();
  /** The swap area (swap= on the command line; empty by default). */
  swap = new SwapArea(0);
  /** Optional observer of every fault (the monitor's trace). */
  onFault: ((r: FaultResult) => void) | null = null;
  /** Optional observer of fork's page-table copy, called just before (done false) and after the design's copyMm (monitor/fork-trace.ts). */
  onCopyMm: ((parent: Mm, child: Mm, done: boolean) => void) | null = null;
  /** Live anonmm bundle heads (rmap.ts; for the self-check and tests). */
  readonly anonmmHeads = new Set<Anonmm>();
  /** Next frame the reclaim clock hand looks at (vmscan.ts shrinkMemory). */
  reclaimHand: number;
  /** The file-page allocator ramfs and tmpfs keep their data in (store-frames.ts). */
  readonly filePages: FrameFilePages;
  /** PTEs of the parent that the fork in progress write-protected (its TLB must then be flushed). */
  forkWrprotected = 0;
  /** Pending single-page TLB flushes of the current zap/protect operation (memory.ts tlbRemember/tlbFinish, Linux's mmu_gather). */
  readonly tlbGatherVa = new Int32Array(TLB_FLUSH_SINGLE_MAX);
  /** How many flushes are pending; above TLB_FLUSH_SINGLE_MAX, one full flush. */
  tlbGatherCount = 0;

  constructor(o: MmContextOptions) {
    this.mem = o.mem;
    this.pmem = o.mem.priced;
    this.tlb = o.tlb;
    this.frames = new FrameAllocator(o.ramSize, o.reservedEnd, this.counters, (c) => o.mem.work(c));
    this.masterPgdPa = o.masterPgdPa;
    this.zeroPfn = o.zeroPagePa >>> 12;
    if (this.frames.isNormal(this.zeroPfn) || o.zeroPagePa & 0xfff) panic("MmContext: the zero page must be a reserved, aligned frame");
    this.hooks = o.hooks;
    this.design = o.design;
    this.prof = new Profiler(o.hooks.cycles ?? (() => 0));
    this.reclaimHand = this.frames.firstPfn;
    this.filePages = new FrameFilePages(this);
  }

  /** True if mm's page directory is the one in CR3 (only then do its TLB entries exist). */
  isCurrent(mm: Mm): boolean {
    return this.hooks.currentPgd() === mm.pgd;
  }

  /** Charges calibrated kernel work: `units` of a KernelWork cost. */
  work(cost: KernelWork, units = 1): void {
    this.mem.work(cost * units);
  }

  /** Invalidates one page's translation if mm is current. */
  flushTlbPage(mm: Mm, va: number): void {
    if (!this.isCurrent(mm)) return;
    this.counters.tlbFlushPage++;
    this.work(KernelWork.TLB_FLUSH_PAGE);
    this.tlb.flushPage(va);
  }

  /** Invalidates all user translations if mm is current. */
  flushTlbMm(mm: Mm): void {
    if (!this.isCurrent(mm)) return;
    this.counters.tlbFlushAll++;
    this.work(KernelWork.TLB_FLUSH_ALL);
    this.tlb.flushAll();
  }
}
