// The page-fault path (Linux handle_mm_fault and its handlers): demand-zero
// anonymous pages (a read maps the shared zero page, the first write gets a
// zeroed page of its own, as Linux 2.6.32 and later do), file pages through the page cache, copy-on-write with reuse
// when the faulting mm holds the only reference, stack growth. The result
// names the decision so the monitor can trace it and the counters count it.
// Which handler runs, and what it will do, is decided by faultDecide
// (fault-decision.ts), the same function the monitor predicts with.

import { Errno } from "../errno.ts";
import { pageDown, PAGE_SIZE } from "./config.ts";
import type { FaultResult } from "./context.ts";
import type { FaultDecision } from "./counters.ts";
import type { Mm } from "./mm.ts";
import { PG } from "./page.ts";
import {
  pteAllocForWrite, pteMk, pteMkdirty, pteMkwrite, pteMkyoung, ptePfn,
  _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_RW,
} from "./pgtable.ts";
import { vmNormalPage } from "./memory.ts";
import { pageAddAnonRmap } from "./rmap.ts";
import { swapPteSlot } from "./swap.ts";
import { FaultPlan, faultDecide, wpDecision, type FaultAccess } from "./fault-decision.ts";
import { balancePgdat } from "./vmscan.ts";
import { expandStack } from "./stack.ts";
import { AnonVma, VM_SHARED, VM_WRITE, vmPageProt, type VmArea } from "./vma.ts";

/**
 * Resolves a page fault of mm at address (write: the access was a write;
 * user: it came from ring 3). Maps a page when the access is legal. Returns
 * the context's FaultResult (reused by the next fault): decision "sigsegv" or
 * "sigbus" tells the caller to signal the task, "oom" that memory ran out.
 * TLB entries are flushed where a PTE changed from one valid mapping to another.
 * force (a debugger's access, Linux FOLL_FORCE): the area's permissions are
 * not checked (the caller has checked that COW keeps the write private).
 */
export function handleMmFault(mm: Mm, address: number, write: boolean, user: boolean, force = false): FaultResult {
  const ctx = mm.ctx;
  const r = ctx.fault;
  address >>>= 0;
  r.address = address;
  r.write = write;
  r.user = user;
  r.vma = null;
  r.oldPfn = r.newPfn = -1;
  r.major = false;
  ctx.prof.enter("handleMmFault");
  balancePgdat(ctx);
  const d = faultHandle(mm, address, write, force, r);
  r.decision = d;
  ctx.counters.faults[d]++;
  if (r.major) {
    mm.majFlt++;
    ctx.counters.majorFaults++;
  }
  else mm.minFlt++;
  ctx.prof.leave();
  ctx.onFault?.(r);
  return r;
}

/**
 * The kernel's FaultAccess: the stack really grows, and the PTE is read the
 * way the fault path always read it (its page table allocated or unshared
 * for the write that may follow, one PDE and one PTE visit, a charged read).
 * ptePa keeps where it was read, for the handler.
 */
const kernelAccess = {
  ptePa: 0,
  growStack(mm: Mm, vma: VmArea, address: number): boolean {
    return expandStack(mm, vma, address) === 0;
  },
  readPte(mm: Mm, address: number): number | null {
    const ctx = mm.ctx;
    const ptePa = pteAllocForWrite(mm, address);
    this.ptePa = ptePa;
    if (ptePa === 0) return null;
    ctx.counters.pdeVisits++;
    ctx.counters.pteVisits++;
    return ctx.mem.read32(ptePa);
  },
  tableShared(): boolean {
    return false; // readPte made it mm's own
  },
} satisfies FaultAccess & { ptePa: number };

const plan = new FaultPlan();

/** Takes the decision (faultDecide) and runs the handler it names. */
function faultHandle(mm: Mm, address: number, write: boolean, force: boolean, r: FaultResult): FaultDecision {
  const p = faultDecide(mm, address, write, force, kernelAccess, plan);
  // The plan is scratch shared by every fault: keep what the handlers need.
  const vma = p.vma!, ptePa = kernelAccess.ptePa, pte = p.pte, grow = p.grow;
  r.vma = p.vma;
  switch (p.action) {
    case "none":
      return p.decision;
    case "no-page":
      return doNoPage(mm, vma, address, p.index, ptePa, write, r);
    case "anonymous": {
      const d = doAnonymousPage(mm, vma, address, ptePa, write, r);
      return grow && d !== "oom" ? "stack-growth" : d;
    }
    case "swap":
      return doSwapPage(mm, vma, address, ptePa, pte, write, r);
    case "wp":
      return doWpPage(mm, vma, address, ptePa, pte, r);
    case "spurious": {
      // Allowed by the PTE: a stale TLB entry (e.g. after another CPU-visible change). Refresh it.
      const ctx = mm.ctx;
      let n = pteMkyoung(pte);
      if (write) n = pteMkdirty(n);
      if (n !== pte) ctx.mem.write32(ptePa, n);
      ctx.flushTlbPage(mm, pageDown(address));
      r.oldPfn = r.newPfn = ptePfn(pte);
      return "spurious";
    }
  }
}

