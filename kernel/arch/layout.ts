// The kernel's view of the PC: where its own structures live in guest
// physical memory, the selectors of its GDT, and the Linux/i386 split of the
// linear address space (user 0-3 GiB, all RAM mapped at PAGE_OFFSET).

export const PAGE_OFFSET = 0xc000_0000;
/** First linear address the kernel owns; user addresses are below it. */
export const TASK_SIZE = PAGE_OFFSET;
/** Index of the first page-directory entry of the kernel half. */
export const USER_PTRS_PER_PGD = PAGE_OFFSET >>> 22; // 768

// Fixed physical locations of the boot-time structures (below 1 MiB).
export const SWAPPER_PG_DIR = 0x1000; // the master page directory
export const GDT_PA = 0x2000; // GDT_ENTRIES * 8 bytes
export const TSS_PA = 0x2800; // 104-byte TSS, the I/O permission bitmap and its terminator byte
/** Ports covered by the TSS I/O bitmap (ioperm), as Linux before 2.6.8 (IO_BITMAP_BITS 1024). */
export const IO_BITMAP_BITS = 1024;
/** Offset of the I/O bitmap inside the TSS (just past the 104-byte 32-bit TSS). */
export const TSS_IO_BITMAP_OFFSET = 0x68;
export const IDT_PA = 0x3000; // 256 gates * 8 bytes
export const STUBS_PA = 0x4000; // trap entry stubs and the idle loop (8 KiB)
export const IDLE_STACK_PA = 0x6000; // the idle context's kernel stack (8 KiB)
export const IDLE_STACK_TOP_PA = 0x8000;
/** The shared zero page (Linux i386 empty_zero_page): read faults on untouched anonymous memory map it. */
export const EMPTY_ZERO_PAGE_PA = 0x8000;
/** Physical memory below this is never handed to the frame allocator. */
export const LOW_RESERVED_END = 0x10_0000;

/** GDT slots, numbered as Linux/i386 numbers them so selectors look familiar. */
export const GDT_ENTRIES = 32;
export const GDT_ENTRY_TLS_MIN = 6;
export const GDT_ENTRY_TLS_ENTRIES = 3;
export const GDT_ENTRY_KERNEL_CS = 12;
export const GDT_ENTRY_KERNEL_DS = 13;
export const GDT_ENTRY_USER_CS = 14;
export const GDT_ENTRY_USER_DS = 15;
export const GDT_ENTRY_TSS = 16;

export const KERNEL_CS = GDT_ENTRY_KERNEL_CS * 8; // 0x60
export const KERNEL_DS = GDT_ENTRY_KERNEL_DS * 8; // 0x68
export const USER_CS = GDT_ENTRY_USER_CS * 8 + 3; // 0x73
export const USER_DS = GDT_ENTRY_USER_DS * 8 + 3; // 0x7b
export const TSS_SEL = GDT_ENTRY_TSS * 8; // 0x80

/** The I/O port the trap stubs write the trap-frame address to: the hypercall into the TS kernel. */
export const HYPERCALL_PORT = 0x04b0;

/**
 * Each task's kernel stack is one frame (Linux/i386's 4 KiB-stack option):
 * it only ever holds the stub's trap frame, as the kernel itself runs on the host.
 */
export const THREAD_SIZE = 0x1000;

/** Linear (kernel virtual) address of a physical address in the direct map. */
export function kva(pa: number): number {
  return (pa + PAGE_OFFSET) >>> 0;
}

/** Physical address of a direct-mapped kernel linear address. */
export function kpa(va: number): number {
  return (va - PAGE_OFFSET) >>> 0;
}
