// Stack frames built and read by the system mechanics (interrupt delivery,
// far calls, returns, task switches). A frame is written into guest memory
// first and the registers are committed afterwards, so a fault part-way
// leaves the CPU state untouched.
//
// `frame` is one shared cursor (no allocation): begin a frame with
// frameBegin, push, then read frame.esp for the value to commit.

import type { CPU } from "./cpu.ts";
import { R, S, Attr } from "./defs.ts";

/** The frame being built: stack base, offset mask (0xFFFF or 0xFFFFFFFF), current offset, privilege. */
export const frame = { base: 0, mask: 0xffff, esp: 0, sup: false };

/**
 * Starts a frame on the stack with linear base `base`, attributes `attr` (B bit
 * chooses SP or ESP) and offset `esp`. `sup`: write with supervisor privilege
 * (a new inner stack) instead of the current CPL's (the current stack).
 */
export function frameBegin(base: number, attr: number, esp: number, sup: boolean): void {
  frame.base = base;
  frame.mask = attr & Attr.DB ? -1 : 0xffff;
  frame.esp = (esp & frame.mask) >>> 0;
  frame.sup = sup;
}

/** Starts a frame on the current SS:ESP, written at the current CPL. */
export function frameBeginCurrent(cpu: CPU): void {
  frameBegin(cpu.segBase[S.SS], cpu.segAttr[S.SS], cpu.regs[R.ESP], false);
}

/** Pushes a dword. May fault #PF. */
export function framePush32(cpu: CPU, v: number): void {
  frame.esp = ((frame.esp - 4) & frame.mask) >>> 0;
  const lin = (frame.base + frame.esp) >>> 0;
  if (frame.sup) cpu.writeSys32(lin, v);
  else cpu.writeLin32(lin, v);
}

/** Pushes a word. May fault #PF. */
export function framePush16(cpu: CPU, v: number): void {
  frame.esp = ((frame.esp - 2) & frame.mask) >>> 0;
  const lin = (frame.base + frame.esp) >>> 0;
  if (frame.sup) cpu.writeSys16(lin, v & 0xffff);
  else cpu.writeLin16(lin, v & 0xffff);
}

/** Pushes a word or a dword. */
export function pushSized(cpu: CPU, v: number, is32: boolean): void {
  if (is32) framePush32(cpu, v);
  else framePush16(cpu, v);
}

/**
 * Reads a word or dword at offset `esp + delta` of the current stack, at the
 * current CPL. Returns the unsigned value. May fault #PF.
 */
export function readStack(cpu: CPU, esp: number, delta: number, is32: boolean): number {
  const mask = cpu.segAttr[S.SS] & Attr.DB ? -1 : 0xffff;
  const lin = (cpu.segBase[S.SS] + ((esp + delta) & mask)) >>> 0;
  return is32 ? cpu.readLin32(lin) >>> 0 : cpu.readLin16(lin) & 0xffff;
}

/** Stores a new stack offset into ESP; with a 16-bit SS only SP changes. */
export function setStackPointer(cpu: CPU, esp: number): void {
  if (cpu.segAttr[S.SS] & Attr.DB) cpu.regs[R.ESP] = esp;
  else cpu.regs[R.ESP] = (cpu.regs[R.ESP] & ~0xffff) | (esp & 0xffff);
}
