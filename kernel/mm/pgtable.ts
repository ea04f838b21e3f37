// i386 two-level page tables in guest RAM: PDE/PTE bits, the pte helpers of
// Linux's asm/pgtable.h, pgd allocation (kernel half copied from the master
// directory) and page-table allocation, freeing and unsharing.
// Page-table pages are frames with PG.PAGETABLE; their count is the number of
// page-directory entries pointing at them (more than one only under sharedpt).

import { KernelWork } from "../arch/kernel-cost.ts";
import { panic } from "../panic.ts";
import { PAGE_SHIFT, PGDIR_SHIFT, PTRS_PER_PTE, USER_PTRS_PER_PGD, PAGE_SIZE } from "./config.ts";
import type { MmContext } from "./context.ts";
import type { Mm } from "./mm.ts";
import { PG } from "./page.ts";

export const _PAGE_PRESENT = 0x001;
export const _PAGE_RW = 0x002;
export const _PAGE_USER = 0x004;
export const _PAGE_PWT = 0x008;
export const _PAGE_PCD = 0x010;
export const _PAGE_ACCESSED = 0x020;
export const _PAGE_DIRTY = 0x040;
export const _PAGE_PSE = 0x080;
export const _PAGE_GLOBAL = 0x100;
/** Flags of a user page-directory entry pointing at a page table (permissions live in the PTEs). */
export const _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
const PFN_MASK = 0xfffff000;

export const ptePresent = (pte: number): boolean => (pte & _PAGE_PRESENT) !== 0;
export const ptePfn = (pte: number): number => pte >>> PAGE_SHIFT;
export const pteWrite = (pte: number): boolean => (pte & _PAGE_RW) !== 0;
export const pteUser = (pte: number): boolean => (pte & _PAGE_USER) !== 0;
export const pteDirty = (pte: number): boolean => (pte & _PAGE_DIRTY) !== 0;
export const pteYoung = (pte: number): boolean => (pte & _PAGE_ACCESSED) !== 0;
export const pteWrprotect = (pte: number): number => (pte & ~_PAGE_RW) >>> 0;
export const pteMkwrite = (pte: number): number => (pte | _PAGE_RW) >>> 0;
export const pteMkdirty = (pte: number): number => (pte | _PAGE_DIRTY) >>> 0;
export const pteMkclean = (pte: number): number => (pte & ~_PAGE_DIRTY) >>> 0;
export const pteMkold = (pte: number): number => (pte & ~_PAGE_ACCESSED) >>> 0;
export const pteMkyoung = (pte: number): number => (pte | _PAGE_ACCESSED) >>> 0;
/** A PTE mapping frame pfn with protection bits prot. */
export const pteMk = (pfn: number, prot: number): number => ((pfn << PAGE_SHIFT) | prot) >>> 0;
/** Keeps frame, accessed and dirty bits of pte and takes the protection from prot (Linux pte_modify). */
export const pteModify = (pte: number, prot: number): number =>
  ((pte & (PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY)) | prot) >>> 0;
export const pdePresent = (pde: number): boolean => (pde & _PAGE_PRESENT) !== 0;
/** Physical address of the page table a PDE points to. */
export const pdeTable = (pde: number): number => (pde & PFN_MASK) >>> 0;
export const pgdIndex = (va: number): number => va >>> PGDIR_SHIFT;
export const pteIndex = (va: number): number => (va >>> PAGE_SHIFT) & (PTRS_PER_PTE - 1);

/**
 * Allocates a page directory: user half empty, kernel half (768..1023) copied
 * from the master directory. Returns its physical address, or -1 when out of memory.
 * The caller frees it with pgdFree.
 */
export function pgdAlloc(ctx: MmContext): number {
  const pfn = ctx.frames.allocPage(PG.PGD);
  if (pfn < 0) return -1;
  const pa = pfn * PAGE_SIZE;
  const mem = ctx.mem;
  mem.zeroPage(pa);
  const master = ctx.masterPgdPa;
  for (let i = USER_PTRS_PER_PGD; i < 1024; i++) {
    const pde = mem.read32(master + i * 4);
    if (pde !== 0) mem.write32(pa + i * 4, pde);
  }
  return pa;
}

/** Frees a page directory. Precondition: no user PDE left, and it is not in CR3. */
export function pgdFree(ctx: MmContext, pgdPa: number): void {
  const pfn = pgdPa >>> PAGE_SHIFT;
  if ((ctx.frames.flags[pfn] & PG.PGD) === 0) panic("pgdFree: not a page directory");
  if (ctx.hooks.currentPgd() === pgdPa) panic("pgdFree: page directory still in CR3");
  ctx.frames.putPage(pfn);
}

/** Physical address of the PTE for va, or 0 if no page table covers va. */
export function pteOffset(mm: Mm, va: number): number {
  const pde = mm.ctx.mem.read32(mm.pgd + pgdIndex(va) * 4);
  if (!pdePresent(pde)) return 0;
  return pdeTable(pde) + pteIndex(va) * 4;
}

/**
 * Physical address of the PTE for va, allocating a zeroed page table if none
 * exists (Linux pte_alloc). Returns 0 when out of memory. Does not unshare.
 */
