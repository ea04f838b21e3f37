// Driver for the 8259A interrupt controller pair, programmed through its ports
// as Linux's i8259.c does: IRQs 0-15 remapped to vectors 0x20-0x2F, slave on IRQ2.

import type { X86 } from "../arch/x86.ts";

export const IRQ_BASE_VECTOR = 0x20;
const MASTER_CMD = 0x20, MASTER_DATA = 0x21, SLAVE_CMD = 0xa0, SLAVE_DATA = 0xa1;
const EOI = 0x20;

export class I8259 {
  private mask = 0xffff & ~(1 << 2); // everything masked but the cascade

  constructor(private readonly hw: X86) {}

  /** Initialises both chips (ICW1-ICW4) with every line masked but the cascade. */
  init(): void {
    const hw = this.hw;
    hw.outb(MASTER_CMD, 0x11); // ICW1: edge triggered, cascade, ICW4 needed
    hw.outb(SLAVE_CMD, 0x11);
    hw.outb(MASTER_DATA, IRQ_BASE_VECTOR); // ICW2: vector base
    hw.outb(SLAVE_DATA, IRQ_BASE_VECTOR + 8);
    hw.outb(MASTER_DATA, 1 << 2); // ICW3: slave on IRQ2
    hw.outb(SLAVE_DATA, 2); // ICW3: slave identity
    hw.outb(MASTER_DATA, 0x01); // ICW4: 8086 mode, normal EOI
    hw.outb(SLAVE_DATA, 0x01);
    this.writeMask();
  }

  /** Unmasks one line. */
  enable(irq: number): void {
    this.mask &= ~(1 << irq);
    this.writeMask();
  }

  /** Masks one line. */
  disable(irq: number): void {
    this.mask |= 1 << irq;
    this.writeMask();
  }

  /** Non-specific end of interrupt for `irq` (to the slave first for IRQs 8-15). */
  eoi(irq: number): void {
    if (irq >= 8) this.hw.outb(SLAVE_CMD, EOI);
    this.hw.outb(MASTER_CMD, EOI);
  }

  /** Reads the in-service register of the chip owning `irq` (to tell spurious IRQ 7/15 apart). */
  inService(irq: number): boolean {
    const cmd = irq >= 8 ? SLAVE_CMD : MASTER_CMD;
    this.hw.outb(cmd, 0x0b); // OCW3: read ISR
    const isr = this.hw.inb(cmd);
    this.hw.outb(cmd, 0x0a); // back to IRR
    return (isr & (1 << (irq & 7))) !== 0;
  }

  private writeMask(): void {
    this.hw.outb(MASTER_DATA, this.mask & 0xff);
    this.hw.outb(SLAVE_DATA, this.mask >>> 8);
  }
}
