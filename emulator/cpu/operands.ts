// Operand access by size index (0 byte, 1 word, 2 dword) for ModRM-based
// instructions: registers, r/m operands, read-modify-write destinations, and near
// control transfers. Size-generic so the instruction files stay short; the hot
// 32-bit forms in exec.ts bypass these.

import type { CPU } from "./cpu.ts";
import { Vec, CR0 } from "./defs.ts";
import { ioPermitted } from "./system.ts";
import {
  decodeEa, rd8, rd16, rd32, wr8, wr16, wr32, rdW8, rdW16, rdW32, segR, segW,
} from "./access.ts";

/** Byte offset in cpu.reg8 of 8-bit register i (AL CL DL BL AH CH DH BH). */
export const R8 = new Uint8Array([0, 4, 8, 12, 1, 5, 9, 13]);

export function getReg(c: CPU, sz: number, i: number): number {
  return sz === 2 ? c.regs[i] : sz === 1 ? c.reg16[i << 1] : c.reg8[R8[i]];
}

export function setReg(c: CPU, sz: number, i: number, v: number): void {
  if (sz === 2) c.regs[i] = v;
  else if (sz === 1) c.reg16[i << 1] = v;
  else c.reg8[R8[i]] = v;
}

/** Size index of a "v" operand under the current operand size. */
export function vsz(c: CPU): number {
  return c.os32 ? 2 : 1;
}

export function readLin(c: CPU, sz: number, lin: number): number {
  return sz === 2 ? rd32(c, lin) : sz === 1 ? rd16(c, lin) : rd8(c, lin);
}

export function writeLin(c: CPU, sz: number, lin: number, v: number): void {
  if (sz === 2) wr32(c, lin, v);
  else if (sz === 1) wr16(c, lin, v);
  else wr8(c, lin, v);
}

/** Reads seg:off of size sz with segment checks. */
export function readMem(c: CPU, sz: number, seg: number, off: number): number {
  return readLin(c, sz, segR(c, seg, off, (1 << sz) - 1));
}

export function writeMem(c: CPU, sz: number, seg: number, off: number, v: number): void {
  writeLin(c, sz, segW(c, seg, off, (1 << sz) - 1), v);
}

/** Reads the r/m operand of ModRM m (decodes the effective address when it is memory). */
export function readRm(c: CPU, m: number, sz: number): number {
  if (m >= 0xc0) return getReg(c, sz, m & 7);
  decodeEa(c, m);
  return readMem(c, sz, c.eaSeg, c.ea);
}

/** Writes the r/m operand; for memory the effective address must already be decoded. */
export function writeRm(c: CPU, m: number, sz: number, v: number): void {
  if (m >= 0xc0) setReg(c, sz, m & 7, v);
  else writeMem(c, sz, c.eaSeg, c.ea, v);
}

/** Linear address of the decoded memory operand, checked for writing. */
export function rmwLin(c: CPU, sz: number): number {
  return segW(c, c.eaSeg, c.ea, (1 << sz) - 1);
}

/** Reads a read-modify-write destination at `lin` (faults as a write). */
export function readW(c: CPU, sz: number, lin: number): number {
  return sz === 2 ? rdW32(c, lin) : sz === 1 ? rdW16(c, lin) : rdW8(c, lin);
}

/** Sign-extends an 8-bit immediate to size sz (masked). */
export function sext8(v: number, sz: number): number {
  const s = (v << 24) >> 24;
  return sz === 2 ? s : sz === 1 ? s & 0xffff : s & 0xff;
}

/** Near jump: truncates to 16 bits under a 16-bit operand size, checks the CS limit (#GP(0)). */
export function jumpNear(c: CPU, target: number): void {
  if (!c.os32) target &= 0xffff;
  if (target >>> 0 > c.segLimit[1 /* CS */] >>> 0) c.fault(Vec.GP, 0);
  c.eip = target | 0;
}

/** #GP(0) unless the port access is permitted (IOPL or the TSS bitmap, in protected mode). */
export function ioCheck(c: CPU, port: number, width: number): void {
  if ((c.cr0 & CR0.PE) !== 0 && !ioPermitted(c, port, width)) c.fault(Vec.GP, 0);
}
