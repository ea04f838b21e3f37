// FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X and FYL2XP1 (Intel SDM Vol. 2A, the pages
// of those instructions; Vol. 1, 8.3.10 for their accuracy). The SDM lets implementations
// differ in the last bit; these compute the exact function value to far more than 64 bits
// (bigfloat.ts) and round it once under RC, after reducing sine/cosine/tangent arguments
// modulo the x87's 66-bit approximation of pi (SDM Vol. 1, 8.3.8), as the hardware does.
// tests/fpu/transcendental.test.ts measures how far this is from the host's x87.

import {
  BIAS,
  C1,
  C2,
  DE,
  type FpuEnv,
  IE,
  K_DENORMAL,
  K_INF,
  K_NORMAL,
  K_QNAN,
  K_SNAN,
  K_UNSUP,
  K_ZERO,
  PE,
  RC_INF,
  UE,
  ZE,
  invalid,
  propagateNaN1,
  put,
  raise,
  rres,
  screenNaN2,
  ua,
  ub,
  unpack,
  type Unpacked,
} from "./float80.ts";
import { type BF, add, bf, bitLength, div, fromParts, int, mul, neg, roundBF, sqrt, sub, top, WORK } from "./bigfloat.ts";

// Constants, computed once: pi by Machin's formula, ln 2 = 2 atanh(1/3).
function atanInv(n: number): BF {
  // atan(1/n) = sum (-1)^k / ((2k+1) n^(2k+1))
  const x = div(int(1), int(n));
  const x2 = mul(x, x);
  let term = x;
  let sum = x;
  for (let k = 1; ; k++) {
    term = neg(mul(term, x2));
    const t = div(term, int(2 * k + 1));
    sum = add(sum, t);
    if (top(t) < top(sum) - WORK) break;
  }
  return sum;
}
const PI = sub(mul(int(16), atanInv(5)), mul(int(4), atanInv(239)));
const LN2 = mul(int(2), atanhSeries(div(int(1), int(3))));

/** pi rounded to nearest at 66 bits, 3.243F6A88_85A308D3 (hex): the x87's reduction constant. */
const PI66 = (() => {
  const n = bitLength(PI.m);
  const sh = BigInt(n - 66);
  const m = (PI.m + (1n << (sh - 1n))) >> sh;
  return { m, e: PI.e + n - 66 };
})();

function sinSeries(r: BF): BF {
  const r2 = mul(r, r);
  let term = r;
  let sum = r;
  for (let k = 1; ; k++) {
    term = div(neg(mul(term, r2)), int(2 * k * (2 * k + 1)));
    sum = add(sum, term); // a negligible last term still tells which way the rest lies
    if (term.m === 0n || top(term) < top(sum) - WORK) break;
  }
  return sum;
}

function cosSeries(r: BF): BF {
  const r2 = mul(r, r);
  let term = int(1);
  let sum = term;
  for (let k = 1; ; k++) {
    term = div(neg(mul(term, r2)), int((2 * k - 1) * (2 * k)));
    sum = add(sum, term); // a negligible last term still tells which way the rest lies
    if (term.m === 0n || top(term) < top(sum) - WORK) break;
  }
  return sum;
}

/** atanh(z) = z + z^3/3 + z^5/5 + ... for |z| <= 1/3. */
function atanhSeries(z: BF): BF {
  const z2 = mul(z, z);
  let p = z;
  let sum = z;
  for (let k = 1; ; k++) {
    p = mul(p, z2);
    const t = div(p, int(2 * k + 1));
    sum = add(sum, t); // a negligible last term still tells which way the rest lies
    if (t.m === 0n || top(t) < top(sum) - WORK) break;
  }
  return sum;
}

/** atan(z) for z >= 0: halve the argument (atan z = 2 atan(z / (1 + sqrt(1 + z^2)))) then the series. */
function atanPos(z: BF): BF {
  let halvings = 0;
  while (top(z) > -3) {
    z = div(z, add(int(1), sqrt(add(int(1), mul(z, z)))));
    halvings++;
  }
  const z2 = mul(z, z);
  let p = z;
  let sum = z;
  for (let k = 1; ; k++) {
    p = neg(mul(p, z2));
    const t = div(p, int(2 * k + 1));
    sum = add(sum, t); // a negligible last term still tells which way the rest lies
    if (t.m === 0n || top(t) < top(sum) - WORK) break;
  }
  return { m: sum.m, e: sum.e + halvings };
}

/** e^t - 1 = t + t^2/2! + ... */
function expm1Series(t: BF): BF {
  let term = t;
  let sum = t;
  for (let k = 2; ; k++) {
    term = div(mul(term, t), int(k));
    sum = add(sum, term); // a negligible last term still tells which way the rest lies
    if (term.m === 0n || top(term) < top(sum) - WORK) break;
  }
  return sum;
}

