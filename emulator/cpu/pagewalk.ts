// A side-effect-free software walk of the i386 page tables, as the MMU would
// do it (two levels, 4 MiB pages when CR4.PSE), but setting no A/D bits and
// charging no cycles: CPU.physAddrDebug, the monitor and the gdb stub use it.

import type { PhysicalMemory } from "../memory/physmem.ts";
import { CR4 } from "./defs.ts";


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
  if ((pde & 0x80) !== 0 && (cr4 & CR4.PSE) !== 0) {
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
