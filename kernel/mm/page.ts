// struct page for every guest physical frame, and the frame allocator.
// A frame is named by its page frame number (pfn = pa >> 12). The per-frame
// fields live in typed arrays indexed by pfn, so the hot paths allocate nothing.
//
// count:    references (one per page-table entry of a distinct page table,
//           one per page-cache slot, plus kernel pins); a frame is free at 0.
// mapcount: number of PTEs (in distinct page tables) that map the frame.
// pins:     the kernel's own references (kernel stacks, pgds, driver pages).

import { panic } from "../panic.ts";
import type { MmCounters } from "./counters.ts";
import { KernelWork } from "../arch/kernel-cost.ts";
import { PAGE_SIZE } from "./config.ts";

export const enum PG {
  RESERVED = 1 << 0, // below the allocator's range or outside RAM: never allocated, never counted
  ANON = 1 << 1, // anonymous page (mapping is an Anonmm, index va >> 12)
  PAGETABLE = 1 << 2, // a page table page (count = PDEs referencing it)
  PGD = 1 << 3, // a page directory
  DIRTY = 1 << 4,
  UPTODATE = 1 << 5,
  KERNEL = 1 << 6, // allocated by the kernel for itself (see pins)
  CACHE = 1 << 7, // in a page cache (mapping is an AddressSpace)
  STORE = 1 << 8, // holds ramfs/tmpfs file data: one reference from the file's store (store-frames.ts)
}

/** What a page's mapping field may point to: an AddressSpace or an AnonVma. */
export interface PageOwner {
  readonly kind: "file" | "anon";
  /** Called when a frame this owner still names is freed (anonmm reference counting). */
  pageFreed?(): void;
}

export class FrameAllocator {
  readonly nframes: number;
  readonly count: Int32Array;
  readonly mapcount: Int32Array;
  readonly pins: Int32Array;
  readonly flags: Uint16Array;
  /** Page index inside its mapping (file page index, or va >> 12 for anon). */
  readonly index: Int32Array;
  readonly mapping: (PageOwner | null)[];
  /** Frames the allocator manages: firstPfn .. nframes-1. */
  readonly firstPfn: number;
  readonly totalram: number;
  private readonly freeStack: Int32Array;
  private nfree = 0;

  /**
   * ramSize: bytes of guest RAM; reservedEnd: physical address below which
   * frames belong to the kernel image and boot structures (never allocated).
   */
  constructor(
    ramSize: number,
    reservedEnd: number,
    private readonly counters: MmCounters,
    /** Charges calibrated kernel work in guest cycles. */
    private readonly work: (cycles: number) => void = () => {},
  ) {
    this.nframes = Math.floor(ramSize / PAGE_SIZE);
    this.firstPfn = Math.ceil(reservedEnd / PAGE_SIZE);
    if (this.firstPfn >= this.nframes) panic("FrameAllocator: no RAM above the reserved region");
    const n = this.nframes;
    this.count = new Int32Array(n);
    this.mapcount = new Int32Array(n);
    this.pins = new Int32Array(n);
    this.flags = new Uint16Array(n);
    this.index = new Int32Array(n);
    this.mapping = new Array<PageOwner | null>(n).fill(null);
    this.freeStack = new Int32Array(n);
    for (let pfn = 0; pfn < this.firstPfn; pfn++) this.flags[pfn] = PG.RESERVED;
    // Push high frames first so the lowest frame is handed out first (deterministic).
    for (let pfn = n - 1; pfn >= this.firstPfn; pfn--) this.freeStack[this.nfree++] = pfn;
    this.totalram = n - this.firstPfn;
  }

  /** Number of free frames. */
  get freeCount(): number {
    return this.nfree;
  }

  /** True if pfn is a frame with a struct page the allocator manages. */
  isNormal(pfn: number): boolean {
    return pfn >= this.firstPfn && pfn < this.nframes && (this.flags[pfn] & PG.RESERVED) === 0;
  }

  /**
   * Takes a free frame: count 1, mapcount 0, the given flags. The frame's
   * contents are NOT cleared. Returns the pfn, or -1 when memory is exhausted.
   * The caller owns the single reference and drops it with putPage.
   */
  allocPage(flags = 0): number {
    if (this.nfree === 0) return -1;
    const pfn = this.freeStack[--this.nfree];
    if (this.count[pfn] !== 0) panic("allocPage: free frame in use");
    this.count[pfn] = 1;
    this.mapcount[pfn] = 0;
    this.flags[pfn] = flags;
    this.mapping[pfn] = null;
    this.index[pfn] = 0;
    this.counters.pagesAllocated++;
    this.work(KernelWork.PAGE_ALLOC);
    return pfn;
  }

  /** Takes one more reference to a frame in use. */
  getPage(pfn: number): void {
    if (this.count[pfn] <= 0) panic("getPage: frame not in use");
    this.count[pfn]++;
  }

  /** Drops one reference; the frame returns to the free list when the count reaches 0. */
  putPage(pfn: number): void {
    const c = --this.count[pfn];
    if (c > 0) {
      this.work(KernelWork.PAGE_PUT);
      return;
    }
    if (c < 0) panic(`putPage: frame ${pfn} count went negative`);
    if (this.mapcount[pfn] !== 0) panic(`putPage: frame ${pfn} freed while mapped`);
    if (this.pins[pfn] !== 0) panic(`putPage: frame ${pfn} freed while pinned`);
    this.freePage(pfn);
  }

  private freePage(pfn: number): void {
    const owner = this.mapping[pfn];
    this.flags[pfn] = 0;
    this.mapping[pfn] = null;
    owner?.pageFreed?.();
    this.freeStack[this.nfree++] = pfn;
    this.counters.pagesFreed++;
    this.work(KernelWork.PAGE_FREE);
  }

  /** Allocates a frame the kernel keeps for itself (one pin + one reference). -1 on exhaustion. */
  allocKernelPage(): number {
    const pfn = this.allocPage(PG.KERNEL);
    if (pfn >= 0) this.pins[pfn] = 1;
    return pfn;
  }

  /** Adds a kernel pin (and a reference) to a frame in use. */
  pinPage(pfn: number): void {
    this.getPage(pfn);
    this.pins[pfn]++;
  }

  /** Drops a kernel pin (and its reference). */
  unpinPage(pfn: number): void {
    if (this.pins[pfn] <= 0) panic("unpinPage: frame not pinned");
    this.pins[pfn]--;
    this.putPage(pfn);
  }

  /** True if the frame is on the free list. */
  isFree(pfn: number): boolean {
    return this.isNormal(pfn) && this.count[pfn] === 0;
  }
}
