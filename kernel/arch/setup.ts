// Boot-time construction of the machine state the kernel runs on: the master
// page directory mapping all RAM at PAGE_OFFSET, the GDT, TSS and IDT, the
// entry stubs and the idle loop, then the CPU switched straight to protected
// mode with paging on (as a boot loader plus Linux's head.S would leave it).

import type { PhysMem } from "./phys.ts";
import { Access, interruptGate, segmentDescriptor } from "./descriptors.ts";
import {
  GDT_ENTRIES, GDT_ENTRY_KERNEL_CS, GDT_ENTRY_KERNEL_DS, GDT_ENTRY_TSS, GDT_ENTRY_USER_CS, GDT_ENTRY_USER_DS,
  EMPTY_ZERO_PAGE_PA, GDT_PA, IDT_PA, IO_BITMAP_BITS, KERNEL_CS, KERNEL_DS, PAGE_OFFSET, STUBS_PA, SWAPPER_PG_DIR, TSS_IO_BITMAP_OFFSET, TSS_PA, USER_PTRS_PER_PGD, kva,
} from "./layout.ts";
import { buildStubs, STUB_SIZE, type StubImage } from "./stubs.ts";
import { panic } from "../panic.ts";

/**
 * The most RAM the kernel can run with: all of it is mapped at PAGE_OFFSET by
 * the kernel half of the page directory (4 MiB pages), 0xC0000000-0xFFFFFFFF,
 * so 1 GiB. Linux/i386 without HIGHMEM keeps 128 MiB of that window for
 * vmalloc and stops at 896 MiB (Linux Documentation/vm/highmem.txt); this
 * kernel has no vmalloc area.
 */
export const MAX_DIRECT_MAP_BYTES = (1024 - USER_PTRS_PER_PGD) * 0x400000;

/** PDE bits. */
const PDE_PRESENT = 0x001, PDE_RW = 0x002, PDE_PS = 0x080;

/** Vectors a user program may raise with INT n (Linux: int3, into, int 0x80). */
const USER_VECTORS = new Set([3, 4, 0x80]);

export interface BootLayout extends StubImage {
  /** Kernel linear addresses of the descriptor tables, for GDTR/IDTR/TR. */
  gdtBase: number;
  gdtLimit: number;
  idtBase: number;
  idtLimit: number;
  tssBase: number;
  tssLimit: number;
}

/**
 * Writes the master page directory, GDT, TSS, IDT and stubs into guest memory.
 * ramSize: bytes of RAM, all of which is mapped at PAGE_OFFSET with 4 MiB pages
 * (CR4.PSE); at most MAX_DIRECT_MAP_BYTES. Returns where everything went.
 */
export function writeBootStructures(mem: PhysMem, ramSize: number): BootLayout {
  // Master page directory: user half empty, kernel half = direct map of RAM.
  for (let i = 0; i < 1024; i++) mem.write32(SWAPPER_PG_DIR + i * 4, 0);
  if (ramSize > MAX_DIRECT_MAP_BYTES) panic("writeBootStructures: RAM above MAX_DIRECT_MAP_BYTES does not fit the direct map");
  const bigPages = Math.ceil(ramSize / 0x400000);
  for (let i = 0; i < bigPages; i++) {
    mem.write32(SWAPPER_PG_DIR + (USER_PTRS_PER_PGD + i) * 4, (i * 0x400000) | PDE_PS | PDE_RW | PDE_PRESENT);
  }

  const gdt = (slot: number, d: [number, number]) => {
    mem.write32(GDT_PA + slot * 8, d[0]);
    mem.write32(GDT_PA + slot * 8 + 4, d[1]);
  };
  for (let i = 0; i < GDT_ENTRIES; i++) gdt(i, [0, 0]);
  gdt(GDT_ENTRY_KERNEL_CS, segmentDescriptor(0, 0xffffffff, Access.KERNEL_CODE, true));
  gdt(GDT_ENTRY_KERNEL_DS, segmentDescriptor(0, 0xffffffff, Access.KERNEL_DATA, true));
  gdt(GDT_ENTRY_USER_CS, segmentDescriptor(0, 0xffffffff, Access.USER_CODE, true));
  gdt(GDT_ENTRY_USER_DS, segmentDescriptor(0, 0xffffffff, Access.USER_DATA, true));
  // TSS: ss0:esp0, and an I/O bitmap of IO_BITMAP_BITS ports, all denied
  // (set bits) until a task with ioperm runs; then its terminator byte (all
  // ones, as the SDM requires). Ports past the bitmap lie past the limit: denied.
  const tssLimit = TSS_IO_BITMAP_OFFSET + IO_BITMAP_BITS / 8;
  gdt(GDT_ENTRY_TSS, segmentDescriptor(kva(TSS_PA), tssLimit, Access.TSS32, false));
  for (let i = 0; i < TSS_IO_BITMAP_OFFSET; i += 4) mem.write32(TSS_PA + i, 0);
  mem.write32(TSS_PA + 8, KERNEL_DS);
  mem.write32(TSS_PA + 0x64, TSS_IO_BITMAP_OFFSET << 16);
  for (let i = TSS_IO_BITMAP_OFFSET; i <= tssLimit; i++) mem.write8(TSS_PA + i, 0xff);

  mem.zeroPage(EMPTY_ZERO_PAGE_PA);

  const stubs = buildStubs();
  mem.writeBytes(STUBS_PA, stubs.image);
  for (let v = 0; v < 256; v++) {
    const gate = interruptGate(KERNEL_CS, kva(STUBS_PA + v * STUB_SIZE), USER_VECTORS.has(v) ? 3 : 0);
    mem.write32(IDT_PA + v * 8, gate[0]);
    mem.write32(IDT_PA + v * 8 + 4, gate[1]);
  }

  return {
    ...stubs,
    gdtBase: kva(GDT_PA),
    gdtLimit: GDT_ENTRIES * 8 - 1,
    idtBase: kva(IDT_PA),
    idtLimit: 256 * 8 - 1,
    tssBase: (PAGE_OFFSET + TSS_PA) >>> 0,
    tssLimit,
  };
}

/** Physical address of the TSS's esp0 field: the kernel stack a ring 3 trap lands on. */
export const TSS_ESP0_PA = TSS_PA + 4;