/** log2(v) for v > 0: exponent plus ln(m)/ln 2 with m in [sqrt(1/2), sqrt(2)). */
function log2(v: BF): BF {
  const n = bitLength(v.m);
  let E = v.e + n - 1; // v = m * 2^E, m in [1, 2)
  let m: BF = { m: v.m, e: -(n - 1) };
  if (sub(mul(m, m), int(2)).m > 0n) {
    m = { m: m.m, e: m.e - 1 };
    E++;
  }
  const lnm = mul(int(2), atanhSeries(div(sub(m, int(1)), add(m, int(1)))));
  return add(int(E), div(lnm, LN2));
}

function valueOf(u: Unpacked): BF {
  return fromParts(u.s, u.e, u.h, u.l);
}

/** Writes the rounded v (nonzero; an irrational value's approximation unless exact) to r[d]. */
function store(env: FpuEnv, r: Uint32Array, d: number, v: BF, exact = false): void {
  roundBF(env, v, exact);
  const s = v.m < 0n ? 1 : 0;
  if (rres.cls === RC_INF) put(r, d, (s << 15) | 0x7fff, 0x80000000, 0);
  else put(r, d, (s << 15) | (rres.e & 0x7fff), rres.h, rres.l);
}

/** Screening of the one operand of FSIN/FCOS/FSINCOS/FPTAN/F2XM1; false when the result is decided. */
function screenTrig(env: FpuEnv, r: Uint32Array, d: number, infInvalid: boolean): boolean {
  const k = ua.k;
  if (k === K_UNSUP || (infInvalid && k === K_INF)) {
    invalid(env, r, d);
    return false;
  }
  if (k === K_QNAN || k === K_SNAN) {
    propagateNaN1(env, r, d, ua);
    return false;
  }
  if (k === K_DENORMAL && raise(env, DE) !== 0) return false;
  return true;
}

/** Reduces |x| (|x| < 2^63) modulo pi66/2: the quadrant k mod 4 and the remainder r in [-pi66/4, pi66/4]. */
function reduce(u: Unpacked): { q: number; r: BF } {
  const x = fromParts(0, u.e, u.h, u.l);
  const c = Math.min(x.e, PI66.e - 1);
  const X = x.m << BigInt(x.e - c);
  const P = PI66.m << BigInt(PI66.e - 1 - c);
  const k = (2n * X + P) / (2n * P);
  return { q: Number(k & 3n), r: bf(X - k * P, c) };
}

// Results of sinCos: sine and cosine of the unpacked ua (|x| < 2^63).
function sinCos(): { sin: BF; cos: BF } {
  const { q, r } = reduce(ua);
  const s = r.m === 0n ? int(0) : sinSeries(r);
  const c = cosSeries(r);
  let sin = [s, c, neg(s), neg(c)][q];
  const cos = [c, neg(s), neg(c), s][q];
  if (ua.s === 1) sin = neg(sin);
  return { sin, cos };
}

/** Whether ua is beyond the trigonometric range (|x| >= 2^63): C2 set, operand left alone. */
function outOfRange(env: FpuEnv): boolean {
  if (ua.k === K_NORMAL && ua.e - BIAS >= 63) {
    env.sw |= C2;
    return true;
  }
  return false;
}

/**
 * FSIN: r[a] = sin(r[a]). C2 = 1 and nothing else changes when |x| >= 2^63; infinity is
 * invalid; +-0 is returned as is.
 */
export function fsin(env: FpuEnv, r: Uint32Array, a: number): void {
  unpack(r, a, ua);
  env.sw &= ~(C1 | C2);
  if (!screenTrig(env, r, a, true) || outOfRange(env)) return;
  if (ua.k === K_ZERO) return;
  store(env, r, a, sinCos().sin);
}

/** FCOS: r[a] = cos(r[a]); ranges as FSIN; cos(+-0) = +1. */
export function fcos(env: FpuEnv, r: Uint32Array, a: number): void {
  unpack(r, a, ua);
  env.sw &= ~(C1 | C2);
  if (!screenTrig(env, r, a, true) || outOfRange(env)) return;
  if (ua.k === K_ZERO) {
    put(r, a, BIAS, 0x80000000, 0);
    return;
  }
  store(env, r, a, sinCos().cos);
}

/**
 * The operands FSINCOS and FPTAN do not compute (unsupported, infinite, NaN, out of range):
 * both results become the QNaN indefinite or the propagated NaN. Returns true (pushed) or
 * false (nothing pushed) when it handled the operand, null for a number to compute (in ua).
 */
