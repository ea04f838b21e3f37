// Arithmetic and logic: the eight classic ALU operations, INC/DEC/NEG, shifts and
// rotates (group 2), SHLD/SHRD, multiply and divide. Operands arrive masked to their
// size (8/16-bit as small non-negative numbers, 32-bit as int32) and results leave
// the same way. Flags follow the Intel manuals; where they call a flag undefined the
// value is what 486-class hardware (as modelled by Bochs and checked on silicon) gives.
// Lazy-flag kinds are written as literals (with the Lf name beside them) because an
// imported const enum costs a property load per use when files are compiled one by one.

import type { CPU } from "./cpu.ts";
import { Vec } from "./defs.ts";
import { getCF, setSzp, setCfOf, materialize } from "./flags.ts";

export const MASK = [0xff, 0xffff, -1];
export const SIGN = [0x80, 0x8000, 0x80000000 | 0];
export const BITS = [8, 16, 32];

/**
 * ALU operation `op` (0 ADD, 1 OR, 2 ADC, 3 SBB, 4 AND, 5 SUB, 6 XOR, 7 CMP) on a and b
 * of size index `sz` (0 byte, 1 word, 2 dword). Records lazy flags, returns the result.
 */
export function alu(c: CPU, op: number, a: number, b: number, sz: number): number {
  const mask = MASK[sz];
  let r: number;
  switch (op) {
    case 0:
      r = (a + b) & mask;
      c.lfOp = 1 /* Lf.Add */;
      break;
    case 1:
      r = (a | b) & mask;
      c.lfOp = 5 /* Lf.Logic */;
      break;
    case 2: {
      const ci = getCF(c);
      r = (a + b + ci) & mask;
      c.lfCin = ci;
      c.lfOp = 2 /* Lf.Adc */;
      break;
    }
    case 3: {
      const ci = getCF(c);
      r = (a - b - ci) & mask;
      c.lfCin = ci;
      c.lfOp = 4 /* Lf.Sbb */;
      break;
    }
    case 4:
      r = a & b & mask;
      c.lfOp = 5 /* Lf.Logic */;
      break;
    case 6:
      r = (a ^ b) & mask;
      c.lfOp = 5 /* Lf.Logic */;
      break;
    default: // SUB, CMP
      r = (a - b) & mask;
      c.lfOp = 3 /* Lf.Sub */;
      break;
  }
  c.lfRes = r;
  c.lfA = a;
  c.lfB = b;
  c.lfSign = SIGN[sz];
  return r;
}

/** 32-bit ADD/SUB/CMP/logic without the table lookups (hot path). */
export function sub32(c: CPU, a: number, b: number): number {
  const r = (a - b) | 0;
  c.lfOp = 3 /* Lf.Sub */;
  c.lfRes = r;
  c.lfA = a;
  c.lfB = b;
  c.lfSign = 0x80000000 | 0;
  return r;
}

export function inc(c: CPU, a: number, sz: number): number {
  c.lfCin = getCF(c);
  const r = (a + 1) & MASK[sz];
  c.lfOp = 6 /* Lf.Inc */;
  c.lfRes = r;
  c.lfA = a;
  c.lfB = 1;
  c.lfSign = SIGN[sz];
  return r;
}

export function dec(c: CPU, a: number, sz: number): number {
  c.lfCin = getCF(c);
  const r = (a - 1) & MASK[sz];
  c.lfOp = 7 /* Lf.Dec */;
  c.lfRes = r;
  c.lfA = a;
  c.lfB = 1;
  c.lfSign = SIGN[sz];
  return r;
}

/** NEG: 0 - a, CF = (a != 0). */
export function neg(c: CPU, a: number, sz: number): number {
  return alu(c, 5, 0, a, sz);
}

/** Flags of a logical result (TEST, and the SZP of MUL-like results). */
export function logicFlags(c: CPU, r: number, sz: number): void {
  c.lfOp = 5 /* Lf.Logic */;
  c.lfRes = r & MASK[sz];
  c.lfA = 0;
  c.lfB = 0;
  c.lfSign = SIGN[sz];
}

const CF = 1;
const OF = 0x800;

/**
 * Group 2 (ROL ROR RCL RCR SHL SHR SAL SAR) by `count` (already masked to 5 bits) of
 * value `v` of size `sz`. A count of 0 changes nothing, flags included.
 */
