// The four memory-manager designs, chosen at boot with mm=. They differ only
// in how fork copies an address space's page tables and how exit/exec tear
// one down; every other path (faults, mmap, munmap, mprotect) is shared.
//
//   classic   Linux 1.3.12 before the rewrite: walk every user PDE (0..767)
//             and every entry of every present page table.
//   vma       the 1995 rewrite (Patrick Schaaf, "memory.c rewrite", linux-kernel, 7 Aug 1995): walk only the areas' ranges.
//   lazy      Linux 2.6.14 (Nick Piggin's lazy page table copies in fork, 2005): like vma, but fork skips areas without
//             anonymous pages (faults re-create them from the file), except
//             VM_PFNMAP/VM_INSERTPAGE areas, which faults cannot re-create (commit 4d7672b462).
//   sharedpt  the 2002 shared page tables patch (Daniel Phillips, "[RFC] Page table sharing", linux-kernel, 18 Feb 2002): fork shares the
//             page-table pages (use count = referencing PDEs), write-protecting
//             COW entries in place; any later PTE change in a shared table
//             unshares it first; exit drops the use count.

import { Errno } from "../errno.ts";
import { KernelWork } from "../arch/kernel-cost.ts";
import { panic } from "../panic.ts";
import { PAGE_SHIFT, PGDIR_SIZE, PTRS_PER_PTE, USER_PTRS_PER_PGD, PAGE_SIZE } from "./config.ts";
import type { Mm } from "./mm.ts";
import { PG } from "./page.ts";
import { freePteTable, pdePresent, pdeTable, pgdIndex, pteAlloc, ptePresent, pteWrite, pteWrprotect } from "./pgtable.ts";
import { copyOnePte, copyPageRange, freeAllPgtables, noteWrprotect, vmaNeedsCopy, vmNormalPage, zapPageRange } from "./memory.ts";
import { isCowMapping, VM_DONTCOPY, type VmArea } from "./vma.ts";
import { swapPteSlot } from "./swap.ts";

import { MM_DESIGNS, type MmDesignName } from "./design-names.ts";
export { MM_DESIGNS, type MmDesignName };

export interface MmDesign {
  readonly name: MmDesignName;
  /** Profiler name of the fork copy ("copyMm:<name>"). */
  readonly copyProfName: string;
  /**
   * Fills dst's page tables from src after dst received copies of src's areas
   * (the VM_DONTCOPY ones left out). Returns 0 or -ENOMEM; on failure the
   * caller frees dst with exitMm.
   */
  copyMm(src: Mm, dst: Mm): number;
  /**
   * Removes every user page mapping and user page table of mm (exit, exec);
   * afterwards mm.rss and mm.nrPtes are 0. The areas are still listed; the
   * caller removes them. No TLB flush: the caller switches CR3 or flushes.
   */
  teardown(mm: Mm): void;
}

/** Advances a cursor over mm's sorted areas to the area containing va (null if none). */
export class VmaCursor {
  private i = 0;
  constructor(private readonly mm: Mm) {}
  at(va: number): VmArea | null {
    const v = this.mm.vmas;
    while (this.i < v.length && v[this.i].vmEnd <= va) this.i++;
    const vma = v[this.i];
    return vma && vma.vmStart <= va ? vma : null;
  }
}

const classic: MmDesign = {
  name: "classic",
  copyProfName: "copyMm:classic",
  copyMm(src, dst) {
    const ctx = src.ctx, mem = ctx.pmem, c = ctx.counters;
    const cursor = new VmaCursor(src);
    for (let idx = 0; idx < USER_PTRS_PER_PGD; idx++) {
      c.pdeVisits++;
      ctx.work(KernelWork.PGD_SCAN);
      const pde = mem.read32(src.pgd + idx * 4);
      if (!pdePresent(pde)) continue;
      const base = idx * PGDIR_SIZE;
      const dstPte0 = pteAlloc(dst, base);
      if (dstPte0 === 0) return -Errno.ENOMEM;
      const srcTable = pdeTable(pde);
      for (let i = 0; i < PTRS_PER_PTE; i++) {
        c.pteVisits++;
        ctx.work(KernelWork.PTE_SCAN);
        const pte = mem.read32(srcTable + i * 4);
        if (pte === 0) continue;
        const va = base + i * PAGE_SIZE;
        const vma = cursor.at(va);
        if (!vma) panic(`classic.copyMm: PTE at ${va.toString(16)} outside every area`);
        if (vma.vmFlags & VM_DONTCOPY) continue;
        copyOnePte(dst, vma, srcTable + i * 4, dstPte0 + i * 4, va, pte);
      }
    }
    return 0;
  },
  teardown(mm) {
    const ctx = mm.ctx, mem = ctx.pmem, frames = ctx.frames, c = ctx.counters;
    const cursor = new VmaCursor(mm);
    for (let idx = 0; idx < USER_PTRS_PER_PGD; idx++) {
      c.pdeVisits++;
      ctx.work(KernelWork.PGD_SCAN);
      const pde = mem.read32(mm.pgd + idx * 4);
      if (!pdePresent(pde)) continue;
      const table = pdeTable(pde);
      for (let i = 0; i < PTRS_PER_PTE; i++) {
        c.pteVisits++;
        ctx.work(KernelWork.PTE_SCAN);
        const pte = mem.read32(table + i * 4);
        if (pte === 0) continue;
        mem.write32(table + i * 4, 0);
        c.ptesZapped++;
        ctx.work(KernelWork.PTE_ZAP);
        if (!ptePresent(pte)) {
          ctx.swap.swapFree(swapPteSlot(pte));
          continue;
        }
        const va = idx * PGDIR_SIZE + i * PAGE_SIZE;
        const vma = cursor.at(va);
        if (!vma) panic(`classic.teardown: PTE at ${va.toString(16)} outside every area`);
        const page = vmNormalPage(ctx, vma, va, pte);
        if (page < 0) continue;
        if (frames.flags[page] & PG.ANON) mm.anonRss--;
        else mm.fileRss--;
        frames.mapcount[page]--;
        frames.putPage(page);
      }
      freePteTable(mm, idx);
    }
  },
};

