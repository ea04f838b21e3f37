// Write watchpoints by page protection at the physical level: a watched frame
// is turned into an MMIO page whose handler performs every access on RAM
// itself and reports writes that touch a watched byte range. TLB entries that
// point at an armed frame lose their RAM bit (so the CPU's fast paths take the
// slow path through PhysicalMemory); they are not flushed, so stale entries
// stay exactly as stale as before. Disarming gives the frame back to RAM.

import { PageKind, type MmioHandler, type PhysicalMemory } from "../memory/physmem.ts";
import type { CPU } from "../cpu/cpu.ts";
import { Tlb } from "../cpu/mmu.ts";

/** A write that hit a watched physical range. */
export interface WatchHit {
  /** Physical address and size of the write. */
  pa: number;
  size: number;
}

export class WatchFrames {
  /** Armed frames (pfn) with how many watch ranges use each. */
  private readonly armed = new Map<number, number>();
  /** Watched physical ranges [start, end). */
  private ranges: { start: number; end: number }[] = [];
  private mmioIndex = -1;
  private mmioBase = 0;
  /** The first write that hit a watched range since the last take(); null if none. */
  hit: WatchHit | null = null;

  constructor(
    private readonly cpu: CPU,
    private readonly mem: PhysicalMemory,
  ) {}

  /** Sets the watched physical ranges (replacing the old set); arms and disarms frames to match. */
  setRanges(ranges: { start: number; end: number }[]): void {
    this.ranges = ranges;
    const want = new Set<number>();
    for (const r of ranges) for (let p = r.start >>> 12; p <= (r.end - 1) >>> 12; p++) want.add(p);
    for (const pfn of [...this.armed.keys()]) if (!want.has(pfn)) this.disarm(pfn);
    for (const pfn of want) if (!this.armed.has(pfn)) this.arm(pfn);
  }

  /**
   * The machine's memory state was replaced (a snapshot restored): forgets
   * what was armed without touching memory, whose page kinds are the restored
   * ones now; setRanges arms again from scratch.
   */
  forget(): void {
    this.armed.clear();
    this.mmioIndex = -1;
    this.hit = null;
  }

  /** Returns and clears the pending hit. */
  take(): WatchHit | null {
    const h = this.hit;
    this.hit = null;
    return h;
  }

  private arm(pfn: number): void {
    const mem = this.mem;
    if (pfn * 4096 >= mem.ramSize || mem.pageKind[pfn] !== PageKind.Ram) return; // only RAM can be watched
    if (this.mmioIndex < 0) {
      mem.mapMmio(pfn * 4096, 4096, this.handler());
      this.mmioIndex = mem.pageAux[pfn];
      this.mmioBase = pfn * 4096;
    } else {
      mem.pageKind[pfn] = PageKind.Mmio;
      mem.pageAux[pfn] = this.mmioIndex;
    }
    this.armed.set(pfn, 1);
    this.retag(pfn, false);
  }

  private disarm(pfn: number): void {
    this.mem.pageKind[pfn] = PageKind.Ram;
    this.armed.delete(pfn);
    this.retag(pfn, true);
  }

  /** Sets or clears Tlb.RAM in every cached translation to frame pfn (keeps the entries). */
  private retag(pfn: number, ram: boolean): void {
    const c = this.cpu;
    for (let i = 0; i < c.tlbCount; i++) {
      const lp = c.tlbList[i];
      const e = c.tlb[lp];
      if (e !== 0 && e >>> 12 === pfn) c.tlb[lp] = ram && pfn * 4096 < 0x8000_0000 ? e | Tlb.RAM : e & ~Tlb.RAM;
    }
    c.winLen = 0;
    c.ipEnd = 0;
  }

  private note(pa: number, size: number): void {
    if (this.hit) return;
    for (const r of this.ranges) {
      if (pa < r.end && pa + size > r.start) {
        this.hit = { pa, size };
        return;
      }
    }
  }

  private handler(): MmioHandler {
    const ram = this.mem.ram;
    const at = (offset: number): number => (this.mmioBase + offset) >>> 0;
    return {
      read8: (o) => ram[at(o)],
      read16: (o) => ram[at(o)] | (ram[at(o) + 1] << 8),
      read32: (o) => {
        const a = at(o);
        return ram[a] | (ram[a + 1] << 8) | (ram[a + 2] << 16) | (ram[a + 3] << 24);
      },
      write8: (o, v) => {
        ram[at(o)] = v;
        this.note(at(o), 1);
      },
      write16: (o, v) => {
        const a = at(o);
        ram[a] = v;
        ram[a + 1] = v >>> 8;
        this.note(a, 2);
      },
      write32: (o, v) => {
        const a = at(o);
        ram[a] = v;
        ram[a + 1] = v >>> 8;
        ram[a + 2] = v >>> 16;
        ram[a + 3] = v >>> 24;
        this.note(a, 4);
      },
    };
  }
}