export function shift(c: CPU, op: number, v: number, count: number, sz: number): number {
  if (count === 0) return v;
  const bits = BITS[sz];
  const mask = MASK[sz];
  const sign = SIGN[sz];
  const u = v >>> 0;
  let r: number;
  switch (op) {
    case 0: { // ROL
      const n = count & (bits - 1);
      r = n === 0 ? v : ((u << n) | (u >>> (bits - n))) & mask;
      const cf = r & 1;
      setCfOf(c, cf, cf ^ ((r & sign) !== 0 ? 1 : 0));
      return r;
    }
    case 1: { // ROR
      const n = count & (bits - 1);
      r = n === 0 ? v : ((u >>> n) | (u << (bits - n))) & mask;
      const top = (r & sign) !== 0 ? 1 : 0;
      const next = (r & (sign >>> 1)) !== 0 ? 1 : 0;
      setCfOf(c, top, top ^ next);
      return r;
    }
    case 2: { // RCL through CF: rotate a (bits+1)-bit quantity
      const n = count % (bits + 1);
      if (n === 0) return v;
      let cf = getCF(c);
      r = u;
      for (let i = 0; i < n; i++) {
        const out = (r & sign) !== 0 ? 1 : 0;
        r = ((r << 1) | cf) & mask;
        cf = out;
      }
      setCfOf(c, cf, cf ^ ((r & sign) !== 0 ? 1 : 0));
      return r;
    }
    case 3: { // RCR
      const n = count % (bits + 1);
      if (n === 0) return v;
      let cf = getCF(c);
      r = u & mask;
      for (let i = 0; i < n; i++) {
        const out = r & 1;
        r = ((r >>> 1) | (cf !== 0 ? sign : 0)) & mask;
        cf = out;
      }
      const top = (r & sign) !== 0 ? 1 : 0;
      const next = (r & (sign >>> 1)) !== 0 ? 1 : 0;
      setCfOf(c, cf, top ^ next);
      return r;
    }
    case 4:
    case 6: { // SHL/SAL
      let cf: number;
      if (sz === 2) {
        r = (u << count) | 0;
        cf = (u >>> (32 - count)) & 1;
      } else {
        r = count < 32 ? (u << count) & mask : 0;
        cf = count <= bits ? (u >>> (bits - count)) & 1 : 0;
      }
      const of = cf ^ ((r & sign) !== 0 ? 1 : 0);
      setSzp(c, r, sign, cf | (of !== 0 ? OF : 0));
      return r;
    }
    case 5: { // SHR
      r = (u >>> count) & mask;
      const cf = count <= bits ? (u >>> (count - 1)) & 1 : 0;
      const of = (((r << 1) ^ r) & sign) !== 0 ? 1 : 0;
      setSzp(c, r, sign, cf | (of !== 0 ? OF : 0));
      return r;
    }
    default: { // SAR
      const s = sz === 2 ? v | 0 : sz === 1 ? (v << 16) >> 16 : (v << 24) >> 24;
      const n = count < bits ? count : bits - 1;
      r = (s >> n) & mask;
      const cf = count < bits ? (s >> (count - 1)) & 1 : (s >>> 31) & 1;
      setSzp(c, r, sign, cf & CF);
      return r;
    }
  }
}

/**
 * SHLD (left = true) / SHRD of `dst` with bits from `src`, count masked to 5 bits.
 * 16-bit counts above 16 behave as on hardware (bits come from the 32-bit dst:src chain).
 */
export function shiftDouble(c: CPU, left: boolean, dst: number, src: number, count: number, sz: number): number {
  if (count === 0) return dst;
  let r: number;
  let cf: number;
  let of: number;
  if (sz === 2) {
    const d = dst >>> 0;
    const s = src >>> 0;
    if (left) {
      r = ((d << count) | (s >>> (32 - count))) | 0;
      cf = (d >>> (32 - count)) & 1;
      of = cf ^ (r >>> 31);
    } else {
      r = ((d >>> count) | (s << (32 - count))) | 0;
      cf = (d >>> (count - 1)) & 1;
      of = (((r << 1) ^ r) >>> 31) & 1;
    }
    setSzp(c, r, 0x80000000 | 0, cf | (of << 11));
    return r;
  }
  const d = dst & 0xffff;
  const s = src & 0xffff;
  if (left) {
    const t = ((d << 16) | s) >>> 0;
    let r32 = count < 32 ? (t << count) >>> 0 : 0;
    if (count > 16) r32 = (r32 | (d << (count - 16))) >>> 0;
    r = (r32 >>> 16) & 0xffff;
    cf = (t >>> (32 - count)) & 1;
    of = cf ^ ((r >> 15) & 1);
  } else {
    const t = ((s << 16) | d) >>> 0;
    let r32 = t >>> count;
    if (count > 16) r32 = (r32 | (d << (32 - count))) >>> 0;
    r = r32 & 0xffff;
    cf = count <= 16 ? (d >>> (count - 1)) & 1 : (s >>> (count - 17)) & 1;
    of = (((r << 1) ^ r) >> 15) & 1;
  }
  setSzp(c, r, 0x8000, cf | (of << 11));
  return r;
}

// ---------------------------------------------------------------- multiply / divide

/** High 32 bits of the unsigned 64-bit product a*b (a, b any int32). Low half: Math.imul. */
export function mulHiU(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) | 0;
}

/** High 32 bits of the signed 64-bit product. */
export function mulHiS(a: number, b: number): number {
  let h = mulHiU(a, b);
  if (a < 0) h = (h - b) | 0;
  if (b < 0) h = (h - a) | 0;
  return h;
}

