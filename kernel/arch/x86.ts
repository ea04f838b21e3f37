// The kernel's only door into the emulated machine. Everything the kernel does
// to the hardware goes through an X86 object: guest physical memory (charged
// in guest cycles), port I/O to the devices, CR2/CR3, TLB flushes, the stack
// pointer of the running kernel context, and the hypercall from the stubs.

import { CPU, R, CR0, CR4 } from "../../emulator/cpu/cpu.ts";
import type { PhysicalMemory } from "../../emulator/memory/physmem.ts";
import type { PhysMem, TlbControl } from "./phys.ts";
import {
  GDT_PA, GDT_ENTRY_TSS, HYPERCALL_PORT, IO_BITMAP_BITS, KERNEL_CS, KERNEL_DS, SWAPPER_PG_DIR, TSS_IO_BITMAP_OFFSET, TSS_PA, TSS_SEL, kva,
} from "./layout.ts";
import { TSS_ESP0_PA, writeBootStructures, type BootLayout } from "./setup.ts";
import { FSAVE_SIZE, Fpu, fninit, fpuRestore, fpuSave, statusWord } from "../../emulator/cpu/fpu/state.ts";
import { cpuid } from "../../emulator/cpu/privileged.ts";
import { Cache486 } from "./cache486.ts";
import { KernelWork } from "./kernel-cost.ts";

/** The guest CPU's clock in Hz, which the kernel's clocks and CPU times count in. */
export { CPU_HZ } from "../../emulator/machine/clock.ts";

/** Bytes of a task's saved FPU state: the 32-bit FNSAVE image (Linux struct fregs_state without its status word). */
export const FPU_STATE_SIZE = FSAVE_SIZE;

/** The FNSAVE image of an FPU just after FNINIT, made once by the FPU's own code. */
const FNINIT_IMAGE = ((): Uint8Array => {
  const f = new Fpu();
  fninit(f);
  const img = new Uint8Array(FPU_STATE_SIZE);
  fpuSave(f, img, true);
  return img;
})();

/** Guest cycles of one kernel memory access that hits the cache: a MOV to or from memory (docs/timing.md). */
const ACCESS = 1;

/**
 * PhysMem over the machine's physical memory. Every access goes through the
 * 486 cache model; unpriced accesses also cost ACCESS each, priced ones
 * (the `priced` view, used inside calibrated work) only their line fills.
 */
export class ChargedMemory implements PhysMem {
  readonly priced: PhysMem;
  /** Sees every 32-bit access with its value (the monitor's fork trace: page-table entries are 32-bit); null normally. */
  observer: ((pa: number, value: number, write: boolean) => void) | null = null;
  constructor(
    private readonly mem: PhysicalMemory,
    private readonly cache: Cache486,
    readonly work: (cycles: number) => void,
    private readonly access: number,
    priced?: PhysMem,
  ) {
    this.priced = priced ?? new ChargedMemory(mem, cache, work, 0, this);
  }
  read8(pa: number): number {
    this.work(this.access + this.cache.read(pa));
    return this.mem.read8(pa);
  }
  read32(pa: number): number {
    this.work(this.access + this.cache.read(pa));
    const v = this.mem.read32(pa);
    if (this.observer !== null) this.observer(pa, v, false);
    return v;
  }
  write8(pa: number, v: number): void {
    this.work(this.access);
    this.cache.write(pa);
    this.mem.write8(pa, v);
  }
  write32(pa: number, v: number): void {
    this.work(this.access);
    this.cache.write(pa);
    this.mem.write32(pa, v);
    if (this.observer !== null) this.observer(pa, v >>> 0, true);
  }
  readBytes(pa: number, len: number): Uint8Array {
    this.work(this.access * Math.ceil(len / 4) + this.cache.readRange(pa, len));
    return this.mem.readBytes(pa, len);
  }
  writeBytes(pa: number, data: Uint8Array): void {
    this.work(this.access * Math.ceil(data.length / 4));
    this.mem.writeBytes(pa, data);
  }
  copyPage(dstPa: number, srcPa: number): void {
    this.work(KernelWork.PAGE_COPY + this.cache.readRange(srcPa, 4096));
    this.mem.writeBytes(dstPa, this.mem.ram.subarray(srcPa, srcPa + 4096));
  }
  zeroPage(pa: number): void {
    this.work(KernelWork.PAGE_CLEAR);
    this.mem.writeBytes(pa, ZERO_PAGE);
  }
}

