// Driver for the 8254 timer: channel 0 as a rate generator at HZ interrupts per second.

import type { X86 } from "../arch/x86.ts";

export const HZ = 100;
export const PIT_HZ = 1_193_182;
/** The divisor Linux calls LATCH. */
export const LATCH = Math.round(PIT_HZ / HZ);

/** Programs channel 0 in mode 2 with the LATCH divisor (IRQ 0 every 1/HZ s). */
export function initTimer(hw: X86): void {
  hw.outb(0x43, 0x34); // channel 0, lobyte/hibyte, mode 2, binary
  hw.outb(0x40, LATCH & 0xff);
  hw.outb(0x40, LATCH >>> 8);
}
