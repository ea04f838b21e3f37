// Page reclaim (Linux vmscan): when free frames fall below a low watermark at
// a fault, a clock hand sweeps the frames and frees cold pages until a high
// watermark is reached. A page is cold when no PTE mapping it has the accessed
// bit set (pageReferenced clears the bits: a second chance). Cold anonymous
// pages are written to a swap slot and every PTE is replaced by the swap entry
// (tryToUnmap, found through the anonmm reverse map); cold clean file pages
// are unmapped through i_mmap and dropped from the page cache; a cold dirty
// page of a file with a backing store (hostfs) is written back first
// (AddressSpace.writeback). Pages the kernel holds (extra references), shmem
// pages and dirty pages of files kept in RAM stay.

import type { MmContext } from "./context.ts";
import type { AddressSpace } from "./filemap.ts";
import { PG } from "./page.ts";
import { pteDirty } from "./pgtable.ts";
import { pageMappers, pageReferenced } from "./rmap.ts";
import { swapEntryPte } from "./swap.ts";
import { VM_LOCKED } from "./vma.ts";
import { writebackPage } from "./writeback.ts";
import { PAGE_SIZE } from "./config.ts";

/** The low free-frame watermark: reclaim starts below it and stops at twice it. */
export function lowWatermark(ctx: MmContext): number {
  return Math.max(16, Math.min(256, Math.floor(ctx.frames.totalram / 128)));
}

/**
 * Reclaims up to the high watermark if free frames are below the low one
 * (Linux balance_pgdat). Called at every fault: allocates nothing unless it reclaims.
 */
export function balancePgdat(ctx: MmContext): void {
  const low = lowWatermark(ctx);
  const free = ctx.frames.freeCount;
  if (free >= low) return;
  shrinkMemory(ctx, 2 * low - free);
}

/**
 * Unmaps frame pfn from every PTE (Linux try_to_unmap): each PTE becomes
 * swapPte (a swap entry, whose slot gains one reference per PTE) or none (0);
 * the mms' rss drop (after their high-water mark is updated), the frame loses
 * its mappings and their references. Returns false, changing nothing, if an
 * area mapping it is locked or a PTE is dirty on a file page (it must be
 * written back first).
 */
export function tryToUnmap(ctx: MmContext, pfn: number, swapPte: number): boolean {
  const frames = ctx.frames, mem = ctx.mem;
  const maps = pageMappers(ctx, pfn);
  for (const m of maps) if (m.vma.vmFlags & VM_LOCKED) return false; // mlocked pages stay in memory
  if (swapPte === 0) {
    for (const m of maps) {
      if (pteDirty(mem.read32(m.ptePa))) {
        frames.flags[pfn] |= PG.DIRTY;
        return false;
      }
    }
  }
  const done = new Set<number>();
  const anon = (frames.flags[pfn] & PG.ANON) !== 0;
  for (const m of maps) {
    m.mm.updateHiwaterRss();
    if (anon) m.mm.anonRss--;
    else m.mm.fileRss--;
    ctx.flushTlbPage(m.mm, m.va);
    if (done.has(m.ptePa)) continue; // a page table shared by several mms (sharedpt)
    done.add(m.ptePa);
    if (swapPte !== 0) ctx.swap.swapDuplicate(swapPte >>> 8);
    mem.write32(m.ptePa, swapPte);
    frames.mapcount[pfn]--;
    frames.putPage(pfn);
  }
  return true;
}

/** Swaps out anonymous page pfn if it is cold and swap has room. True when the frame was freed. */
function reclaimAnon(ctx: MmContext, pfn: number): boolean {
  const frames = ctx.frames, swap = ctx.swap;
  if (swap.freeCount === 0) return false;
  if (pageReferenced(ctx, pfn) > 0) return false;
  const slot = swap.getSwapPage();
  swap.writePage(slot, ctx.mem, pfn * PAGE_SIZE);
  const unmapped = tryToUnmap(ctx, pfn, swapEntryPte(slot));
  swap.swapFree(slot); // the PTEs hold the slot now (or nobody, if the page stays)
  if (!unmapped) return false;
  ctx.counters.pswpout++;
  return frames.count[pfn] === 0;
}

/**
 * Frees a frame of the swap cache: its contents are still in its slot (a
 * cached frame is never written in place), so the PTEs just go back to the
 * swap entry and the cache lets go. True when the frame was freed.
 */
function reclaimSwapCached(ctx: MmContext, pfn: number, slot: number): boolean {
  if (pageReferenced(ctx, pfn) > 0) return false;
  if (!tryToUnmap(ctx, pfn, swapEntryPte(slot))) return false;
  ctx.swap.deleteFromSwapCache(slot);
  return ctx.frames.count[pfn] === 0;
}

/**
 * Drops file page pfn from its page cache if it is cold; a dirty page of a
 * file with a backing store is written back first (Linux pageout). True when
 * the frame was freed.
 */
function reclaimFile(ctx: MmContext, pfn: number): boolean {
  const frames = ctx.frames;
  const as = frames.mapping[pfn] as AddressSpace | null;
  if (!as || as.kind !== "file" || as.shmemPages) return false;
  if (as.writeback === null && frames.flags[pfn] & PG.DIRTY) return false;
  if (pageReferenced(ctx, pfn) > 0) return false;
  if (as.writeback !== null) writebackPage(ctx, pfn, frames.index[pfn], as.writeback);
  if (!tryToUnmap(ctx, pfn, 0)) return false;
  if (frames.count[pfn] !== 1) return false;
  as.removePage(frames.index[pfn]);
  return true;
}

/**
 * Frees up to `want` frames by sweeping the frames twice at most from where
 * the last sweep stopped (Linux shrink_zone, simplified to one clock).
 * Returns the number freed.
 */
export function shrinkMemory(ctx: MmContext, want: number): number {
  const frames = ctx.frames;
  const first = frames.firstPfn, n = frames.nframes;
  let hand = ctx.reclaimHand;
  let freed = 0;
  for (let scanned = 0; scanned < 2 * (n - first) && freed < want; scanned++) {
    const pfn = hand;
    hand = hand + 1 >= n ? first : hand + 1;
    if (frames.count[pfn] === 0 || frames.pins[pfn] !== 0) continue;
    const f = frames.flags[pfn];
    if (f & PG.ANON) {
      const slot = ctx.swap.cachedSlot.get(pfn);
      if (slot !== undefined) {
        if (frames.count[pfn] === frames.mapcount[pfn] + 1 && reclaimSwapCached(ctx, pfn, slot)) freed++;
        continue;
      }
      if (frames.mapcount[pfn] === 0 || frames.count[pfn] !== frames.mapcount[pfn]) continue;
      if (reclaimAnon(ctx, pfn)) freed++;
    } else if (f & PG.CACHE) {
      if (frames.count[pfn] !== frames.mapcount[pfn] + 1) continue;
      if (reclaimFile(ctx, pfn)) freed++;
    }
  }
  ctx.reclaimHand = hand;
  return freed;
}
