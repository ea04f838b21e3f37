// The boundary between the kernel and the machine for memory management:
// guest physical memory as the kernel sees it, and the TLB of the current
// address space. kernel/arch implements both over the emulator (charging guest
// cycles); the mm unit tests implement them over a plain Uint8Array.

/**
 * Guest physical memory. In the real implementation every access charges
 * guest cycles: one per access (a MOV that hits the cache) plus a line fill
 * when the 486 cache model misses; page clears and copies charge their
 * calibrated cost (kernel/arch/kernel-cost.ts).
 */
export interface PhysMem {
  read32(pa: number): number;
  write32(pa: number, v: number): void;
  read8(pa: number): number;
  write8(pa: number, v: number): void;
  readBytes(pa: number, len: number): Uint8Array;
  writeBytes(pa: number, data: Uint8Array): void;
  /** Copies one 4 KiB frame. */
  copyPage(dstPa: number, srcPa: number): void;
  /** Clears one 4 KiB frame. */
  zeroPage(pa: number): void;
  /**
   * The same memory for work whose instructions are charged as calibrated
   * units through work(): its accesses cost only the cache model's line fills.
   */
  readonly priced: PhysMem;
  /** Charges guest cycles of calibrated kernel work (a KernelWork unit, or a multiple of one). */
  work(cycles: number): void;
}

/** TLB control for the CURRENT address space (the one CR3 points to). The mm layer decides when. */
export interface TlbControl {
  flushAll(): void;
  flushPage(va: number): void;
}
