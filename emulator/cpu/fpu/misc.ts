// FCOM/FUCOM, FRNDINT, FSCALE, FXTRACT, FPREM and FPREM1 on the 80-bit format (Intel SDM
// Vol. 2A, the pages of those instructions; condition codes per Vol. 1, 8.1.3.1).

import {
  BIAS,
  C0,
  C1,
  C2,
  C3,
  type FpuEnv,
  IE,
  K_DENORMAL,
  K_INF,
  K_QNAN,
  K_SNAN,
  K_UNSUP,
  K_ZERO,
  RC_INF,
  ZE,
  DE,
  invalid,
  put,
  raise,
  roundCore,
  rres,
  screen1,
  screen2,
  screenNaN2,
  denormal2,
  propagateNaN1,
  ua,
  ub,
  unpack,
} from "./float80.ts";
import { ires, putInt, roundToInt } from "./intround.ts";

const CC = C0 | C1 | C2 | C3;

/**
 * FCOM/FUCOM ST(0)=r[a] with r[b]: C3 C2 C0 = 000 greater, 001 less, 100 equal, 111
 * unordered; C1 cleared. FCOM raises IE for any NaN, FUCOM only for an SNaN; both for
 * unsupported encodings. The condition codes are set even when IE or DE is unmasked, as the
 * host's x87 does.
 */
export function fcom(env: FpuEnv, r: Uint32Array, a: number, b: number, unordered: boolean): void {
  unpack(r, a, ua);
  unpack(r, b, ub);
  const ka = ua.k;
  const kb = ub.k;
  if (ka >= K_QNAN || kb >= K_QNAN) {
    const bad = ka === K_UNSUP || kb === K_UNSUP || ka === K_SNAN || kb === K_SNAN || !unordered;
    if (bad) raise(env, IE);
    env.sw = (env.sw & ~CC) | C0 | C2 | C3;
    return;
  }
  if (ka === K_DENORMAL || kb === K_DENORMAL) raise(env, DE);
  env.sw = (env.sw & ~CC) | compareFinite();
}

/** Orders ua against ub (neither a NaN): C0 less, C3 equal, 0 greater; +0 equals -0. */
function compareFinite(): number {
  const za = ua.k === K_ZERO;
  const zb = ub.k === K_ZERO;
  if (za && zb) return C3;
  if (za) return ub.s === 1 ? 0 : C0;
  if (zb) return ua.s === 1 ? C0 : 0;
  if (ua.s !== ub.s) return ua.s === 1 ? C0 : 0;
  // Same sign: compare magnitudes, infinity above every finite value.
  const ea = ua.k === K_INF ? 1e9 : ua.e;
  const eb = ub.k === K_INF ? 1e9 : ub.e;
  let mag: number;
  if (ea !== eb) mag = ea > eb ? 1 : -1;
  else if (ua.h !== ub.h) mag = ua.h > ub.h ? 1 : -1;
  else if (ua.l !== ub.l) mag = ua.l > ub.l ? 1 : -1;
  else return C3;
  return (ua.s === 1 ? -mag : mag) < 0 ? C0 : 0;
}

/** FRNDINT: r[d] = r[a] rounded to an integer under RC; PE when inexact, C1 when rounded up. */
export function frndint(env: FpuEnv, r: Uint32Array, d: number, a: number): void {
  unpack(r, a, ua);
  if (!screen1(env, r, d)) return;
  env.sw &= ~C1;
  if (ua.k === K_ZERO || ua.k === K_INF || ua.e >= BIAS + 63) {
    put(r, d, (ua.s << 15) | (r[a] & 0x7fff), r[a + 1], r[a + 2]);
    return;
  }
  roundToInt(ua.s, ua.e, ua.h, ua.l, (env.cw >>> 10) & 3);
  if (ires.inexact) {
    if (ires.up) env.sw |= C1;
    raise(env, 0x20);
  }
  putInt(r, d, ua.s, ires.ih, ires.il);
}

/**
 * FSCALE: r[a] = ST(0) * 2^trunc(ST(1)) with ST(1) = r[b]. Infinite scales give infinity or
 * zero; 0 * 2^+inf and inf * 2^-inf are invalid. Precision control does not apply (as on the
 * host's x87): only denormalisation and overflow round.
 */
