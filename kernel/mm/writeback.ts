// Writing file pages back to a backing store (hostfs): finding whether a
// cached page was written through a mapping and making it clean again, as
// Linux's page_mkclean (mm/rmap.c) does before writepage. The MMU sets the
// dirty bit of a PTE on the first store; clearing it (and the TLB entry)
// lets the next store mark the page dirty again.

import type { MmContext } from "./context.ts";
import { PG } from "./page.ts";
import { pteDirty, pteMkclean } from "./pgtable.ts";
import { pageMappers } from "./rmap.ts";

/** Clears the dirty bit of every PTE mapping pfn; true if one was set. */
export function pageMkclean(ctx: MmContext, pfn: number): boolean {
  let dirty = false;
  for (const m of pageMappers(ctx, pfn)) {
    const pte = ctx.mem.read32(m.ptePa);
    if (!pteDirty(pte)) continue;
    ctx.mem.write32(m.ptePa, pteMkclean(pte));
    ctx.flushTlbPage(m.mm, m.va);
    dirty = true;
  }
  return dirty;
}

/**
 * Writes cached page pfn (page `index` of its file) back if a mapping or an
 * earlier unmap dirtied it, through write(index, pfn). True if it was written.
 */
export function writebackPage(ctx: MmContext, pfn: number, index: number, write: (index: number, pfn: number) => void): boolean {
  const frames = ctx.frames;
  if (pageMkclean(ctx, pfn)) frames.flags[pfn] |= PG.DIRTY;
  if ((frames.flags[pfn] & PG.DIRTY) === 0) return false;
  frames.flags[pfn] &= ~PG.DIRTY;
  write(index, pfn);
  return true;
}
