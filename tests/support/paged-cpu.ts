// Test helper: turns paging on for a CPU built by tests/cpu/setup.ts's makeCpu, with
// one page table that identity-maps the first 4 MiB (so code, data and stack keep
// their physical addresses) and a fixed place for the tables tests poke at.

import { CPU, CR0 } from "../../emulator/cpu/cpu.ts";

/** Physical address of the page directory. */
export const PD = 0x10000;
/** Physical address of the page table that maps linear 0..4 MiB (PDE 0). */
export const PT = 0x11000;

export interface PagingOptions {
  /** Replacement entries by page number (0..1023); the rest are (page << 12) | P | RW. */
  pte?: Record<number, number>;
  /** Set CR0.WP (supervisor writes honour read-only pages); default true. */
  wp?: boolean;
}

/**
 * Writes PD and PT (supervisor, read-write identity map of 0..4 MiB, `o.pte` overriding
 * single entries), loads CR3, sets CR0.PG (and WP unless o.wp is false), flushes the
 * TLB and refreshes the CPU's mode. Returns `cpu`.
 */
export function identityPaging(cpu: CPU, o: PagingOptions = {}): CPU {
  const m = cpu.mem;
  m.write32(PD, PT | 3);
  for (let i = 0; i < 1024; i++) m.write32(PT + i * 4, o.pte?.[i] ?? ((i << 12) | 3));
  cpu.cr3 = PD;
  cpu.cr0 |= CR0.PG | (o.wp === false ? 0 : CR0.WP);
  cpu.flushTlb();
  cpu.onModeChange();
  return cpu;
}
