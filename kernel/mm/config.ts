// Memory-manager constants of the i386 two-level paging layout and the user
// address space (Linux/i386 values).

import { TASK_SIZE as ARCH_TASK_SIZE, USER_PTRS_PER_PGD as ARCH_USER_PTRS } from "../arch/layout.ts";

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = ~(PAGE_SIZE - 1);
export const PGDIR_SHIFT = 22;
export const PGDIR_SIZE = 1 << PGDIR_SHIFT;
export const PTRS_PER_PTE = 1024;
export const PTRS_PER_PGD = 1024;
/** User space is 0..TASK_SIZE (3 GiB). */
export const TASK_SIZE = ARCH_TASK_SIZE;
/** Page-directory entries 0..767 map user space; 768..1023 are the kernel's, shared by every pgd. */
export const USER_PTRS_PER_PGD = ARCH_USER_PTRS;
/** Bottom-up mmap search starts here (Linux/i386 TASK_UNMAPPED_BASE = TASK_SIZE / 3). */
export const TASK_UNMAPPED_BASE = 0x4000_0000;
/** The minimum gap between the top-down mmap base and the stack top (Linux: 128 MiB). */
export const MIN_STACK_GAP = 128 * 1024 * 1024;
/** Gap kept free below a growing stack (Linux's stack_guard_gap default: 256 pages). */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** At most this many single-page TLB flushes are issued by one operation; above it, one full flush. */
export const TLB_FLUSH_SINGLE_MAX = 16;
/**
 * Lowest address a process without CAP_SYS_RAWIO may map (sysctl
 * vm.mmap_min_addr; 65536 in Debian's and most distributions' kernel configs),
 * so that a kernel NULL dereference cannot reach user data.
 */
export const MMAP_MIN_ADDR = 0x10000;
/** Linux's default limit on the number of vmas per mm (sysctl vm.max_map_count). */
export const DEFAULT_MAX_MAP_COUNT = 65530;

/** Rounds up to a page boundary (no 32-bit wrap: 0xffffffff gives 2^32). */
export function pageAlign(x: number): number {
  return Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;
}

/** Rounds an address down to its page (unsigned). */
export function pageDown(x: number): number {
  return (x & PAGE_MASK) >>> 0;
}

/** Rounds up to a page boundary without 32-bit wrap-around (for lengths up to 4 GiB). */
export function pageAlignLen(len: number): number {
  return Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
}
