// Which pages of a range are in memory (Linux mm/mincore.c), and the advice
// that brings them in (MADV_WILLNEED, Linux madvise_willneed).

import { Errno } from "../errno.ts";
import { PAGE_MASK, PAGE_SHIFT, TASK_SIZE, pageAlignLen, PAGE_SIZE } from "./config.ts";
import type { Mm } from "./mm.ts";
import { ptePresent, pteOffset } from "./pgtable.ts";
import { newAnonPage } from "./fault.ts";
import type { VmArea } from "./vma.ts";
import { isSwapPte, swapPteSlot } from "./swap.ts";

/**
 * Whether the page at va of vma is resident: a present PTE; a swap entry
 * whose slot is in the swap cache; or, with no PTE, a file page in the page
 * cache (anonymous memory never touched is not resident) (Linux
 * mincore_page / mincore_pte_range).
 */
export function pageResident(mm: Mm, vma: VmArea, va: number): boolean {
  const ptePa = pteOffset(mm, va);
  const pte = ptePa === 0 ? 0 : mm.ctx.mem.read32(ptePa);
  if (ptePresent(pte)) return true;
  if (isSwapPte(pte)) return mm.ctx.swap.lookupSwapCache(swapPteSlot(pte)) >= 0;
  const file = vma.vmFile;
  if (file === null) return false;
  const index = ((va - vma.vmStart) >>> PAGE_SHIFT) + vma.vmPgoff;
  return file.mapping.findPage(index) >= 0 || (file.resident?.(index) ?? false);
}

/**
 * The residency of [start, start+len) as one byte per page (bit 0 set when
 * resident), as mincore(2) reports it. -EINVAL for an unaligned start,
 * -ENOMEM when part of the range is not mapped (or past TASK_SIZE).
 */
export function doMincore(mm: Mm, start: number, len: number): Uint8Array | number {
  start >>>= 0;
  if (start & ~PAGE_MASK) return -Errno.EINVAL;
  len = pageAlignLen(len >>> 0);
  if (start + len > TASK_SIZE) return -Errno.ENOMEM;
  const vec = new Uint8Array(len >>> PAGE_SHIFT);
  for (let va = start; va < start + len; va += PAGE_SIZE) {
    const vma = mm.findVma(va);
    if (!vma || vma.vmStart > va) return -Errno.ENOMEM;
    mm.ctx.counters.pteVisits++;
    vec[(va - start) >>> PAGE_SHIFT] = pageResident(mm, vma, va) ? 1 : 0;
  }
  return vec;
}

/**
 * MADV_WILLNEED on [start, end) of vma: anonymous pages out on swap are read
 * into the swap cache (Linux swapin_walk_pmd_entry + read_swap_cache_async),
 * so the later touch is a minor fault; file pages are read into the page
 * cache when the file is not already held in memory (ramfs and tmpfs are).
 * Stops quietly when memory runs out, as readahead does. Returns 0.
 */
export function madviseWillneed(mm: Mm, vma: VmArea, start: number, end: number): number {
  const ctx = mm.ctx, swap = ctx.swap;
  const file = vma.vmFile;
  if (file !== null) {
    if (file.storePage) return 0;
    const lastIndex = Math.ceil(file.size / PAGE_SIZE);
    for (let va = start; va < end; va += PAGE_SIZE) {
      const index = ((va - vma.vmStart) >>> PAGE_SHIFT) + vma.vmPgoff;
      if (index >= lastIndex || file.mapping.readCachePage(file, index) < 0) break;
    }
    return 0;
  }
  for (let va = start; va < end; va += PAGE_SIZE) {
    const ptePa = pteOffset(mm, va);
    if (ptePa === 0) {
      va = (((va >>> 22) + 1) << 22) - PAGE_SIZE; // no page table: skip to the next one
      continue;
    }
    const pte = ctx.mem.read32(ptePa);
    if (!isSwapPte(pte)) continue;
    const slot = swapPteSlot(pte);
    if (swap.lookupSwapCache(slot) >= 0) continue;
    const pfn = newAnonPage(mm, vma, va);
    if (pfn < 0) break;
    swap.readPage(slot, ctx.mem, pfn * PAGE_SIZE);
    ctx.counters.pswpin++;
    swap.addToSwapCache(slot, pfn); // the cache holds the frame's only reference
  }
  return 0;
}