export function pteAlloc(mm: Mm, va: number): number {
  const ctx = mm.ctx;
  const pdePa = mm.pgd + pgdIndex(va) * 4;
  const pde = ctx.mem.read32(pdePa);
  if (pdePresent(pde)) return pdeTable(pde) + pteIndex(va) * 4;
  const pfn = ctx.frames.allocPage(PG.PAGETABLE);
  if (pfn < 0) return 0;
  const table = pfn * PAGE_SIZE;
  ctx.mem.zeroPage(table);
  ctx.mem.write32(pdePa, (table | _PAGE_TABLE) >>> 0);
  ctx.counters.tablesAllocated++;
  mm.nrPtes++;
  return table + pteIndex(va) * 4;
}

/** Use count of the page table that PDE slot idx of mm points to (0 if none). */
export function tableUseCount(mm: Mm, idx: number): number {
  const pde = mm.ctx.mem.read32(mm.pgd + idx * 4);
  if (!pdePresent(pde)) return 0;
  return mm.ctx.frames.count[pdeTable(pde) >>> PAGE_SHIFT];
}

/**
 * Gives mm a private copy of the page table in PDE slot idx if that table is
 * shared with another mm (sharedpt): every normal page mapped by it gains a
 * reference and a mapping. Returns false when out of memory. No TLB flush is
 * needed: the translations do not change.
 */
export function unshareTable(mm: Mm, idx: number): boolean {
  const ctx = mm.ctx;
  const mem = ctx.mem, frames = ctx.frames;
  const pdePa = mm.pgd + idx * 4;
  const pde = mem.read32(pdePa);
  if (!pdePresent(pde)) return true;
  const oldTable = pdeTable(pde);
  const oldPfn = oldTable >>> PAGE_SHIFT;
  if (frames.count[oldPfn] <= 1) return true;
  const pfn = frames.allocPage(PG.PAGETABLE);
  if (pfn < 0) return false;
  const table = pfn * PAGE_SIZE;
  const pmem = ctx.pmem;
  for (let i = 0; i < PTRS_PER_PTE; i++) {
    ctx.work(KernelWork.PTE_SCAN);
    const pte = pmem.read32(oldTable + i * 4);
    pmem.write32(table + i * 4, pte);
    if (pte === 0) continue;
    ctx.work(KernelWork.PTE_COPY);
    ctx.counters.ptesCopied++;
    if (!ptePresent(pte)) {
      ctx.swap.swapDuplicate(pte >>> 8); // a swap entry: the new table holds the slot too
      continue;
    }
    const p = ptePfn(pte);
    if (ptePresent(pte) && isNormalMapped(ctx, mm, (idx << PGDIR_SHIFT) + (i << PAGE_SHIFT), p)) {
      frames.getPage(p);
      frames.mapcount[p]++;
      ctx.counters.pagesReferenced++;
    }
  }
  ctx.counters.pteVisits += PTRS_PER_PTE;
  mem.write32(pdePa, (table | (pde & 0xfff)) >>> 0);
  frames.putPage(oldPfn);
  ctx.counters.tablesAllocated++;
  ctx.counters.tablesUnshared++;
  return true;
}

/** Unshares every shared page table covering [start, end) of mm. False when out of memory. */
export function unshareRange(mm: Mm, start: number, end: number): boolean {
  if (end <= start) return true;
  const last = pgdIndex(end - 1);
  for (let idx = pgdIndex(start); idx <= last; idx++) {
    if (tableUseCount(mm, idx) > 1 && !unshareTable(mm, idx)) return false;
  }
  return true;
}

/**
 * PTE address for va, ready to be modified: the table is allocated if missing
 * and unshared if shared. Returns 0 when out of memory.
 */
export function pteAllocForWrite(mm: Mm, va: number): number {
  const idx = pgdIndex(va);
  if (tableUseCount(mm, idx) > 1 && !unshareTable(mm, idx)) return 0;
  return pteAlloc(mm, va);
}

/**
 * Drops mm's reference to the page table in PDE slot idx and clears the PDE.
 * The table is freed when no other mm shares it. Precondition: if mm was the
 * last user, every entry of the table is already clear.
 */
export function freePteTable(mm: Mm, idx: number): void {
  const ctx = mm.ctx;
  const pdePa = mm.pgd + idx * 4;
  const pde = ctx.mem.read32(pdePa);
  if (!pdePresent(pde)) return;
  const pfn = pdeTable(pde) >>> PAGE_SHIFT;
  if ((ctx.frames.flags[pfn] & PG.PAGETABLE) === 0) panic("freePteTable: PDE does not point at a page table");
  ctx.mem.write32(pdePa, 0);
  mm.nrPtes--;
  if (ctx.frames.count[pfn] === 1) ctx.counters.tablesFreed++;
  ctx.frames.putPage(pfn);
}

/**
 * True if the frame a present PTE at va maps is a normal, counted page
 * (Linux vm_normal_page without the vma: PFNMAP raw frames are recognised
 * through the vma covering va).
 */
export function isNormalMapped(ctx: MmContext, mm: Mm, va: number, pfn: number): boolean {
  if (!ctx.frames.isNormal(pfn)) return false;
  const vma = mm.findVma(va);
  if (vma && vma.vmStart <= va) return vmNormalPfn(vma.vmFlags, vma.vmStart, vma.vmPgoff, va, pfn, ctx);
  return true;
}

/** The vm_normal_page rule on raw fields; see memory.ts vmNormalPage. */
export function vmNormalPfn(
  vmFlags: number, vmStart: number, vmPgoff: number, va: number, pfn: number, ctx: MmContext,
): boolean {
  if (vmFlags & 0x400 /* VM_PFNMAP */) {
    if (pfn === vmPgoff + ((va - vmStart) >>> PAGE_SHIFT)) return false;
  }
  return ctx.frames.isNormal(pfn);
}
