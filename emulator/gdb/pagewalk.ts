// A side-effect-free software walk of the i386 page tables, as the MMU would
// do it (two levels, 4 MiB pages when CR4.PSE), but setting no A/D bits and
// charging no cycles. The monitor and the gdb stub read guest memory with it.

import type { PhysicalMemory } from "../memory/physmem.ts";
import type { CPU } from "../cpu/cpu.ts";

const CR0_PG = 0x8000_0000;
const CR4_PSE = 0x10;

/** The result of walking one linear address (all fields unsigned). */
export interface Walk {
  /** Physical address of the PDE, its value. */
  pdeAddr: number;
  pde: number;
  /** Physical address of the PTE and its value; -1 for 4 MiB pages or when the PDE is not present. */
  pteAddr: number;
  pte: number;
  /** True when the translation is present; then `phys` is the physical address. */
  present: boolean;
  phys: number;
  /** Effective permissions of both levels. */
  user: boolean;
  writable: boolean;
  /** A 4 MiB page (PDE.PS with CR4.PSE). */
  large: boolean;
}

/**
 * Walks `lin` through the page directory at `cr3` (paging enabled) and returns
 * what the MMU would find. Never faults, never writes. Allocates one object.
 */
export function walkPageTables(mem: PhysicalMemory, cr3: number, cr4: number, lin: number): Walk {
  lin >>>= 0;
  const pdeAddr = ((cr3 & ~0xfff) >>> 0) + (lin >>> 22) * 4;
  const pde = mem.read32(pdeAddr) >>> 0;
  const w: Walk = { pdeAddr, pde, pteAddr: -1, pte: 0, present: false, phys: 0, user: false, writable: false, large: false };
  if ((pde & 1) === 0) return w;
  if ((pde & 0x80) !== 0 && (cr4 & CR4_PSE) !== 0) {
    w.large = true;
    w.present = true;
    w.phys = ((pde & 0xffc0_0000) >>> 0) + (lin & 0x3f_ffff);
    w.user = (pde & 4) !== 0;
    w.writable = (pde & 2) !== 0;
    return w;
  }
  w.pteAddr = ((pde & ~0xfff) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
  w.pte = mem.read32(w.pteAddr) >>> 0;
  if ((w.pte & 1) === 0) return w;
  w.present = true;
  w.phys = ((w.pte & ~0xfff) >>> 0) + (lin & 0xfff);
  w.user = (pde & w.pte & 4) !== 0;
  w.writable = (pde & w.pte & 2) !== 0;
  return w;
}

/** Physical address of linear `lin` for the CPU's current CR3 (identity with paging off), or -1 when unmapped. */
export function linearToPhys(cpu: CPU, lin: number): number {
  lin >>>= 0;
  if ((cpu.cr0 & CR0_PG) === 0) return lin;
  const mem = cpu.mem;
  const pde = mem.read32(((cpu.cr3 & ~0xfff) >>> 0) + (lin >>> 22) * 4);
  if ((pde & 1) === 0) return -1;
  if ((pde & 0x80) !== 0 && (cpu.cr4 & CR4_PSE) !== 0) return ((pde & 0xffc0_0000) >>> 0) + (lin & 0x3f_ffff);
  const pte = mem.read32(((pde & ~0xfff) >>> 0) + ((lin >>> 12) & 0x3ff) * 4);
  if ((pte & 1) === 0) return -1;
  return ((pte & ~0xfff) >>> 0) + (lin & 0xfff);
}

/** Reads `len` bytes at linear `lin` via the current page tables; null if any byte is unmapped. */
export function readLinear(cpu: CPU, lin: number, len: number): Uint8Array | null {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; ) {
    const a = (lin + i) >>> 0;
    const pa = linearToPhys(cpu, a);
    if (pa < 0) return null;
    const n = Math.min(len - i, 4096 - (a & 0xfff));
    for (let k = 0; k < n; k++) out[i + k] = cpu.mem.read8(pa + k);
    i += n;
  }
  return out;
}

/** Writes bytes at linear `lin` via the current page tables (ignoring R/W); false if any page is unmapped (nothing written then). */
export function writeLinear(cpu: CPU, lin: number, data: Uint8Array): boolean {
  const pas: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const pa = linearToPhys(cpu, (lin + i) >>> 0);
    if (pa < 0) return false;
    pas.push(pa);
  }
  for (let i = 0; i < data.length; i++) cpu.mem.write8(pas[i], data[i]);
  return true;
}

/** "P W U A D ..." decoding of PDE/PTE bits, e.g. "P RW U A D". */
export function decodePteBits(v: number, isPde: boolean): string {
  const parts: string[] = [];
  parts.push(v & 1 ? "P" : "-");
  parts.push(v & 2 ? "RW" : "RO");
  parts.push(v & 4 ? "U" : "S");
  if (v & 8) parts.push("PWT");
  if (v & 0x10) parts.push("PCD");
  if (v & 0x20) parts.push("A");
  if (v & 0x40) parts.push("D");
  if (v & 0x80) parts.push(isPde ? "PS" : "PAT");
  if (v & 0x100) parts.push("G");
  const avail = (v >>> 9) & 7;
  if (avail) parts.push(`AVL=${avail}`);
  return parts.join(" ");
}