const ZERO_PAGE = new Uint8Array(4096);

export class X86 implements TlbControl {
  /** Guest physical memory as the kernel uses it (cycle-charged). */
  readonly phys: ChargedMemory;
  readonly ramSize: number;
  /** The 486 cache model the kernel's accesses go through. */
  readonly cache = new Cache486();
  layout!: BootLayout;

  constructor(private readonly cpu: CPU) {
    this.ramSize = cpu.mem.ramSize;
    this.phys = new ChargedMemory(cpu.mem, this.cache, (c) => cpu.charge(c), ACCESS);
  }

  /**
   * Writes the boot structures, switches the CPU to the kernel's protected
   * mode with paging on, and wires the hypercall: from then on every entry
   * stub calls onTrap with the linear address of the trap frame on the
   * current kernel stack. Called once per X86.
   */
  boot(onTrap: (frameVa: number) => void): BootLayout {
    const cpu = this.cpu;
    // Only the stubs (CPL 0) may enter the kernel; a root process given the
    // ports by iopl(3) writes into nothing here.
    cpu.io.register(HYPERCALL_PORT, 4, { out32: (_port, frameVa) => cpu.cpl === 0 && onTrap(frameVa >>> 0) });
    const layout = writeBootStructures(this.phys, this.ramSize);
    this.layout = layout;
    // Mark the TSS busy as LTR would.
    const tssHigh = GDT_PA + GDT_ENTRY_TSS * 8 + 4;
    this.phys.write32(tssHigh, this.phys.read32(tssHigh) | 0x200);
    cpu.enterFlatProtectedMode({
      gdtBase: layout.gdtBase, gdtLimit: layout.gdtLimit, idtBase: layout.idtBase, idtLimit: layout.idtLimit,
      trSel: TSS_SEL, trBase: layout.tssBase, trLimit: layout.tssLimit, codeSel: KERNEL_CS, dataSel: KERNEL_DS,
      cr0: CR0.PE | CR0.ET | CR0.NE | CR0.WP | CR0.PG, cr3: SWAPPER_PG_DIR, cr4: CR4.PSE,
    });
    return layout;
  }

  /**
   * Calls fn with every 32-bit read and write the kernel makes to physical
   * memory (both the charged and the priced view), or stops with null. For
   * observers of kernel work (monitor/fork-trace.ts); costs nothing when off.
   */
  observeKernelAccesses(fn: ((pa: number, value: number, write: boolean) => void) | null): void {
    this.phys.observer = fn;
    (this.phys.priced as ChargedMemory).observer = fn;
  }

  /** Starts (or restarts) execution by restoring the trap frame at kernel address frameVa. */
  enterFrame(frameVa: number): void {
    this.cpu.regs[R.ESP] = frameVa;
    this.cpu.jumpTo(kva(this.layout.resumePa));
    this.cpu.wake();
  }

  /** The running kernel context's stack pointer (inside a hypercall: the current trap frame). */
  get kernelSp(): number {
    return this.cpu.regs[R.ESP] >>> 0;
  }
  /** Switches kernel context: the stub's exit path will restore the frame at `sp`. */
  set kernelSp(sp: number) {
    this.cpu.regs[R.ESP] = sp;
  }

