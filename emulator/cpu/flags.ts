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

// Each flag is a pure function of the record (op, res, a, b, sign, cin) and the stored
// flags word, so the block compiler (jit.ts) can call it on locals and V8 can fold it
// where `op` is known; the get* readers apply it to the CPU's record.

/** Carry flag, 0 or 1. */
export function cfOf(op: number, res: number, a: number, b: number, cin: number, flags: number): number {
  switch (op) {
    case Lf.None:
    case Lf.Szp:
      return flags & 1;
    case Lf.Add:
      return res >>> 0 < a >>> 0 ? 1 : 0;
    case Lf.Adc:
      return (cin !== 0 ? res >>> 0 <= a >>> 0 : res >>> 0 < a >>> 0) ? 1 : 0;
    case Lf.Sub:
      return a >>> 0 < b >>> 0 ? 1 : 0;
    case Lf.Sbb:
      return (cin !== 0 ? a >>> 0 <= b >>> 0 : a >>> 0 < b >>> 0) ? 1 : 0;
    case Lf.Logic:
      return 0;
    default: // Inc, Dec keep the previous carry
      return cin;
  }
}

export function zfOf(op: number, res: number, flags: number): number {
  if (op === Lf.None) return (flags >> 6) & 1;
  return res === 0 ? 1 : 0;
}

export function sfOf(op: number, res: number, sign: number, flags: number): number {
  if (op === Lf.None) return (flags >> 7) & 1;
  return (res & sign) !== 0 ? 1 : 0;
}

export function ofOf(op: number, res: number, a: number, b: number, sign: number, flags: number): number {
  switch (op) {
    case Lf.None:
    case Lf.Szp:
      return (flags >> 11) & 1;
    case Lf.Add:
    case Lf.Adc:
    case Lf.Inc:
      return ((a ^ res) & (b ^ res) & sign) !== 0 ? 1 : 0;
    case Lf.Sub:
    case Lf.Sbb:
    case Lf.Dec:
      return ((a ^ b) & (a ^ res) & sign) !== 0 ? 1 : 0;
    default:
      return 0;
  }
}

export function afOf(op: number, res: number, a: number, b: number, flags: number): number {
  switch (op) {
    case Lf.None:
    case Lf.Szp:
      return (flags >> 4) & 1;
    case Lf.Logic:
      return 0;
    default:
      return ((a ^ b ^ res) >> 4) & 1;
  }
}

export function pfOf(op: number, res: number, flags: number): number {
  if (op === Lf.None) return (flags >> 2) & 1;
  return PARITY[res & 0xff];
}

/** Condition code cc (0..15, the low nibble of Jcc/SETcc) of the record, 1 when true. */
export function condOf(cc: number, op: number, res: number, a: number, b: number, sign: number, cin: number, flags: number): number {
  let r: number;
  switch (cc >> 1) {
    case 0: r = ofOf(op, res, a, b, sign, flags); break;
    case 1: r = cfOf(op, res, a, b, cin, flags); break;
    case 2: r = zfOf(op, res, flags); break;
    case 3: r = cfOf(op, res, a, b, cin, flags) | zfOf(op, res, flags); break;
    case 4: r = sfOf(op, res, sign, flags); break;
    case 5: r = pfOf(op, res, flags); break;
    case 6: r = sfOf(op, res, sign, flags) ^ ofOf(op, res, a, b, sign, flags); break;
    default: r = (sfOf(op, res, sign, flags) ^ ofOf(op, res, a, b, sign, flags)) | zfOf(op, res, flags); break;
  }
  return r ^ (cc & 1);
}

export const getCF = (c: CPU): number => cfOf(c.lfOp, c.lfRes, c.lfA, c.lfB, c.lfCin, c.flags);
export const getZF = (c: CPU): number => zfOf(c.lfOp, c.lfRes, c.flags);
export const getSF = (c: CPU): number => sfOf(c.lfOp, c.lfRes, c.lfSign, c.flags);
export const getOF = (c: CPU): number => ofOf(c.lfOp, c.lfRes, c.lfA, c.lfB, c.lfSign, c.flags);
export const getAF = (c: CPU): number => afOf(c.lfOp, c.lfRes, c.lfA, c.lfB, c.flags);
export const getPF = (c: CPU): number => pfOf(c.lfOp, c.lfRes, c.flags);

/** Writes the six arithmetic flags into `cpu.flags` and drops the lazy record. */
export function materialize(c: CPU): void {
  if (c.lfOp === Lf.None) return;
  const v = getCF(c) | (getPF(c) << 2) | (getAF(c) << 4) | (getZF(c) << 6) | (getSF(c) << 7) | (getOF(c) << 11);
  c.flags = (c.flags & ~ARITH) | v;
  c.lfOp = Lf.None;
}

/** Condition code cc (0..15, the low nibble of Jcc/SETcc), 1 when true. */
export function cond(c: CPU, cc: number): number {
  return condOf(cc, c.lfOp, c.lfRes, c.lfA, c.lfB, c.lfSign, c.lfCin, c.flags);
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