/** Sets CF=OF=`ovf` and SZP from the low result (AF cleared) after MUL/IMUL. */
export function mulFlags(c: CPU, lo: number, sz: number, ovf: boolean): void {
  setSzp(c, lo & MASK[sz], SIGN[sz], ovf ? CF | OF : 0);
}

/**
 * Unsigned divide of hi:lo (two uint32 halves) by d (uint32, nonzero, hi < d).
 * Returns the quotient; the remainder is left in divRem.
 */
export let divRem = 0;
export function div64(hi: number, lo: number, d: number): number {
  let r = hi * 65536 + (lo >>> 16);
  const q1 = Math.floor(r / d);
  r -= q1 * d;
  r = r * 65536 + (lo & 0xffff);
  const q0 = Math.floor(r / d);
  divRem = r - q0 * d;
  return q1 * 65536 + q0;
}

/** DIV/IDIV of the accumulator by `src` (size sz, signed when `signed`); #DE on zero or overflow. */
export function divide(c: CPU, src: number, sz: number, signed: boolean): void {
  const r = c.regs;
  if (sz === 0) {
    const d = signed ? (src << 24) >> 24 : src & 0xff;
    if (d === 0) c.fault(Vec.DE);
    const n = signed ? (c.reg16[0] << 16) >> 16 : c.reg16[0];
    const q = Math.trunc(n / d);
    if (signed ? q > 127 || q < -128 : q > 0xff) c.fault(Vec.DE);
    c.reg16[0] = (q & 0xff) | ((n - q * d) & 0xff) << 8;
  } else if (sz === 1) {
    const d = signed ? (src << 16) >> 16 : src & 0xffff;
    if (d === 0) c.fault(Vec.DE);
    const n = signed ? (c.reg16[4] << 16) | c.reg16[0] : ((c.reg16[4] << 16) | c.reg16[0]) >>> 0;
    const q = Math.trunc(n / d);
    if (signed ? q > 32767 || q < -32768 : q > 0xffff) c.fault(Vec.DE);
    c.reg16[0] = q;
    c.reg16[4] = n - q * d;
  } else {
    if (!signed) {
      const d = src >>> 0;
      if (d === 0) c.fault(Vec.DE);
      const hi = r[2] >>> 0;
      if (hi >= d) c.fault(Vec.DE);
      const q = div64(hi, r[0] >>> 0, d);
      r[0] = q | 0;
      r[2] = divRem | 0;
      return;
    }
    const d = src | 0;
    if (d === 0) c.fault(Vec.DE);
    let hi = r[2] | 0;
    let lo = r[0] >>> 0;
    const nneg = hi < 0;
    if (nneg) { // negate the 64-bit dividend
      lo = (~lo + 1) >>> 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    } else hi >>>= 0;
    const dm = d < 0 ? -d : d; // up to 2^31, exact as a double
    if (hi >= dm) c.fault(Vec.DE);
    const qm = div64(hi, lo, dm);
    const rm = divRem;
    const qneg = nneg !== d < 0;
    if (qneg ? qm > 0x80000000 : qm > 0x7fffffff) c.fault(Vec.DE);
    r[0] = (qneg ? -qm : qm) | 0;
    r[2] = (nneg ? -rm : rm) | 0;
  }
}

/** MUL/IMUL one-operand forms (F6/F7 /4 /5). */
export function multiply(c: CPU, src: number, sz: number, signed: boolean): void {
  const r = c.regs;
  if (sz === 0) {
    const a = signed ? (c.reg8[0] << 24) >> 24 : c.reg8[0];
    const b = signed ? (src << 24) >> 24 : src & 0xff;
    const p = a * b;
    c.reg16[0] = p;
    const ovf = signed ? p !== (p << 24) >> 24 : (p & 0xff00) !== 0;
    mulFlags(c, p, 0, ovf);
  } else if (sz === 1) {
    const a = signed ? (c.reg16[0] << 16) >> 16 : c.reg16[0];
    const b = signed ? (src << 16) >> 16 : src & 0xffff;
    const p = a * b;
    c.reg16[0] = p;
    c.reg16[4] = p >> 16;
    const ovf = signed ? p !== (p << 16) >> 16 : (p >>> 16) !== 0;
    mulFlags(c, p, 1, ovf);
  } else {
    const a = r[0];
    const lo = Math.imul(a, src);
    const hi = signed ? mulHiS(a, src) : mulHiU(a, src);
    r[0] = lo;
    r[2] = hi;
    const ovf = signed ? hi !== lo >> 31 : hi !== 0;
    mulFlags(c, lo, 2, ovf);
  }
}

/** IMUL r, r/m(, imm) truncating forms: returns the product masked to sz. */
export function imulTrunc(c: CPU, a: number, b: number, sz: number): number {
  if (sz === 1) {
    const p = ((a << 16) >> 16) * ((b << 16) >> 16);
    mulFlags(c, p, 1, p !== (p << 16) >> 16);
    return p & 0xffff;
  }
  const lo = Math.imul(a, b);
  const hi = mulHiS(a, b);
  mulFlags(c, lo, 2, hi !== lo >> 31);
  return lo;
}

export { materialize };
