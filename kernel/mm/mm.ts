// mm_struct: one user address space — its page directory, its areas (sorted
// by address, found by binary search), its users (CLONE_VM clones) and its
// accounting (rss, total_vm and their high-water marks, brk, stack).

import { KernelWork } from "../arch/kernel-cost.ts";
import { panic } from "../panic.ts";
import { PAGE_SHIFT, PAGE_SIZE, TASK_SIZE, MIN_STACK_GAP, DEFAULT_MAX_MAP_COUNT } from "./config.ts";
import type { MmContext } from "./context.ts";
import { VmArea, vmaLinkShared, vmaUnlinkShared, VM_SPECIAL, AnonVma } from "./vma.ts";
import type { FileBacking } from "./filemap.ts";
import type { Anonmm } from "./rmap.ts";

/** Resource limits the mm enforces, in bytes (Infinity = unlimited). The process layer owns them. */
export interface MmLimits {
  as: number; // RLIMIT_AS
  data: number; // RLIMIT_DATA (brk)
  stack: number; // RLIMIT_STACK
}

export const UNLIMITED: Readonly<MmLimits> = Object.freeze({ as: Infinity, data: Infinity, stack: Infinity });

export class Mm {
  /** Physical address of the page directory. */
  pgd: number;
  /** Areas sorted by vmStart, not overlapping. */
  readonly vmas: VmArea[] = [];
  /** Tasks using this mm (CLONE_VM clones share one). */
  users = 1;
  /** Number of user page tables this mm's directory references. */
  nrPtes = 0;
  /** The reverse map of this mm's anonymous pages (the anonmm scheme, rmap.ts); null after exit. */
  anonmm: Anonmm | null = null;
  fileRss = 0;
  anonRss = 0;
  hiwaterRss = 0;
  /** Pages of all areas. */
  totalVm = 0;
  hiwaterVm = 0;
  startCode = 0; endCode = 0; startData = 0; endData = 0;
  startBrk = 0; brk = 0; startStack = 0;
  argStart = 0; argEnd = 0; envStart = 0; envEnd = 0;
  /** Top of the top-down mmap search; 0 selects the bottom-up layout from TASK_UNMAPPED_BASE. */
  mmapBase: number;
  /** Where the last top-down search ended (Linux free_area_cache). */
  freeAreaCache: number;
  minFlt = 0;
  majFlt = 0;
  maxMapCount = DEFAULT_MAX_MAP_COUNT;
  /** Flags every new area gets (Linux def_flags: VM_LOCKED after mlockall(MCL_FUTURE)); not inherited by fork. */
  defFlags = 0;
  limits: MmLimits;
  private mmapCache: VmArea | null = null;

  /**
   * limits: copied at creation; the process layer may point mm.limits at the
   * task's own rlimit object so that setrlimit applies at once.
   */
  constructor(readonly ctx: MmContext, pgd: number, limits: Readonly<MmLimits> = UNLIMITED) {
    this.pgd = pgd;
    this.limits = { ...limits };
    this.mmapBase = mmapBaseFor(limits);
    this.freeAreaCache = this.mmapBase;
  }

  get rss(): number {
    return this.fileRss + this.anonRss;
  }
  get mapCount(): number {
    return this.vmas.length;
  }
  /** Peak rss in pages (VmHWM). */
  get hiwaterRssNow(): number {
    return Math.max(this.hiwaterRss, this.rss);
  }
  /** Peak total_vm in pages (VmPeak). */
  get hiwaterVmNow(): number {
    return Math.max(this.hiwaterVm, this.totalVm);
  }
  /** Call just before rss goes down (Linux update_hiwater_rss). */
  updateHiwaterRss(): void {
    if (this.rss > this.hiwaterRss) this.hiwaterRss = this.rss;
  }
  /** Call just before total_vm goes down (Linux update_hiwater_vm). */
  updateHiwaterVm(): void {
    if (this.totalVm > this.hiwaterVm) this.hiwaterVm = this.totalVm;
  }

