// Test harness for the mm layer: physical RAM as a Uint8Array, a simulated
// TLB that keeps stale entries until flushed (as the hardware does), and an
// MMU-like access() that walks the real page tables and calls handleMmFault
// when the hardware would fault.

import type { PhysMem, TlbControl } from "../../../kernel/arch/phys.ts";
import { MmContext } from "../../../kernel/mm/context.ts";
import { selectDesign, type MmDesignName } from "../../../kernel/mm/designs.ts";
import { handleMmFault } from "../../../kernel/mm/fault.ts";
import { AddressSpace, type FileBacking } from "../../../kernel/mm/filemap.ts";
import type { Mm } from "../../../kernel/mm/mm.ts";
import { newMm } from "../../../kernel/mm/memory.ts";
import type { FaultDecision } from "../../../kernel/mm/counters.ts";

export class RamPhys implements PhysMem {
  readonly ram: Uint8Array;
  private readonly dv: DataView;
  accesses = 0;
  constructor(size: number) {
    this.ram = new Uint8Array(size);
    this.dv = new DataView(this.ram.buffer);
  }
  read32(pa: number): number {
    this.accesses++;
    return this.dv.getUint32(pa, true);
  }
  write32(pa: number, v: number): void {
    this.accesses++;
    this.dv.setUint32(pa, v >>> 0, true);
  }
  read8(pa: number): number {
    this.accesses++;
    return this.ram[pa];
  }
  write8(pa: number, v: number): void {
    this.accesses++;
    this.ram[pa] = v;
  }
  readBytes(pa: number, len: number): Uint8Array {
    return this.ram.slice(pa, pa + len);
  }
  writeBytes(pa: number, data: Uint8Array): void {
    this.ram.set(data, pa);
  }
  copyPage(dst: number, src: number): void {
    this.ram.copyWithin(dst, src, src + 4096);
  }
  zeroPage(pa: number): void {
    this.ram.fill(0, pa, pa + 4096);
  }
  /** Accesses through `priced` are counted too (the tests count what the mm touches, not what it costs). */
  get priced(): PhysMem {
    return this;
  }
  /** Calibrated work charged by the mm, in guest cycles. */
  worked = 0;
  work(cycles: number): void {
    this.worked += cycles;
  }
}

interface TlbEntry {
  pa: number;
  rw: boolean;
  user: boolean;
  dirty: boolean;
}

/** A TLB that caches translations of the current address space until flushed. */
export class SimTlb implements TlbControl {
  readonly entries = new Map<number, TlbEntry>();
  flushAllCount = 0;
  flushPageCount = 0;
  flushAll(): void {
    this.flushAllCount++;
    this.entries.clear();
  }
  flushPage(va: number): void {
    this.flushPageCount++;
    this.entries.delete(va >>> 12);
  }
}

export const RAM_SIZE = 16 * 1024 * 1024;
export const MASTER_PGD = 0x1000;

export interface Harness {
  ctx: MmContext;
  phys: RamPhys;
  tlb: SimTlb;
  cr3: { value: number };
  /** Loads mm's pgd as CR3 (flushing the TLB, as a CR3 load does). */
  switchTo(mm: Mm | null): void;
  newMm(): Mm;
}

export function makeHarness(design: MmDesignName, ramSize = RAM_SIZE): Harness {
  const phys = new RamPhys(ramSize);
  // Master page directory: the kernel half maps RAM with 4 MiB pages.
  for (let i = 0; i < ramSize / 0x400000; i++) phys.write32(MASTER_PGD + (768 + i) * 4, (i * 0x400000) | 0x83);
  const tlb = new SimTlb();
  const cr3 = { value: MASTER_PGD };
  const ctx = new MmContext({
    mem: phys,
    tlb,
    ramSize,
    reservedEnd: 0x100000,
    masterPgdPa: MASTER_PGD,
    zeroPagePa: 0x8000,
    design: selectDesign(design),
    hooks: {
      currentPgd: () => cr3.value,
      activateKernelPgd: () => {
        cr3.value = MASTER_PGD;
        tlb.entries.clear();
      },
    },
  });
  return {
    ctx, phys, tlb, cr3,
    switchTo(mm) {
      cr3.value = mm ? mm.pgd : MASTER_PGD;
      tlb.entries.clear();
    },
    newMm() {
      const r = newMm(ctx);
      if (typeof r === "number") throw new Error("newMm failed");
      return r;
    },
  };
}

