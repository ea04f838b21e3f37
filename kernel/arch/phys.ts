// The boundary between the kernel and the machine for memory management:
// guest physical memory as the kernel sees it, and the TLB of the current
// address space. kernel/arch implements both over the emulator (charging guest
// cycles); the mm unit tests implement them over a plain Uint8Array.

/** Guest physical memory; every access charges guest cycles in the real implementation. */
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
}

/** TLB control for the CURRENT address space (the one CR3 points to). The mm layer decides when. */
export interface TlbControl {
  flushAll(): void;
  flushPage(va: number): void;
}
