// Growing a VM_GROWSDOWN area (the user stack) down to a faulting address.

import { Errno } from "../errno.ts";
import { MMAP_MIN_ADDR, PAGE_SHIFT, PAGE_SIZE, STACK_GUARD_GAP, pageDown } from "./config.ts";
import type { Mm } from "./mm.ts";
import { VM_GROWSDOWN, type VmArea } from "./vma.ts";

/**
 * Extends the GROWSDOWN area vma of mm down to cover address (Linux
 * expand_stack). Refused with -ENOMEM when the stack would exceed
 * RLIMIT_STACK, the address space RLIMIT_AS, or come closer than
 * STACK_GUARD_GAP to the area below; with -EPERM below MMAP_MIN_ADDR (as
 * Linux's expand_downwards). Returns 0 on success.
 */
export function expandStack(mm: Mm, vma: VmArea, address: number): number {
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
  vma.vmStart = addr;
  vma.vmPgoff -= grow;
  mm.totalVm += grow;
  mm.invalidateCache();
  return 0;
}