  /** Index of the first area with vmEnd > addr (vmas.length if none). O(log n). */
  searchIndex(addr: number): number {
    const v = this.vmas;
    let lo = 0, hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v[mid].vmEnd > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Charges a find_vma descent: VMA_FIND per level of a balanced tree of this many areas. */
  private chargeFind(): void {
    this.ctx.work(KernelWork.VMA_FIND, 32 - Math.clz32(this.vmas.length));
  }

  /** The first area with addr < vmEnd, or null (Linux find_vma: it may start above addr). */
  findVma(addr: number): VmArea | null {
    const c = this.mmapCache;
    if (c && c.vmStart <= addr && addr < c.vmEnd && c.vmMm === this) return c;
    this.chargeFind();
    const i = this.searchIndex(addr);
    if (i >= this.vmas.length) return null;
    const vma = this.vmas[i];
    if (vma.vmStart <= addr) this.mmapCache = vma;
    return vma;
  }

  /** Like findVma, also returning the area before it (Linux find_vma_prev). */
  findVmaPrev(addr: number): { vma: VmArea | null; prev: VmArea | null } {
    this.chargeFind();
    const i = this.searchIndex(addr);
    return { vma: this.vmas[i] ?? null, prev: i > 0 ? this.vmas[i - 1] : null };
  }

  /** The first area overlapping [start, end), or null (Linux find_vma_intersection). */
  findVmaIntersection(start: number, end: number): VmArea | null {
    const vma = this.findVma(start);
    return vma && vma.vmStart < end ? vma : null;
  }

  /** Position of vma in the sorted list. */
  indexOf(vma: VmArea): number {
    const i = this.searchIndex(vma.vmStart);
    if (this.vmas[i] !== vma) panic("Mm.indexOf: area not in its mm");
    return i;
  }

  /** The area after vma, or null. */
  next(vma: VmArea): VmArea | null {
    return this.vmas[this.indexOf(vma) + 1] ?? null;
  }

  /**
   * Inserts vma into the sorted list and links it to its file and anon_vma
   * (Linux insert_vm_struct). Panics on overlap: callers must unmap first.
   */
  insertVmStruct(vma: VmArea): void {
    if (vma.vmStart >= vma.vmEnd || vma.vmStart % PAGE_SIZE || vma.vmEnd % PAGE_SIZE) panic("insertVmStruct: bad range");
    const i = this.searchIndex(vma.vmStart);
    const after = this.vmas[i];
    if (after && after.vmStart < vma.vmEnd) panic("insertVmStruct: overlapping areas");
    this.vmas.splice(i, 0, vma);
    vmaLinkShared(vma);
  }

  /** Removes vma from the list and unlinks it from its file and anon_vma. */
  removeVmStruct(vma: VmArea): void {
    this.vmas.splice(this.indexOf(vma), 1);
    vmaUnlinkShared(vma);
    if (this.mmapCache === vma) this.mmapCache = null;
  }

  /**
   * Removes the areas vmas[i0..i1) (Linux detach_vmas_to_be_unmapped +
   * remove_vma_list): for each in order, before(area) runs while it is still
   * linked (munmap zaps its pages there), then it is unlinked from its file and
   * anon_vma; the list loses the whole run in one splice, so unmapping many
   * areas costs O(n) host time instead of one O(n) splice per area.
   */
  removeVmRange(i0: number, i1: number, before: (vma: VmArea) => void): void {
    if (i1 <= i0) return;
    const lo = this.vmas[i0].vmStart, hi = this.vmas[i1 - 1].vmEnd;
    for (let i = i0; i < i1; i++) {
      const vma = this.vmas[i];
      before(vma);
      vmaUnlinkShared(vma);
    }
    this.vmas.splice(i0, i1 - i0);
    const c = this.mmapCache;
    if (c && c.vmStart < hi && c.vmEnd > lo) this.mmapCache = null;
  }

  /** Removes every area (after their pages and tables are gone). */
  removeAllVmas(): void {
    for (const vma of this.vmas) vmaUnlinkShared(vma);
    this.vmas.length = 0;
    this.mmapCache = null;
  }

  /** Forgets the lookup cache (after an area changed its bounds). */
  invalidateCache(): void {
    this.mmapCache = null;
  }

  /** Resets the address-space accounting (exec reuses the mm). */
  resetAccounting(): void {
    this.fileRss = this.anonRss = this.hiwaterRss = 0;
    this.totalVm = this.hiwaterVm = 0;
    this.startCode = this.endCode = this.startData = this.endData = 0;
    this.startBrk = this.brk = this.startStack = 0;
    this.argStart = this.argEnd = this.envStart = this.envEnd = 0;
    this.minFlt = this.majFlt = 0;
    this.defFlags = 0;
    this.mmapBase = mmapBaseFor(this.limits);
    this.freeAreaCache = this.mmapBase;
  }
}

/** Top of the top-down mmap search: below the stack and its rlimit (at least 128 MiB below TASK_SIZE). */
export function mmapBaseFor(limits: MmLimits): number {
  let gap = Number.isFinite(limits.stack) ? limits.stack : MIN_STACK_GAP;
  if (gap < MIN_STACK_GAP) gap = MIN_STACK_GAP;
  if (gap > TASK_SIZE / 6 * 5) gap = TASK_SIZE / 6 * 5;
  return ((TASK_SIZE - gap) & ~0xfff) >>> 0;
}

/** True if an area with these attributes may be merged into `vma` (Linux is_mergeable_vma + anon_vma test). */
export function canMerge(vma: VmArea, flags: number, file: FileBacking | null, anonVma: AnonVma | null): boolean {
  if (vma.vmFlags !== flags || (flags & VM_SPECIAL) !== 0) return false;
  if (vma.vmFile !== file) return false;
  return vma.anonVma === null || anonVma === null || vma.anonVma === anonVma;
}

/**
 * Tries to extend prev (the area ending at or before addr) and/or the area
 * starting at end to cover [addr, end) instead of creating a new area (Linux
 * vma_merge). Returns the area that now covers the range, or null if no merge
 * was possible. Accounting (totalVm) is the caller's.
 */
export function vmaMerge(
  mm: Mm, prev: VmArea | null, addr: number, end: number, flags: number,
  file: FileBacking | null, pgoff: number, anonVma: AnonVma | null,
): VmArea | null {
  if (flags & VM_SPECIAL) return null;
  const pages = (end - addr) >>> PAGE_SHIFT;
  const i = prev ? mm.indexOf(prev) + 1 : mm.searchIndex(addr);
  let next: VmArea | null = mm.vmas[i] ?? null;
  if (next && next.vmStart < end) panic("vmaMerge: range overlaps an area");
  const prevOk = prev !== null && prev.vmEnd === addr && canMerge(prev, flags, file, anonVma) &&
    (file === null || prev.vmPgoff + prev.pages === pgoff);
  const nextOk = next !== null && next.vmStart === end && canMerge(next, flags, file, anonVma) &&
    (file === null || pgoff + pages === next.vmPgoff);
  if (prevOk && nextOk && (prev!.anonVma === null || next!.anonVma === null || prev!.anonVma === next!.anonVma)) {
    mm.removeVmStruct(next!); // before prev grows over it: the list is searched by address
    prev!.vmEnd = next!.vmEnd;
    if (!prev!.anonVma && next!.anonVma) adoptAnon(prev!, next!.anonVma);
    mm.invalidateCache();
    return prev;
  }
  if (prevOk) {
    prev!.vmEnd = end;
    if (!prev!.anonVma && anonVma) adoptAnon(prev!, anonVma);
    mm.invalidateCache();
    return prev;
  }
  if (nextOk) {
    next!.vmStart = addr;
    next!.vmPgoff = file ? pgoff : addr >>> PAGE_SHIFT;
    if (!next!.anonVma && anonVma) adoptAnon(next!, anonVma);
    mm.invalidateCache();
    return next;
  }
  return null;
}

/**
 * Merges vma with its neighbours when they are adjacent and compatible (after
 * mprotect changed its flags). Returns the area that now contains vma's range.
 */
export function vmaMergeNeighbours(mm: Mm, vma: VmArea): VmArea {
  let i = mm.indexOf(vma);
  const prev = i > 0 ? mm.vmas[i - 1] : null;
  if (prev && prev.vmEnd === vma.vmStart && canMerge(prev, vma.vmFlags, vma.vmFile, vma.anonVma) &&
      (vma.vmFile === null || prev.vmPgoff + prev.pages === vma.vmPgoff)) {
    mm.removeVmStruct(vma);
    prev.vmEnd = vma.vmEnd;
    if (!prev.anonVma && vma.anonVma) adoptAnon(prev, vma.anonVma);
    vma = prev;
    i--;
  }
  const next = mm.vmas[i + 1] ?? null;
  if (next && next.vmStart === vma.vmEnd && canMerge(next, vma.vmFlags, vma.vmFile, vma.anonVma) &&
      (vma.vmFile === null || vma.vmPgoff + vma.pages === next.vmPgoff)) {
    mm.removeVmStruct(next);
    vma.vmEnd = next.vmEnd;
    if (!vma.anonVma && next.anonVma) adoptAnon(vma, next.anonVma);
  }
  mm.invalidateCache();
  return vma;
}

function adoptAnon(vma: VmArea, anonVma: AnonVma): void {
  vma.anonVma = anonVma;
  anonVma.vmas.add(vma);
}

/**
 * Splits vma at addr (page aligned, strictly inside it) into two areas (Linux
 * split_vma). The new area is the lower part if newBelow, else the upper; it
 * is inserted and returned. Returns -ENOMEM if the mm has too many areas.
 */
export function splitVma(mm: Mm, vma: VmArea, addr: number, newBelow: boolean): VmArea | number {
  if (addr <= vma.vmStart || addr >= vma.vmEnd || addr % PAGE_SIZE) panic("splitVma: bad split address");
  if (mm.mapCount >= mm.maxMapCount) return -12; // -ENOMEM
  const n = new VmArea(mm, vma.vmStart, vma.vmEnd, vma.vmFlags, vma.vmPgoff, vma.vmFile);
  n.anonVma = vma.anonVma;
  const delta = (addr - vma.vmStart) >>> PAGE_SHIFT;
  if (newBelow) {
    n.vmEnd = addr;
    vma.vmStart = addr;
    vma.vmPgoff += delta;
  } else {
    n.vmStart = addr;
    n.vmPgoff += delta;
    vma.vmEnd = addr;
  }
  mm.invalidateCache();
  mm.insertVmStruct(n);
  return n;
}