function screenPair(env: FpuEnv, r: Uint32Array, a: number, d: number): boolean | null {
  unpack(r, a, ua);
  env.sw &= ~(C1 | C2);
  const k = ua.k;
  if (k === K_UNSUP || k === K_INF) {
    if (raise(env, IE) !== 0) return false;
    put(r, d, 0xffff, 0xc0000000, 0);
    put(r, a, 0xffff, 0xc0000000, 0);
    return true;
  }
  if (k === K_QNAN || k === K_SNAN) {
    if (k === K_SNAN && raise(env, IE) !== 0) return false;
    propagateNaN1(env, r, d, ua);
    put(r, a, r[d], r[d + 1], r[d + 2]);
    return true;
  }
  if (k === K_DENORMAL && raise(env, DE) !== 0) return false;
  if (outOfRange(env)) return false;
  return null;
}

/**
 * FSINCOS: sine to r[dSin] (ST(1) after the push), cosine to r[a] (the new ST(0)). C1 tells
 * whether the sine was rounded up (so the host's x87 reports it). Returns false when nothing
 * was pushed (out of range, or an unmasked exception).
 */
export function fsincos(env: FpuEnv, r: Uint32Array, a: number, dSin: number): boolean {
  const special = screenPair(env, r, a, dSin);
  if (special !== null) return special;
  const k = ua.k;
  if (k === K_ZERO) {
    put(r, dSin, r[a], r[a + 1], r[a + 2]);
    put(r, a, BIAS, 0x80000000, 0);
    return true;
  }
  const { sin, cos } = sinCos();
  store(env, r, a, cos);
  store(env, r, dSin, sin);
  return true;
}

/**
 * FPTAN: tan(r[a]) to r[dTan] (ST(1) after the push) and 1.0 pushed to r[a]. Returns false
 * when nothing was pushed.
 */
export function fptan(env: FpuEnv, r: Uint32Array, a: number, dTan: number): boolean {
  const special = screenPair(env, r, a, dTan);
  if (special !== null) return special;
  const k = ua.k;
  if (k === K_ZERO) put(r, dTan, r[a], r[a + 1], r[a + 2]);
  else {
    const { q, r: red } = reduce(ua);
    const s = red.m === 0n ? int(0) : sinSeries(red);
    const c = cosSeries(red);
    // For a tiny remainder sin/cos loses the r^3/3 that decides the rounding: use the series.
    let t =
      (q & 1) === 0
        ? top(red) < -WORK / 2
          ? add(red, div(mul(red, mul(red, red)), int(3)))
          : div(s, c)
        : neg(div(c, s));
    if (ua.s === 1) t = neg(t);
    store(env, r, dTan, t);
  }
  put(r, a, BIAS, 0x80000000, 0);
  return true;
}

/**
 * F2XM1: r[a] = 2^x - 1 for -1 <= x <= 1. Outside that the SDM leaves the result undefined:
 * this computes 2^x - 1 up to |x| < 64 and leaves larger operands unchanged.
 */
export function f2xm1(env: FpuEnv, r: Uint32Array, a: number): void {
  unpack(r, a, ua);
  env.sw &= ~C1;
  if (!screenTrig(env, r, a, false)) return;
  if (ua.k === K_ZERO) return;
  if (ua.k === K_INF) {
    if (ua.s === 1) put(r, a, 0xbfff, 0x80000000, 0);
    return;
  }
  if (ua.e - BIAS >= 6) return; // far outside the domain: left as it is
  store(env, r, a, expm1Series(mul(valueOf(ua), LN2)));
}

/**
 * FPATAN: r[b] (ST(1)) = atan2(ST(1), ST(0)) with ST(0) = r[a]; the caller pops. Zeros and
 * infinities give the signed multiples of pi/4 of the SDM's table.
 */
export function fpatan(env: FpuEnv, r: Uint32Array, a: number, b: number): void {
  unpack(r, a, ua); // x
  unpack(r, b, ub); // y
  env.sw &= ~C1;
  if (!screenNaN2(env, r, b)) return;
  if ((ua.k === K_DENORMAL || ub.k === K_DENORMAL) && raise(env, DE) !== 0) return;
  const y = ub;
  const x = ua;
  let v: BF;
  if (y.k === K_ZERO) {
    // atan2(+-0, x): +-0 for x > 0 or +0, +-pi for x < 0 or -0.
    if (x.s === 0) {
      put(r, b, y.s << 15, 0, 0);
      return;
    }
    v = PI;
  } else if (x.k === K_ZERO) v = div(PI, int(2));
  else if (y.k === K_INF) {
    if (x.k === K_INF) v = x.s === 0 ? div(PI, int(4)) : div(mul(PI, int(3)), int(4));
    else v = div(PI, int(2));
  } else if (x.k === K_INF) {
    if (x.s === 0) {
      put(r, b, y.s << 15, 0, 0);
      return;
    }
    v = PI;
  } else {
    const yy = fromParts(0, y.e, y.h, y.l);
    const xx = fromParts(0, x.e, x.h, x.l);
    v = atanPos(div(yy, xx));
    if (x.s === 1) v = sub(PI, v);
  }
  if (y.s === 1) v = neg(v);
  store(env, r, b, v);
}

