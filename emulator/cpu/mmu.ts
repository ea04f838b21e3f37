// Paging and the TLB, as the 80386/486 manuals describe them.
//
// The TLB is an Int32Array with one slot per 4 KiB linear page. A filled slot holds
// the physical page address (bits 31..12) and Tlb permission bits; 0 is empty. The
// core's fast paths test `(entry & mask) === mask` with a mask for the access kind
// and CPL (cpu.rmask / cpu.wmask), so a hit costs one load and one compare. Entries
// stay until INVLPG, a CR3 load or a paging-control change flushes them, exactly as
// stale as hardware's; when the fill list overflows the whole TLB is dropped (an
// eviction, which hardware may also do at any time). With paging off the slots hold
// identity translations, so the fast paths never test CR0.PG.

import type { CPU } from "./cpu.ts";
import { CR0, CR4, TLB_LIST, Vec } from "./defs.ts";
import { PageKind } from "../memory/physmem.ts";

export const enum Tlb {
  V = 1, // valid
  UR = 2, // user may read
  UW = 4, // user may write
  SW = 8, // supervisor may write
  D = 16, // dirty bit already set in the PTE (4 MiB: PDE): writes need no walk
  RAM = 32, // plain RAM below 2 GiB: the fast paths may index cpu.ram directly
  NC = 64, // the physical page holds no decoded code (icache.ts): fast writes need no invalidation
}

/** Guest cycles charged for one two-level page walk (TLB miss with paging on). */
export const WALK_CYCLES = 8;

/**
 * Translates linear address `lin` for a read or write at user or supervisor privilege.
 * Returns the physical address (unsigned). On a violation sets CR2, drops the TLB slot
 * and faults #PF with error code P (protection) | W | U. A cached entry that forbids the
 * access faults without a walk (hardware uses its TLB); a write to a clean page walks
 * again to set D.
 */
export function translate(c: CPU, lin: number, write: boolean, user: boolean): number {
  const page = lin >>> 12;
  const e = c.tlb[page];
  if (e !== 0) {
    const need = write ? (user ? Tlb.UW : Tlb.SW) : user ? Tlb.UR : 0;
    if ((e & need) !== need) pageFault(c, lin, 1 | (write ? 2 : 0) | (user ? 4 : 0));
    if (!write || (e & Tlb.D) !== 0) return (e >>> 12) * 4096 + (lin & 0xfff);
  }
  return walk(c, lin, write, user);
}

function pageFault(c: CPU, lin: number, code: number): never {
  c.cr2 = lin | 0;
  c.tlb[lin >>> 12] = 0;
  return c.fault(Vec.PF, code);
}

function ramBit(c: CPU, phys: number): number {
  const mem = c.mem;
  if (phys < mem.ramSize && phys < 0x8000_0000 && mem.pageKind[phys >>> 12] === PageKind.Ram) {
    return mem.codePages[phys >>> 12] === 0 ? Tlb.RAM | Tlb.NC : Tlb.RAM;
  }
  return 0;
}

function fill(c: CPU, page: number, entry: number): void {
  if (c.tlb[page] === 0) {
    if (c.tlbCount >= TLB_LIST) flushAll(c);
    c.tlbList[c.tlbCount++] = page;
  }
  c.tlb[page] = entry;
}

/** Walks the page tables for `lin` (or makes the identity entry with paging off), fills the TLB. */
function walk(c: CPU, lin: number, write: boolean, user: boolean): number {
  const page = lin >>> 12;
  if ((c.cr0 & CR0.PG) === 0) {
    const phys = page * 4096;
    fill(c, page, (phys | Tlb.V | Tlb.UR | Tlb.UW | Tlb.SW | Tlb.D | ramBit(c, phys)) | 0);
    return lin >>> 0;
  }
  c.cyc += WALK_CYCLES;
  const mem = c.mem;
  const err = (write ? 2 : 0) | (user ? 4 : 0);
  const pdeAddr = ((c.cr3 & ~0xfff) >>> 0) + (lin >>> 22) * 4;
  const pde = mem.read32(pdeAddr);
  if ((pde & 1) === 0) pageFault(c, lin, err);
  const wp = (c.cr0 & CR0.WP) !== 0;
  let frame: number;
  let ok: number; // U/S and R/W of both levels
  let dirty: number;
  if ((pde & 0x80) !== 0 && (c.cr4 & CR4.PSE) !== 0) {
    ok = pde;
    checkAccess(c, lin, ok, write, user, wp, err);
    const npde = pde | 0x20 | (write ? 0x40 : 0);
    if (npde !== pde) mem.write32(pdeAddr, npde);
    frame = ((pde & 0xffc0_0000) >>> 0) + (lin & 0x003f_f000);
    dirty = npde & 0x40;
  } else {
    const pteAddr = ((pde & ~0xfff) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
    const pte = mem.read32(pteAddr);
    if ((pte & 1) === 0) pageFault(c, lin, err);
    ok = pde & pte;
    checkAccess(c, lin, ok, write, user, wp, err);
    if ((pde & 0x20) === 0) mem.write32(pdeAddr, pde | 0x20);
    const npte = pte | 0x20 | (write ? 0x40 : 0);
    if (npte !== pte) mem.write32(pteAddr, npte);
    frame = (pte & ~0xfff) >>> 0;
    dirty = npte & 0x40;
  }
  const us = (ok & 4) !== 0;
  const rw = (ok & 2) !== 0;
  const bits =
    Tlb.V | (us ? Tlb.UR : 0) | (us && rw ? Tlb.UW : 0) | (rw || !wp ? Tlb.SW : 0) | (dirty !== 0 ? Tlb.D : 0) |
    ramBit(c, frame);
  fill(c, page, (frame | bits) | 0);
  return frame + (lin & 0xfff);
}

function checkAccess(c: CPU, lin: number, ok: number, write: boolean, user: boolean, wp: boolean, err: number): void {
  if (user) {
    if ((ok & 4) === 0 || (write && (ok & 2) === 0)) pageFault(c, lin, err | 1);
  } else if (write && wp && (ok & 2) === 0) {
    pageFault(c, lin, err | 1);
  }
}

/** Empties the TLB (cost proportional to the slots filled since the last flush). */
export function flushAll(c: CPU): void {
  const t = c.tlb;
  const l = c.tlbList;
  for (let i = 0, n = c.tlbCount; i < n; i++) t[l[i]] = 0;
  c.tlbCount = 0;
  c.winLen = 0;
  c.ipEnd = 0;
}

/** Drops the slot of one linear page (INVLPG). */
export function flushPage(c: CPU, lin: number): void {
  c.tlb[lin >>> 12] = 0;
  c.winLen = 0;
  c.ipEnd = 0;
}

/** Enumerates the filled slots: [linear page number, physical page number, Tlb bits]. */
export function* listTlb(c: CPU): Iterable<[number, number, number]> {
  const seen = new Set<number>();
  for (let i = 0; i < c.tlbCount; i++) {
    const p = c.tlbList[i];
    const e = c.tlb[p];
    if (e === 0 || seen.has(p)) continue;
    seen.add(p);
    yield [p, e >>> 12, e & 0xfff];
  }
}
