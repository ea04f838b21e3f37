// Page reclaim (Linux vmscan): when free frames fall below a low watermark at
// a fault, a clock hand sweeps the frames and frees cold pages until a high
// watermark is reached. A page is cold when no PTE mapping it has the accessed
// bit set (pageReferenced clears the bits: a second chance). Cold anonymous
// pages are written to a swap slot and every PTE is replaced by the swap entry
// (tryToUnmap, found through the anonmm reverse map); cold clean file pages
// are unmapped through i_mmap and dropped from the page cache. Pages the
// kernel holds (extra references), shmem pages and dirty file pages stay.

import type { MmContext } from "./context.ts";
import type { AddressSpace } from "./filemap.ts";
import { PG } from "./page.ts";
import { pteDirty } from "./pgtable.ts";
import { pageMappers, pageReferenced } from "./rmap.ts";
import { swapEntryPte } from "./swap.ts";

const hands = new WeakMap<MmContext, number>();

/** Free-frame watermarks: reclaim starts below low and stops at high. */
export function watermarks(ctx: MmContext): { low: number; high: number } {
  const low = Math.max(16, Math.min(256, Math.floor(ctx.frames.totalram / 128)));
  return { low, high: low * 2 };
}

/** Reclaims up to the high watermark if free frames are below the low one (Linux balance_pgdat). */
export function balancePgdat(ctx: MmContext): void {
  const { low, high } = watermarks(ctx);
  const free = ctx.frames.freeCount;
  if (free >= low) return;
  shrinkMemory(ctx, high - free);
}

/**
 * Unmaps frame pfn from every PTE (Linux try_to_unmap): each PTE becomes
 * swapPte (a swap entry, whose slot gains one reference per PTE) or none (0);
 * the mms' rss drop (after their high-water mark is updated), the frame loses
 * its mappings and their references. Returns false if a PTE was found dirty on
 * a file page (which then stays mapped: it must be written back first).
 */
export function tryToUnmap(ctx: MmContext, pfn: number, swapPte: number): boolean {
  const frames = ctx.frames, mem = ctx.mem;
  const maps = pageMappers(ctx, pfn);
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
  swap.writePage(slot, ctx.mem, pfn * 4096);
  tryToUnmap(ctx, pfn, swapEntryPte(slot));
  swap.swapFree(slot); // the PTEs hold the slot now
  ctx.counters.pswpout++;
  return frames.count[pfn] === 0;
}

/** Drops clean file page pfn from its page cache if it is cold. True when the frame was freed. */
function reclaimFile(ctx: MmContext, pfn: number): boolean {
  const frames = ctx.frames;
  const as = frames.mapping[pfn] as AddressSpace | null;
  if (!as || as.kind !== "file" || as.shmemPages || frames.flags[pfn] & PG.DIRTY) return false;
  if (pageReferenced(ctx, pfn) > 0) return false;
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
  let hand = hands.get(ctx) ?? first;
  let freed = 0;
  for (let scanned = 0; scanned < 2 * (n - first) && freed < want; scanned++) {
    const pfn = hand;
    hand = hand + 1 >= n ? first : hand + 1;
    if (frames.count[pfn] === 0 || frames.pins[pfn] !== 0) continue;
    const f = frames.flags[pfn];
    if (f & PG.ANON) {
      if (frames.mapcount[pfn] === 0 || frames.count[pfn] !== frames.mapcount[pfn]) continue;
      if (reclaimAnon(ctx, pfn)) freed++;
    } else if (f & PG.CACHE) {
      if (frames.count[pfn] !== frames.mapcount[pfn] + 1) continue;
      if (reclaimFile(ctx, pfn)) freed++;
    }
  }
  hands.set(ctx, hand);
  return freed;
}
