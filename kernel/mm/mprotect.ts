// Changing an existing range: mprotect (split, new flags, new PTE permissions,
// merge back) and madvise (DONTNEED, REMOVE, DONTFORK/DOFORK).

import { Errno } from "../errno.ts";
import { PAGE_MASK, PAGE_SHIFT, PGDIR_SIZE, PTRS_PER_PTE, TASK_SIZE, pageAlignLen, PAGE_SIZE } from "./config.ts";
import { tlbFinish, tlbRemember, unmapMappingRange, zapPageRange } from "./memory.ts";
import { accountableMapping, calcVmProtBits, vmEnoughMemory, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, PROT_READ, PROT_WRITE } from "./mmap.ts";
import { type Mm, splitVma, vmaMergeNeighbours } from "./mm.ts";
import { madviseWillneed } from "./mincore.ts";
import { pdePresent, pdeTable, pgdIndex, ptePresent, pteModify, unshareRange } from "./pgtable.ts";
import {
  VM_DONTCOPY, VM_EXEC, VM_LOCKED, VM_MAYWRITE, VM_PFNMAP, VM_READ, VM_SHARED, VM_WRITE, vmPageProt, type VmArea,
} from "./vma.ts";

/**
 * Gives [start, end) of vma (inside it) the flags newflags: splits off the
 * parts outside, applies the new PTE protection if protection bits changed,
 * and merges the result with compatible neighbours (Linux mprotect_fixup).
 * 0 or -ENOMEM.
 */
export function vmaChangeFlags(mm: Mm, vma: VmArea, start: number, end: number, newflags: number): number {
  if (newflags === vma.vmFlags) return 0;
  if (start > vma.vmStart) {
    const r = splitVma(mm, vma, start, true);
    if (typeof r === "number") return r;
  }
  if (end < vma.vmEnd) {
    const r = splitVma(mm, vma, end, false);
    if (typeof r === "number") return r;
  }
  const protChanged = ((newflags ^ vma.vmFlags) & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)) !== 0;
  vma.vmFlags = newflags;
  if (protChanged && !changeProtection(mm, vma, start, end)) return -Errno.ENOMEM;
  vmaMergeNeighbours(mm, vma);
  return 0;
}

/**
 * Rewrites the present PTEs of [start, end) with vma's protection (Linux
 * change_protection). Private (COW) areas never get writable PTEs here: a
 * later write fault decides between reuse and copy. Shared page tables are
 * unshared first. Flushes the changed translations of the current mm.
 */
export function changeProtection(mm: Mm, vma: VmArea, start: number, end: number): boolean {
  const ctx = mm.ctx, mem = ctx.mem, c = ctx.counters;
  if (!unshareRange(mm, start, end)) return false;
  const prot = vmPageProt(vma.vmFlags);
  let addr = start;
  while (addr < end) {
    const idx = pgdIndex(addr);
    const next = Math.min((idx + 1) * PGDIR_SIZE, end);
    c.pdeVisits++;
    const pde = mem.read32(mm.pgd + idx * 4);
    if (pdePresent(pde)) {
      const table = pdeTable(pde);
      for (let a = addr; a < next; a += PAGE_SIZE) {
        const ptePa = table + ((a >>> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) * 4;
        c.pteVisits++;
        const pte = mem.read32(ptePa);
        if (!ptePresent(pte)) continue;
        const n = pteModify(pte, prot);
        if (n === pte) continue;
        mem.write32(ptePa, n);
        tlbRemember(mm, a);
      }
    }
    addr = next;
  }
  tlbFinish(mm);
  return true;
}

/** The mprotect system call on mm (Linux sys_mprotect). 0 or -errno. */
export function sysMprotect(mm: Mm, start: number, len: number, prot: number): number {
  start >>>= 0;
  if (start & ~PAGE_MASK) return -Errno.EINVAL;
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)) return -Errno.EINVAL;
  if ((prot & (PROT_GROWSDOWN | PROT_GROWSUP)) === (PROT_GROWSDOWN | PROT_GROWSUP)) return -Errno.EINVAL;
  if (len === 0) return 0;
  len = pageAlignLen(len);
  const end = start + len;
  if (end > TASK_SIZE) return -Errno.ENOMEM;
  let vma = mm.findVma(start);
  if (!vma || vma.vmStart > start) return -Errno.ENOMEM;
  const bits = calcVmProtBits(prot);
  mm.ctx.prof.enter("sysMprotect");
  try {
    let nstart = start;
    for (;;) {
      const newflags = (vma.vmFlags & ~(VM_READ | VM_WRITE | VM_EXEC)) | bits;
      if ((newflags & ~(newflags >>> 4)) & (VM_READ | VM_WRITE | VM_EXEC)) return -Errno.EACCES;
      const tmpEnd = Math.min(vma.vmEnd, end);
      // Making private memory writable commits it (Linux mprotect_fixup).
      if (!(vma.vmFlags & VM_WRITE) && accountableMapping(newflags, false) && !vmEnoughMemory(mm.ctx, (tmpEnd - nstart) >>> PAGE_SHIFT)) {
        return -Errno.ENOMEM;
      }
      const err = vmaChangeFlags(mm, vma, nstart, tmpEnd, newflags);
      if (err < 0) return err;
      nstart = tmpEnd;
      // The change may have merged the area with the next one (Linux: nstart = prev->vm_end).
      const cur = mm.findVma(nstart - 1);
      if (cur && cur.vmEnd > nstart) nstart = cur.vmEnd;
      if (nstart >= end) return 0;
      const nv = mm.findVma(nstart);
      if (!nv || nv.vmStart !== nstart) return -Errno.ENOMEM;
      vma = nv;
    }
  } finally {
    mm.ctx.prof.leave();
  }
}