export function fscale(env: FpuEnv, r: Uint32Array, a: number, b: number): void {
  unpack(r, a, ua);
  unpack(r, b, ub);
  if (!screen2(env, r, a)) return;
  const s = ua.s;
  if (ub.k === K_INF) {
    if (ub.s === 0) {
      if (ua.k === K_ZERO) return invalid(env, r, a);
      put(r, a, (s << 15) | 0x7fff, 0x80000000, 0);
    } else {
      if (ua.k === K_INF) return invalid(env, r, a);
      put(r, a, s << 15, 0, 0);
    }
    return;
  }
  if (ua.k === K_ZERO || ua.k === K_INF) {
    put(r, a, r[a], r[a + 1], r[a + 2]);
    return;
  }
  let n = 0;
  if (ub.k !== K_ZERO) {
    const E = ub.e - BIAS;
    if (E >= 30) n = 0x40000000;
    else if (E >= 0) n = ub.h >>> (31 - E);
    if (ub.s === 1) n = -n;
  }
  pack64(env, r, a, s, ua.e + n, ua.h, ua.l);
}

/**
 * FXTRACT: the value r[a] splits into its exponent (written to r[dExp], which becomes ST(1))
 * and its significand with exponent 0 (written to r[a], the new ST(0)). A zero gives ZE
 * and -infinity as the exponent; an infinity gives +infinity.
 */
export function fxtract(env: FpuEnv, r: Uint32Array, a: number, dExp: number): boolean {
  unpack(r, a, ua);
  if (ua.k === K_UNSUP || ua.k >= K_QNAN) {
    if (ua.k === K_UNSUP) {
      if (raise(env, IE) !== 0) return false;
      put(r, dExp, 0xffff, 0xc0000000, 0);
      put(r, a, 0xffff, 0xc0000000, 0);
      return true;
    }
    if (ua.k === K_SNAN && raise(env, IE) !== 0) return false;
    propagateNaN1(env, r, dExp, ua);
    put(r, a, r[dExp], r[dExp + 1], r[dExp + 2]);
    return true;
  }
  if (ua.k === K_DENORMAL && raise(env, DE) !== 0) return false;
  if (ua.k === K_ZERO) {
    if (raise(env, ZE) !== 0) return false;
    put(r, dExp, 0xffff, 0x80000000, 0);
    put(r, a, ua.s << 15, 0, 0);
    return true;
  }
  if (ua.k === K_INF) {
    put(r, dExp, 0x7fff, 0x80000000, 0);
    put(r, a, (ua.s << 15) | 0x7fff, 0x80000000, 0);
    return true;
  }
  const E = ua.e - BIAS;
  putInt(r, dExp, E < 0 ? 1 : 0, 0, Math.abs(E));
  put(r, a, (ua.s << 15) | BIAS, ua.h, ua.l);
  return true;
}

/**
 * FPREM (ieee false) / FPREM1 (ieee true): one partial-remainder step of ST(0)=r[a] by
 * ST(1)=r[b] into r[a]. When the exponents differ by less than 64 the remainder is complete
 * (C2 = 0; quotient bits Q2 Q1 Q0 in C0 C3 C1), with a quotient truncated (FPREM) or rounded
 * to nearest-even (FPREM1). Otherwise the step reduces the exponent difference by N (the SDM
 * leaves 32 <= N <= 63 to the implementation; the x87 of the host the tests run on uses N = 32 + (D mod 32)) and sets C2.
 */