/** Gives vma an anon_vma if it has none yet (Linux anon_vma_prepare). */
export function anonVmaPrepare(vma: VmArea): AnonVma {
  if (!vma.anonVma) {
    vma.anonVma = new AnonVma();
    vma.anonVma.vmas.add(vma);
  }
  return vma.anonVma;
}

/** A new anonymous frame for address of vma, in the reverse map (count 1, mapcount 0); -1 when memory is out. */
export function newAnonPage(mm: Mm, vma: VmArea, address: number): number {
  const frames = mm.ctx.frames;
  anonVmaPrepare(vma);
  const pfn = frames.allocPage(PG.ANON);
  if (pfn < 0) return -1;
  pageAddAnonRmap(mm.ctx, pfn, mm, address);
  return pfn;
}

/**
 * A first touch of an anonymous page (Linux do_anonymous_page): a read maps
 * the shared zero page read-only (no frame, no rss); a write gets a new
 * zeroed private page.
 */
export function doAnonymousPage(
  mm: Mm, vma: VmArea, address: number, ptePa: number, write: boolean, r: FaultResult,
): FaultDecision {
  const ctx = mm.ctx;
  if (!write) {
    ctx.mem.write32(ptePa, pteMk(ctx.zeroPfn, vmPageProt(vma.vmFlags) & ~_PAGE_RW | _PAGE_ACCESSED));
    r.newPfn = ctx.zeroPfn;
    return "zero-page";
  }
  const pfn = newAnonPage(mm, vma, address);
  if (pfn < 0) return "oom";
  ctx.mem.zeroPage(pfn * PAGE_SIZE);
  ctx.counters.pagesZeroed++;
  ctx.frames.mapcount[pfn] = 1;
  mm.anonRss++;
  const pte = pteMk(pfn, vmPageProt(vma.vmFlags) | _PAGE_ACCESSED | _PAGE_RW | _PAGE_DIRTY); // ours alone
  ctx.mem.write32(ptePa, pte >>> 0);
  r.newPfn = pfn;
  return "demand-zero";
}

/**
 * A first touch of a file page (Linux do_no_page): page index of the file,
 * which faultDecide found inside it, is found in or read into the page
 * cache; a write to a private mapping gets its own copy at once.
 */
export function doNoPage(
  mm: Mm, vma: VmArea, address: number, index: number, ptePa: number, write: boolean, r: FaultResult,
): FaultDecision {
  const ctx = mm.ctx, frames = ctx.frames;
  const file = vma.vmFile!;
  const cpfn = file.mapping.readCachePage(file, index);
  if (cpfn < 0) return cpfn === -Errno.ENOSPC ? "sigbus" : "oom"; // a full tmpfs: SIGBUS, as shmem_fault
  r.major = file.mapping.lastMajor;
  r.oldPfn = cpfn;
  if (write && !(vma.vmFlags & VM_SHARED)) {
    const pfn = newAnonPage(mm, vma, address);
    if (pfn < 0) return "oom";
    ctx.mem.copyPage(pfn * PAGE_SIZE, cpfn * PAGE_SIZE);
    ctx.counters.pagesCopied++;
    frames.mapcount[pfn] = 1;
    mm.anonRss++;
    ctx.mem.write32(ptePa, pteMk(pfn, vmPageProt(vma.vmFlags) | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY));
    r.newPfn = pfn;
    return "cow-copy";
  }
  frames.getPage(cpfn);
  frames.mapcount[cpfn]++;
  mm.fileRss++;
  let pte = pteMk(cpfn, vmPageProt(vma.vmFlags) | _PAGE_ACCESSED);
  if (write) pte = pteMkdirty(pte);
  ctx.mem.write32(ptePa, pte);
  r.newPfn = cpfn;
  return r.major ? "file-read" : "file-map";
}

/**
 * A write to a present read-only page of a writable area (Linux do_wp_page):
 * a shared mapping, or an anonymous page nobody else references, is made
 * writable in place (reuse); the shared zero page is replaced by a zeroed
 * page of its own ("demand-zero", its first write); otherwise the page is copied.
 */
