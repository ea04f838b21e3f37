// The memory.c equivalent: copying page tables on fork (copyPageRange),
// removing pages (zapPageRange), freeing page tables (freePgtables), raw-frame
// areas (vmNormalPage, remapPfnRange, vmInsertPage), and the mm life cycle the
// process layer calls: newMm, forkMm, exitMm, execMm. Whole-address-space work
// (fork copy, exit and exec teardown) is delegated to the design chosen at boot
// (designs.ts); everything else is shared by all designs.

import { Errno } from "../errno.ts";
import { KernelWork } from "../arch/kernel-cost.ts";
import { panic } from "../panic.ts";
import { PAGE_SHIFT, PGDIR_SIZE, PTRS_PER_PTE, TLB_FLUSH_SINGLE_MAX, TASK_SIZE, PAGE_SIZE } from "./config.ts";
import type { MmContext } from "./context.ts";
import { Mm, type MmLimits, UNLIMITED } from "./mm.ts";
import { PG } from "./page.ts";
import { dupRmap, execRmap, exitRmap } from "./rmap.ts";
import { swapPteSlot } from "./swap.ts";
import {
  freePteTable, pdePresent, pteDirty, pdeTable, pgdAlloc, pgdFree, pgdIndex, pteAlloc, pteAllocForWrite, pteMk, pteMkclean,
  pteMkold, pteOffset, ptePfn, ptePresent, pteWrite, pteWrprotect, unshareTable, _PAGE_ACCESSED,
} from "./pgtable.ts";
import type { AddressSpace } from "./filemap.ts";
import {
  VmArea, VM_DONTCOPY, VM_INSERTPAGE, VM_LOCKED, VM_IO, VM_PFNMAP, VM_RESERVED, VM_SHARED, VM_DONTEXPAND, isCowMapping,
  vmaDup, vmPageProt,
} from "./vma.ts";

/**
 * The frame behind a present PTE of vma at addr if it has a struct page the
 * mm counts, else -1 (Linux vm_normal_page): raw frames of a VM_PFNMAP area
 * (pfn == vm_pgoff + page offset) and frames outside the allocator are not normal.
 */
export function vmNormalPage(ctx: MmContext, vma: VmArea, addr: number, pte: number): number {
  const pfn = ptePfn(pte);
  if (vma.vmFlags & VM_PFNMAP) {
    if (pfn === vma.vmPgoff + ((addr - vma.vmStart) >>> PAGE_SHIFT)) return -1;
  }
  return ctx.frames.isNormal(pfn) ? pfn : -1;
}

/** Records that a fork write-protected one of the parent's PTEs (designs that do it themselves): ctx.forkWrprotected. */
export function noteWrprotect(ctx: MmContext): void {
  ctx.forkWrprotected++;
}

/**
 * Copies one source PTE at addr into dstPtePa (Linux copy_one_pte): private
 * writable pages become read-only in both, normal pages gain a reference and
 * a mapping, and dst's rss grows. Precondition: the source PTE is not none.
 * Charged as PTE_COPY; the caller charges the visit (PTE_SCAN).
 */
export function copyOnePte(dst: Mm, vma: VmArea, srcPtePa: number, dstPtePa: number, addr: number, pte: number): void {
  const ctx = dst.ctx;
  ctx.work(KernelWork.PTE_COPY);
  if (ptePresent(pte)) {
    if (isCowMapping(vma.vmFlags) && pteWrite(pte)) {
      pte = pteWrprotect(pte);
      ctx.pmem.write32(srcPtePa, pte);
      ctx.forkWrprotected++;
    }
    if (vma.vmFlags & VM_SHARED) pte = pteMkclean(pte);
    pte = pteMkold(pte);
    const page = vmNormalPage(ctx, vma, addr, pte);
    if (page >= 0) {
      const frames = ctx.frames;
      frames.getPage(page);
      frames.mapcount[page]++;
      ctx.counters.pagesReferenced++;
      if (frames.flags[page] & PG.ANON) dst.anonRss++;
      else dst.fileRss++;
    }
  } else {
    ctx.swap.swapDuplicate(swapPteSlot(pte)); // the PTE holds a place in swap: both now do
  }
  ctx.pmem.write32(dstPtePa, pte);
  ctx.counters.ptesCopied++;
}

/**
 * Copies the PTEs of src's area vma in [start, end) (default: all of it) into
 * dst at the same addresses, allocating dst's
 * page tables as needed (Linux copy_page_range, the seed's vma-driven copy).
 * Returns 0 or -ENOMEM (dst then holds a partial copy its exitMm frees).
 */
