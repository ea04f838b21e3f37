// Creating and removing areas: doMmap (anonymous, file private/shared,
// MAP_FIXED), getUnmappedArea (top-down below the stack, or bottom-up),
// doMunmap (splitting, zapping, freeing page tables), and brk.

import { Errno } from "../errno.ts";
import { MMAP_MIN_ADDR, PAGE_MASK, PAGE_SHIFT, TASK_SIZE, TASK_UNMAPPED_BASE, pageAlign, pageAlignLen, PAGE_SIZE } from "./config.ts";
import type { FileBacking } from "./filemap.ts";
import { ShmemFile } from "./filemap.ts";
import { handleMmFault } from "./fault.ts";
import { freePgtables, zapPageRange } from "./memory.ts";
import { Mm, splitVma, vmaMerge } from "./mm.ts";
import {
  VmArea, VM_EXEC, VM_GROWSDOWN, VM_LOCKED, VM_MAYEXEC, VM_MAYREAD, VM_MAYSHARE, VM_MAYWRITE, VM_READ, VM_SHARED,
  VM_WRITE, VM_DENYWRITE, VM_EXECUTABLE, VM_NORESERVE,
} from "./vma.ts";
import type { MmContext } from "./context.ts";

export const PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
export const PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
export const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_TYPE = 0x0f, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x0100, MAP_DENYWRITE = 0x0800, MAP_EXECUTABLE = 0x1000, MAP_LOCKED = 0x2000;
export const MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000, MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000;
export const MAP_FIXED_NOREPLACE = 0x100000;