/** Teardown driven by the areas (vma, lazy): zap each area's range, then free the tables under it. */
function vmaTeardown(mm: Mm): void {
  const ctx = mm.ctx;
  for (const vma of mm.vmas) {
    ctx.work(KernelWork.VMA_STEP);
    zapPageRange(mm, vma, vma.vmStart, vma.vmEnd, true);
  }
  for (const vma of mm.vmas) {
    ctx.work(KernelWork.VMA_STEP);
    freeAllPgtables(mm, vma.vmStart, vma.vmEnd);
  }
}

const vma: MmDesign = {
  name: "vma",
  copyProfName: "copyMm:vma",
  copyMm(src, dst) {
    for (const v of src.vmas) {
      if (v.vmFlags & VM_DONTCOPY) continue;
      const err = copyPageRange(dst, src, v);
      if (err < 0) return err;
    }
    return 0;
  },
  teardown: vmaTeardown,
};

const lazy: MmDesign = {
  name: "lazy",
  copyProfName: "copyMm:lazy",
  copyMm(src, dst) {
    for (const v of src.vmas) {
      if (v.vmFlags & VM_DONTCOPY) continue;
      if (!vmaNeedsCopy(v)) continue;
      const err = copyPageRange(dst, src, v);
      if (err < 0) return err;
    }
    return 0;
  },
  teardown: vmaTeardown,
};

const sharedpt: MmDesign = {
  name: "sharedpt",
  copyProfName: "copyMm:sharedpt",
  copyMm(src, dst) {
    const ctx = src.ctx, mem = ctx.pmem, frames = ctx.frames, c = ctx.counters;
    // A table that also maps a VM_DONTCOPY area cannot be shared: the child must not see those PTEs.
    let noShare: Set<number> | null = null;
    for (const v of src.vmas) {
      if (!(v.vmFlags & VM_DONTCOPY)) continue;
      noShare ??= new Set();
      for (let idx = pgdIndex(v.vmStart); idx <= pgdIndex(v.vmEnd - 1); idx++) noShare.add(idx);
    }
    for (const v of src.vmas) {
      if (v.vmFlags & VM_DONTCOPY) continue;
      const cow = isCowMapping(v.vmFlags);
      let addr = v.vmStart;
      while (addr < v.vmEnd) {
        const idx = pgdIndex(addr);
        const next = Math.min((idx + 1) * PGDIR_SIZE, v.vmEnd);
        if (noShare?.has(idx)) {
          const err = copyPageRange(dst, src, v, addr, next);
          if (err < 0) return err;
          addr = next;
          continue;
        }
        c.pdeVisits++;
        ctx.work(KernelWork.PGD_RANGE);
        const pde = mem.read32(src.pgd + idx * 4);
        if (pdePresent(pde)) {
          const table = pdeTable(pde);
          const dstPdePa = dst.pgd + idx * 4;
          const dpde = mem.read32(dstPdePa);
          if (!pdePresent(dpde)) {
            frames.getPage(table >>> PAGE_SHIFT);
            mem.write32(dstPdePa, pde);
            dst.nrPtes++;
            c.tablesShared++;
          } else if (pdeTable(dpde) !== table) {
            panic("sharedpt.copyMm: child already has a different table");
          }
          for (let a = addr; a < next; a += PAGE_SIZE) {
            const ptePa = table + ((a >>> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) * 4;
            c.pteVisits++;
            ctx.work(KernelWork.PTE_SCAN);
            let pte = mem.read32(ptePa);
            if (!ptePresent(pte)) continue;
            if (cow && pteWrite(pte)) {
              pte = pteWrprotect(pte);
              mem.write32(ptePa, pte);
              noteWrprotect(ctx);
            }
            const page = vmNormalPage(ctx, v, a, pte);
            if (page < 0) continue;
            if (frames.flags[page] & PG.ANON) dst.anonRss++;
            else dst.fileRss++;
          }
        }
        addr = next;
      }
    }
    return 0;
  },
  teardown(mm) {
    // Owned tables are zapped; shared ones keep their pages for the other users and only lose mm's reference.
    vmaTeardown(mm);
    mm.fileRss = 0;
    mm.anonRss = 0;
  },
};

const designs: Record<MmDesignName, MmDesign> = { classic, vma, lazy, sharedpt };

/** The design named by the mm= boot option. Throws a RangeError naming the choices for an unknown name. */
export function selectDesign(name: string): MmDesign {
  const d = designs[name as MmDesignName];
  if (!d) throw new RangeError(`mm=${name}: unknown design (choose ${MM_DESIGNS.join(", ")})`);
  return d;
}