export function copyPageRange(dst: Mm, src: Mm, vma: VmArea, start = vma.vmStart, end = vma.vmEnd): number {
  const ctx = src.ctx, mem = ctx.pmem, c = ctx.counters;
  let addr = start;
  while (addr < end) {
    const idx = pgdIndex(addr);
    const next = Math.min((idx + 1) * PGDIR_SIZE, end);
    c.pdeVisits++;
    ctx.work(KernelWork.PGD_RANGE);
    const pde = mem.read32(src.pgd + idx * 4);
    if (pdePresent(pde)) {
      const srcTable = pdeTable(pde);
      const dstPte0 = pteAlloc(dst, addr);
      if (dstPte0 === 0) return -Errno.ENOMEM;
      const dstTable = dstPte0 - ((addr >>> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) * 4;
      for (let a = addr; a < next; a += PAGE_SIZE) {
        const i = (a >>> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
        c.pteVisits++;
        ctx.work(KernelWork.PTE_SCAN);
        const pte = mem.read32(srcTable + i * 4);
        if (pte !== 0) copyOnePte(dst, vma, srcTable + i * 4, dstTable + i * 4, a, pte);
      }
    }
    addr = next;
  }
  return 0;
}

// Pending single-page TLB flushes of the current zap/protect operation: ctx.tlbGatherVa, ctx.tlbGatherCount.

/** Records that the translation of va in mm may be cached and must be flushed. */
export function tlbRemember(mm: Mm, va: number): void {
  const ctx = mm.ctx;
  if (!ctx.isCurrent(mm)) return;
  if (ctx.tlbGatherCount < TLB_FLUSH_SINGLE_MAX) ctx.tlbGatherVa[ctx.tlbGatherCount] = va;
  ctx.tlbGatherCount++;
}

/** Issues the flushes remembered since the last call: single pages, or one full flush if many. */
export function tlbFinish(mm: Mm): void {
  const ctx = mm.ctx, n = ctx.tlbGatherCount;
  if (n === 0) return;
  if (n > TLB_FLUSH_SINGLE_MAX) ctx.flushTlbMm(mm);
  else for (let i = 0; i < n; i++) ctx.flushTlbPage(mm, ctx.tlbGatherVa[i] >>> 0);
  ctx.tlbGatherCount = 0;
}

/**
 * Clears the PTEs of one page table for [addr, end) (end within the same 4 MiB
 * slot), dropping the pages they map and mm's rss. The table must not be shared.
 */
function zapPteRange(mm: Mm, vma: VmArea | null, table: number, addr: number, end: number, flush: boolean): void {
  const ctx = mm.ctx, mem = ctx.pmem, frames = ctx.frames, c = ctx.counters;
  for (let a = addr; a < end; a += PAGE_SIZE) {
    const ptePa = table + ((a >>> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) * 4;
    c.pteVisits++;
    ctx.work(KernelWork.PTE_SCAN);
    const pte = mem.read32(ptePa);
    if (pte === 0) continue;
    mem.write32(ptePa, 0);
    c.ptesZapped++;
    ctx.work(KernelWork.PTE_ZAP);
    if (!ptePresent(pte)) {
      ctx.swap.swapFree(swapPteSlot(pte));
      continue;
    }
    if (flush) tlbRemember(mm, a);
    const page = vma ? vmNormalPage(ctx, vma, a, pte) : frames.isNormal(ptePfn(pte)) ? ptePfn(pte) : -1;
    if (page < 0) continue;
    if (pteDirty(pte) && frames.flags[page] & PG.CACHE) frames.flags[page] |= PG.DIRTY;
    if (frames.flags[page] & PG.ANON) mm.anonRss--;
    else mm.fileRss--;
    frames.mapcount[page]--;
    frames.putPage(page);
  }
}

/**
 * Unmaps file pages [first, last) of `as` from every area mapping them (Linux
 * unmap_mapping_range): shared areas lose those PTEs; private areas lose the
 * PTEs that still map the file's cached page, and with evenCows (truncate) also
 * their private copies, so a later access past the end of the file raises SIGBUS.
 */
export function unmapMappingRange(as: AddressSpace, first: number, last: number, evenCows: boolean): void {
  const ctx = as.ctx, frames = ctx.frames;
  for (const vma of [...as.iMmap]) {
    const start = Math.max(vma.vmStart, vma.vmStart + (first - vma.vmPgoff) * PAGE_SIZE);
    const end = Math.min(vma.vmEnd, vma.vmStart + (last - vma.vmPgoff) * PAGE_SIZE);
    if (start >= end) continue;
    if (vma.vmFlags & VM_SHARED || evenCows) {
      zapPageRange(vma.vmMm, vma, start, end);
      continue;
    }
    for (let a = start; a < end; a += PAGE_SIZE) {
      const ptePa = pteOffset(vma.vmMm, a);
      if (ptePa === 0) continue;
      const pte = ctx.mem.read32(ptePa);
      const pfn = ptePfn(pte);
      if (ptePresent(pte) && frames.mapping[pfn] === as && frames.flags[pfn] & PG.CACHE) zapPageRange(vma.vmMm, vma, a, a + PAGE_SIZE);
    }
  }
}

/**
 * Removes the user pages of vma in [start, end) (Linux zap_page_range /
 * unmap_page_range). Shared page tables are unshared first unless `teardown`
 * (the whole mm is going away: shared tables are then left to freePgtables).
 * TLB entries of the current mm are flushed unless teardown.
 * Returns false only if unsharing ran out of memory.
 */
export function zapPageRange(mm: Mm, vma: VmArea | null, start: number, end: number, teardown = false): boolean {
  const ctx = mm.ctx, mem = ctx.pmem, c = ctx.counters;
  ctx.prof.enter("zapPageRange");
  mm.updateHiwaterRss();
  let addr = start;
  let ok = true;
  while (addr < end) {
    const idx = pgdIndex(addr);
    const next = Math.min((idx + 1) * PGDIR_SIZE, end);
    c.pdeVisits++;
    ctx.work(KernelWork.PGD_RANGE);
    let pde = mem.read32(mm.pgd + idx * 4);
    if (pdePresent(pde)) {
      const shared = ctx.frames.count[pdeTable(pde) >>> PAGE_SHIFT] > 1;
      if (shared && !teardown && addr === idx * PGDIR_SIZE && next === addr + PGDIR_SIZE) {
        // The whole shared table goes: drop mm's reference instead of unsharing it (Phillips's free_one_pmd, Feb 2002).
        dropSharedTable(mm, vma, idx, pde);
        addr = next;
        continue;
      }
      if (shared && !teardown) {
        if (!unshareTable(mm, idx)) ok = false;
        pde = mem.read32(mm.pgd + idx * 4);
      }
      if (!shared || !teardown) zapPteRange(mm, vma, pdeTable(pde), addr, next, !teardown);
    }
    addr = next;
  }
  if (!teardown) tlbFinish(mm);
  ctx.prof.leave();
  return ok;
}

/** Forgets a shared page table that maps only vma's pages in mm: rss drops, the table loses one user. */
function dropSharedTable(mm: Mm, vma: VmArea | null, idx: number, pde: number): void {
  const ctx = mm.ctx, mem = ctx.pmem, frames = ctx.frames;
  const table = pdeTable(pde);
  for (let i = 0; i < PTRS_PER_PTE; i++) {
    ctx.counters.pteVisits++;
    ctx.work(KernelWork.PTE_SCAN);
    const pte = mem.read32(table + i * 4);
    if (!ptePresent(pte)) continue;
    const va = idx * PGDIR_SIZE + i * PAGE_SIZE;
    tlbRemember(mm, va);
    const page = vma ? vmNormalPage(ctx, vma, va, pte) : frames.isNormal(ptePfn(pte)) ? ptePfn(pte) : -1;
    if (page < 0) continue;
    if (frames.flags[page] & PG.ANON) mm.anonRss--;
    else mm.fileRss--;
  }
  freePteTable(mm, idx);
}

/**
 * Frees mm's page tables in [start, end) that no remaining area of mm uses
 * (Linux free_pgtables): a table is kept while any area overlaps its 4 MiB slot.
 * Precondition: the areas being removed are already out of mm's list and zapped.
 */
export function freePgtables(mm: Mm, start: number, end: number): void {
  if (end <= start) return;
  const ctx = mm.ctx, mem = ctx.pmem;
  const last = pgdIndex(end - 1);
  for (let idx = pgdIndex(start); idx <= last; idx++) {
    ctx.counters.pdeVisits++;
    ctx.work(KernelWork.PGD_SCAN);
    if (!pdePresent(mem.read32(mm.pgd + idx * 4))) continue;
    const lo = idx * PGDIR_SIZE;
    if (mm.findVmaIntersection(lo, lo + PGDIR_SIZE)) continue;
    freePteTable(mm, idx);
  }
}

/**
 * Tears down every page table in [start, end) of mm regardless of areas
 * (exit/exec after the pages are zapped): unshared tables are freed, shared
 * ones lose mm's reference.
 */
export function freeAllPgtables(mm: Mm, start: number, end: number): void {
  if (end <= start) return;
  const ctx = mm.ctx, mem = ctx.pmem;
  const last = pgdIndex(end - 1);
  for (let idx = pgdIndex(start); idx <= last; idx++) {
    ctx.counters.pdeVisits++;
    ctx.work(KernelWork.PGD_SCAN);
    if (pdePresent(mem.read32(mm.pgd + idx * 4))) freePteTable(mm, idx);
  }
}

/** A fresh, empty user address space: kernel half mapped, no areas. Mm, or -ENOMEM. */
export function newMm(ctx: MmContext, limits: Readonly<MmLimits> = UNLIMITED): Mm | number {
  const pgd = pgdAlloc(ctx);
  if (pgd < 0) return -Errno.ENOMEM;
  const mm = new Mm(ctx, pgd, limits);
  execRmap(mm);
  ctx.mms.add(mm);
  return mm;
}

/**
 * The mm of a new task (Linux fork_mm/copy_mm). With cloneVm the child shares
 * parent (users + 1) and parent is returned. Otherwise a new mm gets copies
 * of parent's areas and, by the boot-time design, its page tables: private
 * writable pages become copy-on-write in both. Returns the child's Mm or
 * -ENOMEM (nothing is left allocated). The child's CR3 is the caller's business.
 */
export function forkMm(parent: Mm, cloneVm: boolean): Mm | number {
  const ctx = parent.ctx;
  if (cloneVm) {
    parent.users++;
    return parent;
  }
  ctx.prof.enter("forkMm");
  try {
    const r = newMm(ctx, parent.limits);
    if (typeof r === "number") return r;
    const child = r;
    exitRmap(child);
    dupRmap(child, parent);
    copyMmFields(parent, child);
    // One pass of dup_mmap's loop per area, for every design (their copyMm walks the same list again).
    for (const vma of parent.vmas) {
      ctx.work(KernelWork.VMA_STEP);
      if (vma.vmFlags & VM_DONTCOPY) {
        child.totalVm -= vma.pages;
        continue;
      }
      const v = vmaDup(vma, child);
      v.vmFlags &= ~VM_LOCKED; // locks are not inherited
      child.vmas.push(v);
      if (v.vmFile) {
        v.vmFile.mapping.iMmap.add(v);
        v.vmFile.get?.();
      }
      if (v.anonVma) v.anonVma.vmas.add(v);
    }
    ctx.forkWrprotected = 0;
    ctx.prof.enter(ctx.design.copyProfName);
    ctx.onCopyMm?.(parent, child, false);
    const err = ctx.design.copyMm(parent, child);
    ctx.onCopyMm?.(parent, child, true);
    ctx.prof.leave();
    if (ctx.forkWrprotected > 0) ctx.flushTlbMm(parent);
    if (err < 0) {
      exitMm(child);
      return err;
    }
    child.hiwaterRss = child.rss;
    child.hiwaterVm = child.totalVm;
    ctx.counters.forks++;
    return child;
  } finally {
    ctx.prof.leave();
  }
}

function copyMmFields(p: Mm, c: Mm): void {
  c.totalVm = p.totalVm;
  c.startCode = p.startCode; c.endCode = p.endCode;
  c.startData = p.startData; c.endData = p.endData;
  c.startBrk = p.startBrk; c.brk = p.brk; c.startStack = p.startStack;
  c.argStart = p.argStart; c.argEnd = p.argEnd; c.envStart = p.envStart; c.envEnd = p.envEnd;
  c.mmapBase = p.mmapBase; c.freeAreaCache = p.freeAreaCache;
  c.maxMapCount = p.maxMapCount;
}

/**
 * A task stops using mm (Linux exit_mm/mmput). When the last user leaves,
 * every page, page table, area and the page directory are freed; if mm was in
 * CR3 the kernel's master directory is loaded first.
 */
export function exitMm(mm: Mm): void {
  const ctx = mm.ctx;
  if (mm.users <= 0) panic("exitMm: mm has no users");
  if (--mm.users > 0) return;
  ctx.prof.enter("exitMm");
  mm.updateHiwaterRss();
  mm.updateHiwaterVm();
  if (ctx.isCurrent(mm)) ctx.hooks.activateKernelPgd();
  ctx.design.teardown(mm);
  mm.removeAllVmas();
  if (mm.rss !== 0 || mm.nrPtes !== 0) panic(`exitMm: rss ${mm.rss} / ${mm.nrPtes} page tables left after teardown`);
  pgdFree(ctx, mm.pgd);
  mm.pgd = 0;
  exitRmap(mm);
  ctx.mms.delete(mm);
  ctx.counters.exits++;
  ctx.prof.leave();
}

/**
 * Gives an exec'ing task an empty address space (the seed's exec_mm) under the
 * task's current limits (its layout follows RLIMIT_STACK, as Linux's
 * arch_pick_mmap_layout at exec). A task sharing mm with clones leaves the
 * group and gets a new mm (returned; the caller loads its CR3). A sole user
 * keeps mm, emptied in place (TLB flushed if current). Returns the mm to use,
 * or -ENOMEM.
 */
export function execMm(mm: Mm, limits: Readonly<MmLimits> = mm.limits): Mm | number {
  const ctx = mm.ctx;
  if (mm.users > 1) {
    const r = newMm(ctx, limits);
    if (typeof r === "number") return r;
    mm.users--;
    ctx.counters.execs++;
    return r;
  }
  ctx.prof.enter("execMm");
  ctx.design.teardown(mm);
  mm.removeAllVmas();
  if (mm.rss !== 0 || mm.nrPtes !== 0) panic("execMm: pages or page tables left after teardown");
  exitRmap(mm);
  execRmap(mm);
  mm.limits = { ...limits };
  mm.resetAccounting();
  ctx.flushTlbMm(mm);
  ctx.counters.execs++;
  ctx.prof.leave();
  return mm;
}

/**
 * Maps raw frames [pfn, pfn + size/4096) at addr in vma (Linux
 * remap_pfn_range): the area becomes VM_PFNMAP|VM_IO|VM_RESERVED and must
 * span exactly [addr, addr + size); the frames are never counted. 0 or -errno.
 */
export function remapPfnRange(mm: Mm, vma: VmArea, addr: number, pfn: number, size: number, prot?: number): number {
  if (addr !== vma.vmStart || addr + size !== vma.vmEnd || size % PAGE_SIZE) return -Errno.EINVAL;
  vma.vmFlags |= VM_PFNMAP | VM_IO | VM_RESERVED | VM_DONTEXPAND;
  vma.vmPgoff = pfn;
  const p = prot ?? vmPageProt(vma.vmFlags);
  for (let a = addr, f = pfn; a < addr + size; a += PAGE_SIZE, f++) {
    const ptePa = pteAllocForWrite(mm, a);
    if (ptePa === 0) return -Errno.ENOMEM;
    mm.ctx.mem.write32(ptePa, pteMk(f, p | _PAGE_ACCESSED));
  }
  return 0;
}

/**
 * Inserts a kernel-allocated page at addr of vma (Linux vm_insert_page): the
 * page gains a reference and a mapping, counts as file rss, and the area is
 * marked VM_INSERTPAGE so that every design copies it on fork. 0 or -errno.
 */
export function vmInsertPage(mm: Mm, vma: VmArea, addr: number, pfn: number): number {
  const ctx = mm.ctx;
  if (addr < vma.vmStart || addr >= vma.vmEnd || addr >= TASK_SIZE) return -Errno.EFAULT;
  if (!ctx.frames.isNormal(pfn) || ctx.frames.count[pfn] === 0 || (ctx.frames.flags[pfn] & PG.ANON)) return -Errno.EINVAL;
  vma.vmFlags |= VM_INSERTPAGE;
  const ptePa = pteAllocForWrite(mm, addr);
  if (ptePa === 0) return -Errno.ENOMEM;
  if (ctx.mem.read32(ptePa) !== 0) return -Errno.EBUSY;
  ctx.frames.getPage(pfn);
  ctx.frames.mapcount[pfn]++;
  mm.fileRss++;
  ctx.mem.write32(ptePa, pteMk(pfn, vmPageProt(vma.vmFlags) | _PAGE_ACCESSED));
  return 0;
}

/** Areas whose page tables fork must copy even when faults could re-create them (lazy design). */
export function vmaNeedsCopy(vma: VmArea): boolean {
  return vma.anonVma !== null || (vma.vmFlags & (VM_PFNMAP | VM_INSERTPAGE)) !== 0;
}

