// Lazy arithmetic flags. An ALU instruction records what it did (kind, result,
// operands, carry-in, sign bit of its size) instead of computing CF PF AF ZF SF OF;
// each flag is computed from that record only when something reads it. When
// `lfOp` is Lf.None the six bits in `cpu.flags` are the truth. Lf.Szp means
// ZF SF PF come from the result while CF AF OF sit in `cpu.flags` (shifts, MUL).

import type { CPU } from "./cpu.ts";

export const enum Lf {
  None = 0, Add = 1, Adc = 2, Sub = 3, Sbb = 4, Logic = 5, Inc = 6, Dec = 7, Szp = 8,
}

/** CF PF AF ZF SF OF. */
export const ARITH = 0x8d5;

/** PARITY[b] = 1 when byte b has an even number of set bits (PF = 1). */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let n = 0;
  for (let b = i; b !== 0; b >>= 1) n += b & 1;
  PARITY[i] = (n & 1) === 0 ? 1 : 0;
}

/** Carry flag, 0 or 1. */
export function getCF(c: CPU): number {
  switch (c.lfOp) {
    case Lf.None:
    case Lf.Szp:
      return c.flags & 1;
    case Lf.Add:
      return c.lfRes >>> 0 < c.lfA >>> 0 ? 1 : 0;
    case Lf.Adc:
      return (c.lfCin !== 0 ? c.lfRes >>> 0 <= c.lfA >>> 0 : c.lfRes >>> 0 < c.lfA >>> 0) ? 1 : 0;
    case Lf.Sub:
      return c.lfA >>> 0 < c.lfB >>> 0 ? 1 : 0;
    case Lf.Sbb:
      return (c.lfCin !== 0 ? c.lfA >>> 0 <= c.lfB >>> 0 : c.lfA >>> 0 < c.lfB >>> 0) ? 1 : 0;
    case Lf.Logic:
      return 0;
    default: // Inc, Dec keep the previous carry
      return c.lfCin;
  }
}

export function getZF(c: CPU): number {
  if (c.lfOp === Lf.None) return (c.flags >> 6) & 1;
  return c.lfRes === 0 ? 1 : 0;
}

export function getSF(c: CPU): number {
  if (c.lfOp === Lf.None) return (c.flags >> 7) & 1;
  return (c.lfRes & c.lfSign) !== 0 ? 1 : 0;
}

export function getOF(c: CPU): number {
  switch (c.lfOp) {
    case Lf.None:
    case Lf.Szp:
      return (c.flags >> 11) & 1;
    case Lf.Add:
    case Lf.Adc:
    case Lf.Inc:
      return ((c.lfA ^ c.lfRes) & (c.lfB ^ c.lfRes) & c.lfSign) !== 0 ? 1 : 0;
    case Lf.Sub:
    case Lf.Sbb:
    case Lf.Dec:
      return ((c.lfA ^ c.lfB) & (c.lfA ^ c.lfRes) & c.lfSign) !== 0 ? 1 : 0;
    default:
      return 0;
  }
}

export function getAF(c: CPU): number {
  switch (c.lfOp) {
    case Lf.None:
    case Lf.Szp:
      return (c.flags >> 4) & 1;
    case Lf.Logic:
      return 0;
    default:
      return ((c.lfA ^ c.lfB ^ c.lfRes) >> 4) & 1;
  }
}

export function getPF(c: CPU): number {
  if (c.lfOp === Lf.None) return (c.flags >> 2) & 1;
  return PARITY[c.lfRes & 0xff];
}

/** Writes the six arithmetic flags into `cpu.flags` and drops the lazy record. */
export function materialize(c: CPU): void {
  if (c.lfOp === Lf.None) return;
  const v = getCF(c) | (getPF(c) << 2) | (getAF(c) << 4) | (getZF(c) << 6) | (getSF(c) << 7) | (getOF(c) << 11);
  c.flags = (c.flags & ~ARITH) | v;
  c.lfOp = Lf.None;
}

/** Condition code cc (0..15, the low nibble of Jcc/SETcc), 1 when true. */
export function cond(c: CPU, cc: number): number {
  let r: number;
  switch (cc >> 1) {
    case 0: r = getOF(c); break;
    case 1: r = getCF(c); break;
    case 2: r = getZF(c); break;
    case 3: r = getCF(c) | getZF(c); break;
    case 4: r = getSF(c); break;
    case 5: r = getPF(c); break;
    case 6: r = getSF(c) ^ getOF(c); break;
    default: r = (getSF(c) ^ getOF(c)) | getZF(c); break;
  }
  return r ^ (cc & 1);
}

/**
 * Sets flags eagerly: ZF SF PF from `res` (masked to the operand size, sign bit `sign`),
 * CF AF OF from `others` (their EFLAGS bit positions). Leaves the record as Lf.Szp.
 */
export function setSzp(c: CPU, res: number, sign: number, others: number): void {
  materialize(c);
  c.flags = (c.flags & ~(F_CF | F_AF | F_OF)) | (others & (F_CF | F_AF | F_OF));
  c.lfRes = res;
  c.lfSign = sign;
  c.lfOp = Lf.Szp;
}

/** Replaces only CF and OF (rotates): materialises the rest first. */
export function setCfOf(c: CPU, cf: number, of: number): void {
  materialize(c);
  c.flags = (c.flags & ~(F_CF | F_OF)) | cf | (of << 11);
}

/** Replaces only CF (BT family, CMC, ...). */
export function setCF(c: CPU, cf: number): void {
  materialize(c);
  c.flags = (c.flags & ~F_CF) | cf;
}

/** Replaces only ZF (LAR, LSL, VERR, VERW, ARPL, CMPXCHG8B-less ZF-only results). */
export function setZF(c: CPU, zf: boolean): void {
  materialize(c);
  c.flags = (c.flags & ~F_ZF) | (zf ? F_ZF : 0);
}

const F_CF = 1;
const F_AF = 0x10;
const F_ZF = 0x40;
const F_OF = 0x800;