export type AccessResult = { pa: number; faults: FaultDecision[] } | { pa: -1; faults: FaultDecision[]; signal: FaultDecision };

/**
 * One user access to va in mm, as the MMU does it: TLB first (if mm is in
 * CR3), else a page walk setting A/D bits; a fault calls handleMmFault and
 * retries. Returns the physical address, or the signal decision.
 */
export function access(h: Harness, mm: Mm, va: number, write: boolean): AccessResult {
  const faults: FaultDecision[] = [];
  const current = h.cr3.value === mm.pgd;
  for (let attempt = 0; attempt < 4; attempt++) {
    if (current) {
      const e = h.tlb.entries.get(va >>> 12);
      if (e && e.user && (!write || e.rw) && (!write || e.dirty)) return { pa: e.pa + (va & 0xfff), faults };
    }
    const mem = h.phys;
    const pde = mem.read32(mm.pgd + (va >>> 22) * 4);
    let ok = false;
    let pte = 0, ptePa = 0;
    if (pde & 1 && pde & 4) {
      ptePa = (pde & 0xfffff000) + ((va >>> 12) & 1023) * 4;
      pte = mem.read32(ptePa);
      ok = (pte & 1) !== 0 && (pte & 4) !== 0 && (!write || (pte & 2) !== 0 && (pde & 2) !== 0);
    }
    if (ok) {
      const bits = 0x20 | (write ? 0x40 : 0);
      if ((pte & bits) !== bits) mem.write32(ptePa, (pte | bits) >>> 0);
      const pa = (pte & 0xfffff000) >>> 0;
      if (current) h.tlb.entries.set(va >>> 12, { pa, rw: (pte & 2) !== 0, user: true, dirty: write || (pte & 0x40) !== 0 });
      return { pa: pa + (va & 0xfff), faults };
    }
    const r = handleMmFault(mm, va, write, true);
    faults.push(r.decision);
    if (r.decision === "sigsegv" || r.decision === "sigbus" || r.decision === "oom") {
      return { pa: -1, faults, signal: r.decision };
    }
  }
  throw new Error(`access: fault loop at ${va.toString(16)}`);
}

export function write32U(h: Harness, mm: Mm, va: number, v: number): FaultDecision[] {
  const r = access(h, mm, va, true);
  if (r.pa < 0) throw new Error(`write32U ${va.toString(16)}: ${(r as { signal: string }).signal}`);
  h.phys.write32(r.pa, v);
  return r.faults;
}

export function read32U(h: Harness, mm: Mm, va: number): number {
  const r = access(h, mm, va, false);
  if (r.pa < 0) throw new Error(`read32U ${va.toString(16)}: ${(r as { signal: string }).signal}`);
  return h.phys.read32(r.pa);
}

/** The signal an access raises, or null if it succeeds. */
export function accessSignal(h: Harness, mm: Mm, va: number, write: boolean): FaultDecision | null {
  const r = access(h, mm, va, write);
  return r.pa < 0 ? (r as { signal: FaultDecision }).signal : null;
}

/** A file of the given bytes for mapping tests. */
export class MemFile implements FileBacking {
  readonly mapping: AddressSpace;
  reads = 0;
  constructor(ctx: MmContext, readonly data: Uint8Array) {
    this.mapping = new AddressSpace(ctx);
  }
  get size(): number {
    return this.data.length;
  }
  readPage(index: number, mem: { writeBytes(pa: number, d: Uint8Array): void }, pa: number): void {
    this.reads++;
    const chunk = this.data.subarray(index * 4096, Math.min(this.data.length, index * 4096 + 4096));
    mem.writeBytes(pa, chunk);
  }
}

/** [start, end, flags] of every area of mm, for exact comparisons. */
export function vmaList(mm: Mm): [number, number, number][] {
  return mm.vmas.map((v) => [v.vmStart, v.vmEnd, v.vmFlags]);
}

/** The frame a present PTE maps at va in mm, or -1. */
export function pfnAt(h: Harness, mm: Mm, va: number): number {
  const pde = h.phys.read32(mm.pgd + (va >>> 22) * 4);
  if (!(pde & 1)) return -1;
  const pte = h.phys.read32(((pde & 0xfffff000) >>> 0) + ((va >>> 12) & 1023) * 4);
  return pte & 1 ? pte >>> 12 : -1;
}