/** VM_READ/WRITE/EXEC from PROT_* (Linux calc_vm_prot_bits). */
export function calcVmProtBits(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

/**
 * Linux's heuristic overcommit (vm.overcommit_memory=0, __vm_enough_memory
 * since Linux 5.8): a single request for more pages than RAM plus swap is
 * refused; anything smaller is granted and may meet the OOM killer later.
 */
export function vmEnoughMemory(ctx: MmContext, pages: number): boolean {
  return pages <= ctx.frames.totalram + ctx.swap.nslots;
}

/**
 * Whether an area with these flags commits memory (Linux accountable_mapping,
 * plus shmem's own charge for shared anonymous memory): private writable
 * mappings, and shared anonymous ones, unless MAP_NORESERVE.
 */
export function accountableMapping(vmFlags: number, anonShared: boolean): boolean {
  if (vmFlags & VM_NORESERVE) return false;
  return anonShared || (vmFlags & (VM_SHARED | VM_WRITE)) === VM_WRITE;
}

/**
 * Whether a mapping may start at addr (Linux cap_mmap_addr): below
 * MMAP_MIN_ADDR only with CAP_SYS_RAWIO (rawio). Returns 0 or -EPERM. The
 * callers that know the credentials (mmap, shmat, exec) check MAP_FIXED
 * addresses with it; searched addresses never go below MMAP_MIN_ADDR.
 */
export function securityMmapAddr(addr: number, rawio: boolean): number {
  return addr < MMAP_MIN_ADDR && !rawio ? -Errno.EPERM : 0;
}

/**
 * Finds a free range of len bytes (Linux get_unmapped_area). A hint that fits
 * is taken as is (raised to MMAP_MIN_ADDR, Linux round_hint_to_min); otherwise
 * the search runs top-down from mm.mmapBase (or bottom-up from
 * TASK_UNMAPPED_BASE when mm.mmapBase is 0), never below MMAP_MIN_ADDR.
 * Returns the address or -ENOMEM.
 */
export function getUnmappedArea(mm: Mm, hint: number, len: number): number {
  if (len > TASK_SIZE) return -Errno.ENOMEM;
  if (hint) {
    const addr = Math.max(pageAlign(hint), MMAP_MIN_ADDR);
    if (addr + len <= TASK_SIZE) {
      const vma = mm.findVma(addr);
      if (!vma || addr + len <= vma.vmStart) return addr;
    }
  }
  if (mm.mmapBase === 0) return bottomUp(mm, TASK_UNMAPPED_BASE, len);
  const r = topDown(mm, Math.min(mm.freeAreaCache, mm.mmapBase), len);
  if (r >= 0) return r;
  if (mm.freeAreaCache < mm.mmapBase) {
    const again = topDown(mm, mm.mmapBase, len);
    if (again >= 0) return again;
  }
  return bottomUp(mm, TASK_UNMAPPED_BASE, len); // Linux falls back to the bottom-up search
}

function topDown(mm: Mm, top: number, len: number): number {
  let addr = top - len;
  while (addr >= MMAP_MIN_ADDR) {
    const vma = mm.findVma(addr);
    if (!vma || addr + len <= vma.vmStart) {
      mm.freeAreaCache = addr;
      return addr;
    }
    addr = vma.vmStart - len;
  }
  return -Errno.ENOMEM;
}

function bottomUp(mm: Mm, start: number, len: number): number {
  let addr = start;
  for (;;) {
    if (addr + len > TASK_SIZE) return -Errno.ENOMEM;
    const vma = mm.findVma(addr);
    if (!vma || addr + len <= vma.vmStart) return addr;
    addr = vma.vmEnd;
  }
}

/**
 * Maps len bytes (Linux do_mmap_pgoff). file null = anonymous (shared
 * anonymous mappings get a shmem object). pgoff in pages. fileWritable: the
 * file was opened for writing (a shared writable mapping needs it).
 * deviceMmap: a character device's mmap, called on the new (unmerged, fileless)
 * area with vmPgoff = pgoff; its error removes the area again.
 * MAP_FIXED replaces whatever was mapped there. Returns the address or -errno.
 */
export function doMmap(
  mm: Mm, file: FileBacking | null, addr: number, len: number, prot: number, flags: number, pgoff = 0,
  fileWritable = true, deviceMmap: ((vma: VmArea) => number) | null = null,
): number {
  const ctx = mm.ctx;
  if (len <= 0 || !Number.isInteger(len)) return -Errno.EINVAL;
  if (flags & MAP_ANONYMOUS) file = null;
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE) return -Errno.EINVAL;
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -Errno.EINVAL;
  len = pageAlignLen(len);
  if (len > TASK_SIZE) return -Errno.ENOMEM;
  if (file && pgoff + len / PAGE_SIZE > 2 ** 32) return -Errno.EOVERFLOW;
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  if (fixed) {
    if (addr & ~PAGE_MASK) return -Errno.EINVAL;
    if (addr + len > TASK_SIZE || addr < 0) return -Errno.ENOMEM;
    if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) && mm.findVmaIntersection(addr, addr + len)) {
      return -Errno.EEXIST;
    }
  } else {
    const a = getUnmappedArea(mm, addr, len);
    if (a < 0) return a;
    addr = a;
  }
  let vmFlags = calcVmProtBits(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | mm.defFlags;
  if (flags & MAP_GROWSDOWN) vmFlags |= VM_GROWSDOWN;
  if (flags & MAP_LOCKED) vmFlags |= VM_LOCKED;
  if (flags & MAP_DENYWRITE) vmFlags |= VM_DENYWRITE;
  if (flags & MAP_EXECUTABLE) vmFlags |= VM_EXECUTABLE;
  if (flags & MAP_NORESERVE) vmFlags |= VM_NORESERVE;
  if (type === MAP_SHARED) {
    vmFlags |= VM_SHARED | VM_MAYSHARE;
    if ((file || deviceMmap) && !fileWritable) {
      if (prot & PROT_WRITE) return -Errno.EACCES;
      vmFlags &= ~(VM_MAYWRITE | VM_SHARED); // a read-only shared mapping behaves like a private one
    }
  }
  // RLIMIT_AS, counting what a MAP_FIXED replaces.
  let replaced = 0;
  if (fixed) {
    for (let v = mm.findVmaIntersection(addr, addr + len); v && v.vmStart < addr + len; v = mm.next(v)) {
      replaced += Math.min(v.vmEnd, addr + len) - Math.max(v.vmStart, addr);
    }
  }
  if ((mm.totalVm * PAGE_SIZE + len - replaced) > mm.limits.as) return -Errno.ENOMEM;
  const anonShared = !file && !deviceMmap && type === MAP_SHARED;
  if (accountableMapping(vmFlags, anonShared) && !vmEnoughMemory(ctx, len >>> PAGE_SHIFT)) return -Errno.ENOMEM;
  if (replaced) {
    const err = doMunmap(mm, addr, len);
    if (err < 0) return err;
  }
  if (mm.mapCount >= mm.maxMapCount) return -Errno.ENOMEM;
  ctx.prof.enter("doMmap");
  let vma: VmArea | null = null;
  if (deviceMmap) {
    // A device area: never merged; the driver fills it (Linux f_op->mmap).
    vma = new VmArea(mm, addr, addr + len, vmFlags, pgoff, null);
    mm.insertVmStruct(vma);
    const err = deviceMmap(vma);
    if (err < 0) {
      zapPageRange(mm, vma, vma.vmStart, vma.vmEnd);
      mm.removeVmStruct(vma);
      freePgtables(mm, addr, addr + len);
      ctx.prof.leave();
      return err;
    }
  } else if (file || type === MAP_PRIVATE) {
    const { prev } = mm.findVmaPrev(addr);
    vma = vmaMerge(mm, prev, addr, addr + len, vmFlags, file, file ? pgoff : addr >>> PAGE_SHIFT, null);
  }
  if (!vma) {
    let backing = file;
    let off = pgoff;
    if (!backing) {
      if (type === MAP_SHARED) {
        backing = new ShmemFile(ctx, len);
        off = 0;
      } else {
        off = addr >>> PAGE_SHIFT;
      }
    }
    vma = new VmArea(mm, addr, addr + len, vmFlags, off, backing);
    mm.insertVmStruct(vma);
  }
  mm.totalVm += len >>> PAGE_SHIFT;
  ctx.prof.leave();
  if ((flags & MAP_POPULATE || vmFlags & VM_LOCKED) && !(flags & MAP_NONBLOCK)) makePagesPresent(mm, addr, addr + len);
  return addr;
}

