// Growing a VM_GROWSDOWN area (the user stack) down to a faulting address.

import { Errno } from "../errno.ts";
import { MMAP_MIN_ADDR, PAGE_SHIFT, PAGE_SIZE, STACK_GUARD_GAP, pageDown } from "./config.ts";
import type { Mm } from "./mm.ts";
import { VM_GROWSDOWN, type VmArea } from "./vma.ts";

/**
 * Why the GROWSDOWN area vma of mm cannot grow down to cover address (Linux
 * expand_stack's refusals), or 0 when it can (or already covers it): -EFAULT
 * for an area that does not grow down, -EPERM below MMAP_MIN_ADDR (as
 * Linux's expand_downwards), -ENOMEM when the stack would exceed
 * RLIMIT_STACK, the address space RLIMIT_AS, or come closer than
 * STACK_GUARD_GAP to the area below. Changes nothing.
 */
export function stackGrowthError(mm: Mm, vma: VmArea, address: number): number {
  if (!(vma.vmFlags & VM_GROWSDOWN)) return -Errno.EFAULT;
  const addr = pageDown(address);
  if (addr >= vma.vmStart) return 0;
  if (addr < MMAP_MIN_ADDR) return -Errno.EPERM;
  const grow = (vma.vmStart - addr) >>> PAGE_SHIFT;
  if (vma.vmEnd - addr > mm.limits.stack) return -Errno.ENOMEM;
  if ((mm.totalVm + grow) * PAGE_SIZE > mm.limits.as) return -Errno.ENOMEM;
  const { prev } = mm.findVmaPrev(addr);
  if (prev && prev !== vma && !(prev.vmFlags & VM_GROWSDOWN) && addr - prev.vmEnd < STACK_GUARD_GAP) {
    return -Errno.ENOMEM;
  }
  return 0;
}

/**
 * Extends the GROWSDOWN area vma of mm down to cover address (Linux
 * expand_stack), unless stackGrowthError refuses it. Returns 0 on success.
 */
export function expandStack(mm: Mm, vma: VmArea, address: number): number {
  const err = stackGrowthError(mm, vma, address);
  if (err !== 0) return err;
  const addr = pageDown(address);
  if (addr >= vma.vmStart) return 0;
  const grow = (vma.vmStart - addr) >>> PAGE_SHIFT;
  vma.vmStart = addr;
  vma.vmPgoff -= grow;
  mm.totalVm += grow;
  mm.invalidateCache();
  return 0;
}
