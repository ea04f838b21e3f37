// Driver for the 16550A on COM1: 115200 8N1, FIFOs on, interrupts on IRQ 4.
// Output goes straight into the transmit FIFO while it has room; the rest
// waits in a queue drained by the transmitter-empty interrupt.

import type { X86 } from "../arch/x86.ts";

export const COM1 = 0x3f8;
export const COM1_IRQ = 4;
const THR = 0, RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5;
const LSR_DR = 0x01, LSR_THRE = 0x20;
const IER_RDA = 0x01, IER_THRE = 0x02;
const FIFO_SIZE = 16;

export class Serial {
  private queue: number[] = [];
  private head = 0;

  constructor(
    private readonly hw: X86,
    private readonly base = COM1,
  ) {}

  /** Programs the line and enables the receive-data interrupt. */
  init(): void {
    const hw = this.hw, b = this.base;
    hw.outb(b + IER, 0);
    hw.outb(b + LCR, 0x80); // DLAB
    hw.outb(b + 0, 1); // divisor 1: 115200 baud
    hw.outb(b + 1, 0);
    hw.outb(b + LCR, 0x03); // 8N1
    hw.outb(b + FCR, 0x07); // enable and clear FIFOs, trigger at 1 byte
    hw.outb(b + MCR, 0x0b); // DTR, RTS, OUT2 (routes the interrupt)
    hw.outb(b + IER, IER_RDA);
  }

  /** Queues bytes for transmission and starts sending. */
  write(data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.queue.push(data[i]);
    this.kick();
  }

  /** Interrupt handler: drains the receive FIFO into `sink` and refills the transmitter. */
  interrupt(sink: (byte: number) => void): void {
    const hw = this.hw, b = this.base;
    hw.inb(b + IIR);
    while ((hw.inb(b + LSR) & LSR_DR) !== 0) sink(hw.inb(b + RBR));
    this.kick();
  }

  /** Fills the transmit FIFO when it is empty; asks for the THRE interrupt while bytes remain. */
  private kick(): void {
    const hw = this.hw, b = this.base;
    while (this.head < this.queue.length && (hw.inb(b + LSR) & LSR_THRE) !== 0) {
      const end = Math.min(this.queue.length, this.head + FIFO_SIZE);
      while (this.head < end) hw.outb(b + THR, this.queue[this.head++]);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    hw.outb(b + IER, this.head < this.queue.length ? IER_RDA | IER_THRE : IER_RDA);
  }
}