/** Faults in every page of [start, end) as a write if the area is writable (Linux make_pages_present). */
export function makePagesPresent(mm: Mm, start: number, end: number): void {
  for (let a = start; a < end; a += PAGE_SIZE) {
    const vma = mm.findVma(a);
    if (!vma || vma.vmStart > a) break;
    const r = handleMmFault(mm, a, (vma.vmFlags & VM_WRITE) !== 0, false);
    if (r.decision === "sigsegv" || r.decision === "sigbus" || r.decision === "oom") break;
  }
}

/**
 * Unmaps [start, start + len) (Linux do_munmap): areas straddling the ends are
 * split, the pages are dropped, TLB entries of the current mm flushed and
 * page tables no longer covered by any area freed. 0 or -errno.
 */
export function doMunmap(mm: Mm, start: number, len: number): number {
  if (start & ~PAGE_MASK || start >= TASK_SIZE || len > TASK_SIZE - start || start < 0) return -Errno.EINVAL;
  len = pageAlignLen(len);
  if (len === 0) return -Errno.EINVAL;
  const end = start + len;
  const vma = mm.findVma(start);
  if (!vma || vma.vmStart >= end) return 0;
  const ctx = mm.ctx;
  ctx.prof.enter("doMunmap");
  try {
    // Splitting may fail on the map count limit before anything changed.
    const splits = (vma.vmStart < start ? 1 : 0) + 1;
    if (mm.mapCount + splits > mm.maxMapCount) {
      const last = mm.findVma(end - 1);
      if (vma.vmStart < start || (last && last.vmStart < end && last.vmEnd > end)) return -Errno.ENOMEM;
    }
    if (vma.vmStart < start) {
      const r = splitVma(mm, vma, start, true);
      if (typeof r === "number") return r;
    }
    const last = mm.findVma(end - 1);
    if (last && last.vmStart < end && last.vmEnd > end) {
      const r = splitVma(mm, last, end, true);
      if (typeof r === "number") return r;
    }
    // Detach the areas inside [start, end).
    const i0 = mm.searchIndex(start);
    let i1 = i0;
    while (i1 < mm.vmas.length && mm.vmas[i1].vmStart < end) i1++;
    const gone = mm.vmas.slice(i0, i1);
    mm.updateHiwaterVm();
    mm.removeVmRange(i0, i1, (v) => {
      zapPageRange(mm, v, v.vmStart, v.vmEnd);
      mm.totalVm -= v.pages;
    });
    const lo = gone.length ? gone[0].vmStart : start;
    const hi = gone.length ? gone[gone.length - 1].vmEnd : end;
    freePgtables(mm, lo, hi);
    if (mm.freeAreaCache < hi) mm.freeAreaCache = Math.min(hi, mm.mmapBase || hi);
    return 0;
  } finally {
    ctx.prof.leave();
  }
}

/**
 * The brk system call: moves the end of the heap to newBrk and returns the
 * new break, or the old one if the request is refused (Linux sys_brk).
 * RLIMIT_DATA bounds brk - start_brk (+ the data segment); RLIMIT_AS bounds the total.
 */
export function sysBrk(mm: Mm, newBrk: number): number {
  newBrk >>>= 0;
  if (newBrk < mm.startBrk || newBrk > TASK_SIZE) return mm.brk;
  const limit = mm.limits.data;
  if (newBrk - mm.startBrk + (mm.endData - mm.startData) > limit) return mm.brk;
  const newEnd = pageAlign(newBrk);
  const oldEnd = pageAlign(mm.brk);
  if (newEnd === oldEnd) {
    mm.brk = newBrk;
    return mm.brk;
  }
  if (newBrk <= mm.brk) {
    if (doMunmap(mm, newEnd, oldEnd - newEnd) === 0) mm.brk = newBrk;
    return mm.brk;
  }
  if (newEnd > TASK_SIZE) return mm.brk;
  if (mm.findVmaIntersection(oldEnd, newEnd + PAGE_SIZE)) return mm.brk;
  if (doBrk(mm, oldEnd, newEnd - oldEnd) < 0) return mm.brk;
  mm.brk = newBrk;
  return mm.brk;
}

/** Maps anonymous read/write memory at [addr, addr + len), merging with the area below (Linux do_brk). */
export function doBrk(mm: Mm, addr: number, len: number): number {
  if (len === 0) return addr;
  if ((mm.totalVm * PAGE_SIZE + len) > mm.limits.as) return -Errno.ENOMEM;
  if (mm.findVmaIntersection(addr, addr + len)) return -Errno.ENOMEM;
  return doMmap(mm, null, addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
}