export function doWpPage(
  mm: Mm, vma: VmArea, address: number, ptePa: number, pte: number, r: FaultResult,
): FaultDecision {
  const ctx = mm.ctx, frames = ctx.frames;
  const va = pageDown(address);
  const old = vmNormalPage(ctx, vma, va, pte);
  r.oldPfn = ptePfn(pte);
  const d = wpDecision(ctx, vma, old, pte);
  if (d === "cow-reuse") {
    ctx.mem.write32(ptePa, pteMkyoung(pteMkdirty(pteMkwrite(pte))));
    ctx.flushTlbPage(mm, va);
    r.newPfn = r.oldPfn;
    return "cow-reuse";
  }
  const pfn = newAnonPage(mm, vma, address);
  if (pfn < 0) return "oom";
  if (d === "demand-zero") {
    ctx.mem.zeroPage(pfn * PAGE_SIZE);
    ctx.counters.pagesZeroed++;
  } else {
    cowUserPage(mm, pfn, old, ptePfn(pte));
  }
  frames.mapcount[pfn] = 1;
  mm.anonRss++;
  ctx.mem.write32(ptePa, pteMk(pfn, vmPageProt(vma.vmFlags) | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY));
  ctx.flushTlbPage(mm, va);
  if (old >= 0) {
    if (frames.flags[old] & PG.ANON) mm.anonRss--;
    else mm.fileRss--;
    frames.mapcount[old]--;
    frames.putPage(old);
  }
  r.newPfn = pfn;
  return d;
}

/**
 * Fills the new frame dst with what the user saw (Linux cow_user_page): a
 * normal source page (src >= 0) is copied; a raw PFN-mapped frame (src -1,
 * rawPfn from the PTE) has no struct page, so its bytes are read the way the
 * user address reads them, and the frame is zero-filled when that fails
 * (the raw frame lies outside guest RAM).
 */
export function cowUserPage(mm: Mm, dst: number, src: number, rawPfn: number): void {
  const ctx = mm.ctx;
  if (src >= 0) ctx.mem.copyPage(dst * PAGE_SIZE, src * PAGE_SIZE);
  else if (rawPfn < ctx.frames.nframes) ctx.mem.writeBytes(dst * PAGE_SIZE, ctx.mem.readBytes(rawPfn * PAGE_SIZE, PAGE_SIZE));
  else ctx.mem.zeroPage(dst * PAGE_SIZE);
  ctx.counters.pagesCopied++;
}

/**
 * A touch of a swapped-out page (Linux do_swap_page): a new anonymous frame
 * is filled from the PTE's swap slot, which loses this PTE's reference. The
 * page is this mm's alone, so it is mapped writable if the area is.
 */
export function doSwapPage(
  mm: Mm, vma: VmArea, address: number, ptePa: number, pte: number, write: boolean, r: FaultResult,
): FaultDecision {
  const ctx = mm.ctx, frames = ctx.frames, swap = ctx.swap;
  const slot = swapPteSlot(pte);
  let pfn = swap.lookupSwapCache(slot);
  if (pfn >= 0) {
    frames.getPage(pfn); // another mm of the bundle read it already: share it, copy-on-write
    frames.mapcount[pfn]++;
  } else {
    pfn = newAnonPage(mm, vma, address);
    if (pfn < 0) return "oom";
    swap.readPage(slot, ctx.mem, pfn * PAGE_SIZE);
    ctx.counters.pswpin++;
    r.major = true;
    frames.mapcount[pfn] = 1;
    if (swap.swapMap[slot] > 1) {
      frames.getPage(pfn); // the swap cache's reference
      swap.addToSwapCache(slot, pfn);
    }
  }
  mm.anonRss++;
  let n = pteMk(pfn, vmPageProt(vma.vmFlags) | _PAGE_ACCESSED);
  // Writable at once only if nobody else can reach the frame; else the write faults and COWs.
  if (vma.vmFlags & VM_WRITE && !(vma.vmFlags & VM_SHARED) && swap.lookupSwapCache(slot) < 0) n |= _PAGE_RW;
  swap.swapFree(slot); // may drop the cache's reference when this was the last holder
  if (n & _PAGE_RW && write) n |= _PAGE_DIRTY;
  ctx.mem.write32(ptePa, n >>> 0);
  r.newPfn = pfn;
  if (write && !(n & _PAGE_RW) && vma.vmFlags & VM_WRITE) return doWpPage(mm, vma, address, ptePa, n >>> 0, r);
  return "swap-in";
}
