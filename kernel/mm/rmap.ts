// The reverse map: from a frame to the PTEs that map it, object-based as in
// the anonmm/anon_vma patches. An anonymous page belongs to an AnonVma (the
// areas of a fork family) at index va >> 12; a file page belongs to an
// AddressSpace whose i_mmap lists the areas mapping the file.

import type { MmContext } from "./context.ts";
import type { Mm } from "./mm.ts";
import { PG } from "./page.ts";
import { pteOffset, ptePfn, ptePresent } from "./pgtable.ts";
import type { AnonVma, VmArea } from "./vma.ts";
import type { AddressSpace } from "./filemap.ts";

export interface PageMapping {
  mm: Mm;
  vma: VmArea;
  va: number;
}

/** Where frame pfn is mapped (Linux page_referenced_one over rmap). Allocates: for the monitor and checks. */
export function pageMappers(ctx: MmContext, pfn: number): PageMapping[] {
  const out: PageMapping[] = [];
  if (!ctx.frames.isNormal(pfn) || ctx.frames.count[pfn] === 0) return out;
  const owner = ctx.frames.mapping[pfn];
  const index = ctx.frames.index[pfn];
  const probe = (vma: VmArea, va: number): void => {
    if (va < vma.vmStart || va >= vma.vmEnd) return;
    const ptePa = pteOffset(vma.vmMm, va);
    if (ptePa === 0) return;
    const pte = ctx.mem.read32(ptePa);
    if (ptePresent(pte) && ptePfn(pte) === pfn) out.push({ mm: vma.vmMm, vma, va });
  };
  if (owner?.kind === "anon" && ctx.frames.flags[pfn] & PG.ANON) {
    for (const vma of (owner as AnonVma).vmas) probe(vma, index * 4096);
  } else if (owner?.kind === "file") {
    for (const vma of (owner as AddressSpace).iMmap) probe(vma, vma.vmStart + (index - vma.vmPgoff) * 4096);
  }
  return out;
}
