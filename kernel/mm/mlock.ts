// Locking pages in memory (Linux mm/mlock.c): mlock, munlock, mlockall and
// munlockall set or clear VM_LOCKED on the areas of a range, splitting and
// merging them as mprotect does, and fault the locked pages in. Reclaim never
// takes a page mapped by a VM_LOCKED area (vmscan.ts). Locks are not
// inherited across fork (forkMm) and end at exec.

import { Errno } from "../errno.ts";
import { PAGE_MASK, PAGE_SHIFT, TASK_SIZE, pageAlignLen } from "./config.ts";
import { makePagesPresent } from "./mmap.ts";
import type { Mm } from "./mm.ts";
import { vmaChangeFlags } from "./mprotect.ts";
import { VM_IO, VM_LOCKED, VM_PFNMAP, type VmArea } from "./vma.ts";

export const MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4;

/**
 * What the caller may lock (Linux can_do_mlock and the RLIMIT_MEMLOCK test):
 * limitPages is the soft RLIMIT_MEMLOCK in pages; ipcLock is CAP_IPC_LOCK
 * (root), which lifts the limit.
 */
export interface LockRights {
  limitPages: number;
  ipcLock: boolean;
}

/** Pages of mm's VM_LOCKED areas (Linux mm->locked_vm, derived instead of kept). */
export function lockedVm(mm: Mm): number {
  let n = 0;
  for (const v of mm.vmas) if (v.vmFlags & VM_LOCKED) n += v.pages;
  return n;
}

/** Areas whose pages the kernel does not manage (raw frames, I/O) are never locked. */
function lockable(v: VmArea): boolean {
  return (v.vmFlags & (VM_IO | VM_PFNMAP)) === 0;
}

/** Sets (on) or clears VM_LOCKED on every area of [start, end); -ENOMEM if part of it is unmapped. */
function applyVmaLockFlags(mm: Mm, start: number, end: number, on: boolean): number {
  // Check the whole range first, so a hole changes nothing (Linux apply_vma_lock_flags).
  for (let a = start; a < end; ) {
    const v = mm.findVma(a);
    if (!v || v.vmStart > a) return -Errno.ENOMEM;
    a = v.vmEnd;
  }
  for (let a = start; a < end; ) {
    const v = mm.findVma(a)!;
    const e = Math.min(end, v.vmEnd);
    if (lockable(v)) {
      const flags = on ? v.vmFlags | VM_LOCKED : v.vmFlags & ~VM_LOCKED;
      const err = vmaChangeFlags(mm, v, Math.max(a, v.vmStart), e, flags);
      if (err < 0) return err;
    }
    a = e;
  }
  return 0;
}

/** Pages of [start, end) not locked yet: what locking the range adds to locked_vm. */
function unlockedPagesIn(mm: Mm, start: number, end: number): number {
  let n = 0;
  for (const v of mm.vmas) {
    if (v.vmEnd <= start || v.vmStart >= end || (v.vmFlags & VM_LOCKED)) continue;
    n += (Math.min(end, v.vmEnd) - Math.max(start, v.vmStart)) >>> PAGE_SHIFT;
  }
  return n;
}

/**
 * mlock (on) or munlock of [start, start+len), both widened to whole pages
 * (Linux do_mlock / sys_munlock). Locking needs a nonzero RLIMIT_MEMLOCK or
 * CAP_IPC_LOCK (-EPERM) and must stay within the limit (-ENOMEM); the pages
 * are then faulted in (writable private ones with a write fault, breaking
 * COW as Linux's populate does) unless onFault (mlock2 MLOCK_ONFAULT).
 * -ENOMEM for a range with unmapped parts.
 */
export function doMlock(mm: Mm, start: number, len: number, on: boolean, rights: LockRights, onFault = false): number {
  start >>>= 0;
  len = pageAlignLen(len + (start & ~PAGE_MASK));
  start = (start & PAGE_MASK) >>> 0;
  if (start + len > TASK_SIZE) return -Errno.ENOMEM;
  if (len === 0) return 0;
  const end = start + len;
  if (on) {
    if (rights.limitPages === 0 && !rights.ipcLock) return -Errno.EPERM;
    if (!rights.ipcLock && lockedVm(mm) + unlockedPagesIn(mm, start, end) > rights.limitPages) return -Errno.ENOMEM;
  }
  const err = applyVmaLockFlags(mm, start, end, on);
  if (err < 0) return err;
  if (on && !onFault) makePagesPresent(mm, start, end);
  return 0;
}

/**
 * mlockall(flags) (Linux sys_mlockall): MCL_CURRENT locks every area now,
 * MCL_FUTURE makes later mappings locked (mm.defFlags). -EINVAL for bad
 * flags, -EPERM without the right to lock, -ENOMEM over the limit.
 */
export function doMlockall(mm: Mm, flags: number, rights: LockRights): number {
  if (!flags || flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) || flags === MCL_ONFAULT) return -Errno.EINVAL;
  if (rights.limitPages === 0 && !rights.ipcLock) return -Errno.EPERM;
  if (flags & MCL_CURRENT && !rights.ipcLock && mm.totalVm > rights.limitPages) return -Errno.ENOMEM;
  mm.defFlags = flags & MCL_FUTURE ? mm.defFlags | VM_LOCKED : mm.defFlags & ~VM_LOCKED;
  if (!(flags & MCL_CURRENT)) return 0;
  return changeAll(mm, true, (flags & MCL_ONFAULT) === 0);
}

/** munlockall (Linux sys_munlockall): no area stays locked and later ones are not locked. */
export function doMunlockall(mm: Mm): number {
  mm.defFlags &= ~VM_LOCKED;
  return changeAll(mm, false, false);
}

/** Sets or clears VM_LOCKED on every lockable area, walking by address (areas merge as they change). */
function changeAll(mm: Mm, on: boolean, populate: boolean): number {
  for (let v = mm.findVma(0); v !== null; ) {
    const { vmStart, vmEnd } = v;
    if (lockable(v) && (v.vmFlags & VM_LOCKED) !== (on ? VM_LOCKED : 0)) {
      const err = vmaChangeFlags(mm, v, vmStart, vmEnd, on ? v.vmFlags | VM_LOCKED : v.vmFlags & ~VM_LOCKED);
      if (err < 0) return err;
      if (populate) makePagesPresent(mm, vmStart, vmEnd);
    }
    v = vmEnd < TASK_SIZE ? mm.findVma(vmEnd) : null;
  }
  return 0;
}