export const MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3, MADV_DONTNEED = 4;
export const MADV_REMOVE = 9, MADV_DONTFORK = 10, MADV_DOFORK = 11;

/**
 * The madvise system call (Linux sys_madvise): DONTNEED drops the pages
 * (anonymous memory reads back as zeros), REMOVE also punches the hole in a
 * shared file's cache (shmem), WILLNEED reads swapped or uncached pages in,
 * DONTFORK/DOFORK set VM_DONTCOPY. NORMAL, RANDOM and SEQUENTIAL (readahead
 * hints, with no readahead here) are accepted and have no effect. 0 or -errno (-ENOMEM if part of the range is unmapped).
 */
export function sysMadvise(mm: Mm, start: number, len: number, advice: number): number {
  start >>>= 0;
  if (start & ~PAGE_MASK) return -Errno.EINVAL;
  if (![MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_REMOVE, MADV_DONTFORK,
    MADV_DOFORK].includes(advice)) return -Errno.EINVAL;
  len = pageAlignLen(len);
  const end = start + len;
  if (end > TASK_SIZE) return -Errno.ENOMEM;
  if (len === 0) return 0;
  let unmapped = false;
  let addr = start;
  while (addr < end) {
    const vma = mm.findVma(addr);
    if (!vma || vma.vmStart >= end) {
      unmapped = true;
      break;
    }
    if (vma.vmStart > addr) unmapped = true;
    const s = Math.max(addr, vma.vmStart), e = Math.min(end, vma.vmEnd);
    const err = madviseVma(mm, vma, s, e, advice);
    if (err < 0) return err;
    addr = e;
  }
  return unmapped ? -Errno.ENOMEM : 0;
}

function madviseVma(mm: Mm, vma: VmArea, start: number, end: number, advice: number): number {
  switch (advice) {
    case MADV_DONTNEED:
      if (vma.vmFlags & (VM_LOCKED | VM_PFNMAP)) return -Errno.EINVAL;
      zapPageRange(mm, vma, start, end);
      return 0;
    case MADV_REMOVE:
      return madviseRemove(mm, vma, start, end);
    case MADV_WILLNEED:
      return madviseWillneed(mm, vma, start, end);
    case MADV_DONTFORK:
      return vmaChangeFlags(mm, vma, start, end, vma.vmFlags | VM_DONTCOPY);
    case MADV_DOFORK:
      return vmaChangeFlags(mm, vma, start, end, vma.vmFlags & ~VM_DONTCOPY);
    default:
      return 0;
  }
}

/**
 * MADV_REMOVE (commit f6b3ec238d, Linux 2.6.16 madvise_remove): frees the file pages of
 * [start, end) and their backing store, so every mapping reads zeros there.
 * -EINVAL for locked or fileless areas, -EACCES unless the area is a shared
 * mapping that may be written, -EOPNOTSUPP when the filesystem cannot punch
 * holes (only tmpfs and shared memory can). Private COW copies elsewhere survive.
 */
function madviseRemove(mm: Mm, vma: VmArea, start: number, end: number): number {
  if (vma.vmFlags & (VM_LOCKED | VM_PFNMAP)) return -Errno.EINVAL;
  const file = vma.vmFile;
  if (!file) return -Errno.EINVAL;
  if ((vma.vmFlags & (VM_SHARED | VM_MAYWRITE)) !== (VM_SHARED | VM_MAYWRITE)) return -Errno.EACCES;
  if (!file.punchHole) return -Errno.EOPNOTSUPP;
  const first = ((start - vma.vmStart) >>> PAGE_SHIFT) + vma.vmPgoff;
  const last = ((end - vma.vmStart) >>> PAGE_SHIFT) + vma.vmPgoff;
  unmapMappingRange(file.mapping, first, last, false); // every area of the file over the hole
  return file.punchHole(first, last);
}