/**
 * FYL2X: r[b] (ST(1)) = ST(1) * log2(ST(0)) with ST(0) = r[a]; the caller pops. log2 of a
 * negative number is invalid; of zero, ZE and an infinity (IE when ST(1) is also zero).
 */
export function fyl2x(env: FpuEnv, r: Uint32Array, a: number, b: number): void {
  unpack(r, a, ua); // x
  unpack(r, b, ub); // y
  env.sw &= ~C1;
  if (!screenNaN2(env, r, b)) return;
  const x = ua;
  const y = ub;
  if (x.s === 1 && x.k !== K_ZERO) return invalid(env, r, b);
  if (x.k === K_ZERO) {
    // ZE alone, even for a denormal y (as on the host's x87).
    if (y.k === K_ZERO) return invalid(env, r, b);
    if (y.k !== K_INF && raise(env, ZE) !== 0) return;
    put(r, b, ((y.s ^ 1) << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if ((x.k === K_DENORMAL || y.k === K_DENORMAL) && raise(env, DE) !== 0) return;
  const xOne = x.k === K_NORMAL && x.e === BIAS && x.h === 0x80000000 && x.l === 0;
  if (x.k === K_INF) {
    if (y.k === K_ZERO) return invalid(env, r, b);
    put(r, b, (y.s << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (y.k === K_INF) {
    if (xOne) return invalid(env, r, b);
    const below = x.e < BIAS;
    put(r, b, ((y.s ^ (below ? 1 : 0)) << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (y.k === K_ZERO || xOne) {
    const lneg = x.e < BIAS ? 1 : 0;
    put(r, b, (xOne ? y.s : y.s ^ lneg) << 15, 0, 0);
    return;
  }
  // log2 of a power of two is its exponent: an exact value, yet the host's x87 reports PE.
  const pow2 = x.h === 0x80000000 && x.l === 0;
  store(env, r, b, mul(valueOf(y), log2(valueOf(x))), pow2);
  if (pow2) raise(env, (r[b] & 0x7fff) === 0 ? PE | UE : PE); // a denormal result then counts as an underflow too
}

/** FYL2XP1: r[b] (ST(1)) = ST(1) * log2(ST(0) + 1), for |ST(0)| < 1 - sqrt(2)/2; the caller pops. */
export function fyl2xp1(env: FpuEnv, r: Uint32Array, a: number, b: number): void {
  unpack(r, a, ua); // x
  unpack(r, b, ub); // y
  env.sw &= ~C1;
  if (!screenNaN2(env, r, b)) return;
  const x = ua;
  const y = ub;
  if ((x.k === K_INF && (x.s === 1 || y.k === K_ZERO)) || (y.k === K_INF && x.k === K_ZERO)) return invalid(env, r, b);
  if ((x.k === K_DENORMAL || y.k === K_DENORMAL) && raise(env, DE) !== 0) return;
  if (x.k === K_INF) {
    // +infinity (outside the domain, but defined as log2 of infinity): infinity of y's sign.
    put(r, b, (y.s << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (y.k === K_INF) {
    put(r, b, ((y.s ^ x.s) << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (x.k === K_ZERO || y.k === K_ZERO) {
    put(r, b, (x.s ^ y.s) << 15, 0, 0);
    return;
  }
  // log2(1 + x) = 2 atanh(x / (2 + x)) / ln 2, accurate relative to x however small.
  const xv = valueOf(x);
  if (x.e - BIAS >= -1) {
    // |x| >= 1/2: outside the SDM's domain (result undefined); log2(1 + x) directly, if defined.
    const onePlus = add(int(1), xv);
    if (onePlus.m <= 0n) return invalid(env, r, b);
    store(env, r, b, mul(valueOf(y), log2(onePlus)));
    return;
  }
  const l = div(mul(int(2), atanhSeries(div(xv, add(int(2), xv)))), LN2);
  store(env, r, b, mul(valueOf(y), l));
}

/** For tests: pi rounded to 66 bits, as a hex significand. */
export function pi66Hex(): string {
  return PI66.m.toString(16);
}