  /** Sets TSS.esp0, the stack a trap from ring 3 lands on. */
  setEsp0(esp0: number): void {
    this.phys.write32(TSS_ESP0_PA, esp0);
  }

  /**
   * Loads a task's I/O permission bitmap (IO_BITMAP_BITS bits, a clear bit
   * permits the port at CPL 3) into the TSS; null denies every port. Linux
   * copies the bitmap at context switch the same way.
   */
  loadIoBitmap(bitmap: Uint8Array | null): void {
    const at = TSS_PA + TSS_IO_BITMAP_OFFSET;
    if (bitmap === null) for (let i = 0; i < IO_BITMAP_BITS / 8; i++) this.phys.write8(at + i, 0xff);
    else this.phys.writeBytes(at, bitmap);
  }

  /** Copies the FPU's whole state into `out` (FPU_STATE_SIZE bytes, FNSAVE layout); the FPU keeps it. */
  fpuSave(out: Uint8Array): void {
    fpuSave(this.cpu.fpu, out, true);
  }

  /** Loads the FPU's whole state from an FNSAVE image (FRSTOR). */
  fpuRestore(img: Uint8Array): void {
    fpuRestore(this.cpu.fpu, img);
  }

  /** A copy of the FNSAVE image of an FPU just after FNINIT (a new task's state). */
  static fpuInitImage(): Uint8Array {
    return FNINIT_IMAGE.slice();
  }

  /** FNINIT: control word 0x037F, all registers empty, no exception pending. */
  fpuInit(): void {
    fninit(this.cpu.fpu);
  }

  /** The FPU's exception flags that its control word leaves unmasked (status & ~control, bits 0-5). */
  fpuUnmaskedExceptions(): number {
    return statusWord(this.cpu.fpu) & ~this.cpu.fpu.env.cw & 0x3f;
  }

  /** Loads CR3 (flushes the TLB as the hardware does). */
  loadCr3(pgdPa: number): void {
    this.cpu.loadCr3(pgdPa);
  }
  get cr3(): number {
    return this.cpu.cr3 >>> 0;
  }
  /** The faulting linear address of the last #PF. */
  get cr2(): number {
    return this.cpu.cr2 >>> 0;
  }

  flushAll(): void {
    this.cpu.flushTlb();
  }
  flushPage(va: number): void {
    this.cpu.invlpg(va);
  }

  inb(port: number): number {
    this.chargeIo();
    return this.cpu.io.in8(port);
  }
  outb(port: number, value: number): void {
    this.chargeIo();
    this.cpu.io.out8(port, value);
  }
  /** 32-bit port read (IN EAX, DX), unsigned. */
  inl(port: number): number {
    this.chargeIo();
    return this.cpu.io.in32(port) >>> 0;
  }
  /** 32-bit port write (OUT DX, EAX). */
  outl(port: number, value: number): void {
    this.chargeIo();
    this.cpu.io.out32(port, value);
  }

  /** What the CPU's CPUID answers for `leaf`: [EAX, EBX, ECX, EDX] (for /proc/cpuinfo; the registers are kept). */
  cpuid(leaf: number): [number, number, number, number] {
    const r = this.cpu.regs;
    const saved = [r[0], r[1], r[2], r[3]];
    r[0] = leaf;
    r[1] = 0;
    cpuid(this.cpu);
    const out: [number, number, number, number] = [r[0] >>> 0, r[3] >>> 0, r[1] >>> 0, r[2] >>> 0];
    for (let i = 0; i < 4; i++) r[i] = saved[i];
    return out;
  }

  /** Guest cycles since reset (the kernel's clock and profiler read this). */
  cycles(): number {
    return this.cpu.clock.cycles;
  }
  /** Charges kernel work that touches no guest memory (e.g. a fixed cost per system call). */
  charge(cycles: number): void {
    this.cpu.charge(cycles);
  }

  private chargeIo(): void {
    this.cpu.charge(this.cpu.io.accessCycles);
  }
}