export function fprem(env: FpuEnv, r: Uint32Array, a: number, b: number, ieee: boolean): void {
  unpack(r, a, ua);
  unpack(r, b, ub);
  env.sw &= ~CC;
  if (!screenNaN2(env, r, a)) return;
  if (ua.k === K_INF || ub.k === K_ZERO) return invalid(env, r, a);
  if (!denormal2(env)) return;
  const D = ua.e - ub.e;
  let s = ua.s;
  if (ub.k === K_INF || ua.k === K_ZERO || (D < 0 && !(ieee && D === -1))) {
    // |ST(0)| < |ST(1)| (or < half of it for FPREM1): the remainder is ST(0), quotient 0
    // (a pseudo-denormal comes back in the normal encoding).
    if (ua.k === K_ZERO) put(r, a, r[a], r[a + 1], r[a + 2]);
    else pack64(env, r, a, s, ua.e, ua.h, ua.l);
    return;
  }
  const partial = D >= 64;
  const k = partial ? 32 + (D & 31) : D; // quotient bits beyond the first
  let r2 = 0;
  let r1 = ua.h;
  let r0 = ua.l;
  const d1 = ub.h;
  const d0 = ub.l;
  let q = 0;
  let e = ua.e - k; // exponent of the remainder's scale (the divisor's, aligned)
  if (D === -1) {
    // FPREM1 with |a| in [|b|/4, |b|): compare |a| with |b|/2 at a's scale.
    e = ua.e;
  } else {
    for (let i = 0; ; i++) {
      if (r2 !== 0 || r1 > d1 || (r1 === d1 && r0 >= d0)) {
        const t = r0 - d0;
        r0 = t >>> 0;
        r1 = (r1 - d1 - (t < 0 ? 1 : 0)) >>> 0;
        r2 = 0;
        q |= 1;
      }
      if (i === k) break;
      r2 = r1 >>> 31;
      r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
      r0 = (r0 << 1) >>> 0;
      q = (q << 1) & 7;
    }
  }
  if (ieee && !partial) {
    // Round the quotient to nearest-even: compare 2R with the divisor (R at scale e, divisor at e).
    let t2: number;
    let t1: number;
    let t0: number;
    if (D === -1) {
      // R = a at scale e; divisor/2 has b's significand at scale e.
      t2 = 0;
      t1 = r1;
      t0 = r0;
    } else {
      t2 = r1 >>> 31;
      t1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
      t0 = (r0 << 1) >>> 0;
    }
    const gt = t2 !== 0 || t1 > d1 || (t1 === d1 && t0 > d0);
    const eq = t2 === 0 && t1 === d1 && t0 === d0;
    if (gt || (eq && (q & 1) === 1)) {
      if (D === -1) {
        // b - a at scale e: 2*mb - ma (a 65-bit difference that fits 64 bits since ma > mb).
        const u0 = (d0 << 1) >>> 0;
        const u1 = ((d1 << 1) | (d0 >>> 31)) >>> 0;
        const t = u0 - r0;
        r0 = t >>> 0;
        r1 = (u1 - r1 - (t < 0 ? 1 : 0)) >>> 0;
      } else {
        const t = d0 - r0;
        r0 = t >>> 0;
        r1 = (d1 - r1 - (t < 0 ? 1 : 0)) >>> 0;
      }
      q = (q + 1) & 7;
      s ^= 1;
    }
  }
  let cc = 0;
  if (partial) cc = C2;
  else {
    if (q & 4) cc |= C0;
    if (q & 2) cc |= C3;
    if (q & 1) cc |= C1;
  }
  if (r1 === 0 && r0 === 0) {
    put(r, a, ua.s << 15, 0, 0);
    env.sw |= cc;
    return;
  }
  // Normalise the remainder (it is below 2^64 and exact).
  e += 0;
  if (r1 === 0) {
    r1 = r0;
    r0 = 0;
    e -= 32;
  }
  const z = Math.clz32(r1);
  if (z !== 0) {
    r1 = ((r1 << z) | (r0 >>> (32 - z))) >>> 0;
    r0 = (r0 << z) >>> 0;
    e -= z;
  }
  pack64(env, r, a, s, e, r1, r0);
  env.sw = (env.sw & ~CC) | cc;
}

/**
 * Stores a result that precision control does not touch (FPREM's exact remainder, FSCALE's
 * scaled value): rounded at 64 bits only when it must be denormalised or overflows.
 */
function pack64(env: FpuEnv, r: Uint32Array, d: number, s: number, e: number, h: number, l: number): void {
  roundCore(env, s, e, h, l, 0, 64, 1, 0x7ffe);
  if (rres.cls === RC_INF) put(r, d, (s << 15) | 0x7fff, 0x80000000, 0);
  else put(r, d, (s << 15) | (rres.e & 0x7fff), rres.h, rres.l);
}
