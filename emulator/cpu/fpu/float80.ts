// The x87 80-bit extended-precision format and its rounding core (Intel SDM Vol. 1,
// 4.2.2 "Floating-Point Data Types", 4.8.3 "Encodings", 8.1.5 "x87 FPU Control Word",
// 4.9 "Floating-Point Exception Conditions").
//
// A value lives in three 32-bit words of a caller's Uint32Array at offset o:
//   r[o]   = sign (bit 15) | biased exponent (bits 14..0)
//   r[o+1] = significand bits 63..32 (bit 31 is the explicit integer bit J)
//   r[o+2] = significand bits 31..0
// Operations read their operands into the scratch records below, compute on 32-bit words
// (no BigInt, no allocation), and write the result back into the caller's array. They
// report exceptions and condition codes in an FpuEnv's status word and honour its
// control word's masks, rounding control (RC) and precision control (PC).

/** Status-word bits (SDM Vol. 1, 8.1.3). */
export const IE = 0x1;
export const DE = 0x2;
export const ZE = 0x4;
export const OE = 0x8;
export const UE = 0x10;
export const PE = 0x20;
export const SF = 0x40;
export const ES = 0x80;
export const C0 = 0x100;
export const C1 = 0x200;
export const C2 = 0x400;
export const C3 = 0x4000;
export const BUSY = 0x8000;

/** The exponent bias of the extended format, and the bias adjust of unmasked OE/UE (SDM Vol. 1, 4.9.1.4-5). */
export const BIAS = 16383;
export const WRAP = 24576;

/** The control and status words one operation works under. */
export interface FpuEnv {
  cw: number;
  sw: number;
}

/** Operand classes; Unsupported covers unnormals, pseudo-NaNs and pseudo-infinities (SDM Vol. 1, 8.2.2). */
export const K_ZERO = 0;
export const K_NORMAL = 1;
export const K_DENORMAL = 2;
export const K_INF = 3;
export const K_QNAN = 4;
export const K_SNAN = 5;
export const K_UNSUP = 6;

/** An operand read out of its encoding: denormals are normalised, so e may be below 1. */
export interface Unpacked {
  s: number;
  e: number;
  h: number;
  l: number;
  k: number;
}

export const ua: Unpacked = { s: 0, e: 0, h: 0, l: 0, k: 0 };
export const ub: Unpacked = { s: 0, e: 0, h: 0, l: 0, k: 0 };

/** Reads the value at r[o] into u and classifies it; a (pseudo-)denormal gets exponent 1 then is normalised. */
export function unpack(r: Uint32Array, o: number, u: Unpacked): number {
  const se = r[o];
  let h = r[o + 1];
  let l = r[o + 2];
  const e = se & 0x7fff;
  u.s = (se >>> 15) & 1;
  u.h = h;
  u.l = l;
  u.e = e;
  if (e === 0) {
    if (h === 0 && l === 0) return (u.k = K_ZERO);
    let ne = 1;
    if (h === 0) {
      h = l;
      l = 0;
      ne -= 32;
    }
    const z = Math.clz32(h);
    if (z !== 0) {
      h = ((h << z) | (l >>> (32 - z))) >>> 0;
      l = (l << z) >>> 0;
      ne -= z;
    }
    u.h = h;
    u.l = l;
    u.e = ne;
    return (u.k = K_DENORMAL);
  }
  if ((h & 0x80000000) === 0) return (u.k = K_UNSUP);
  if (e === 0x7fff) {
    if ((h & 0x7fffffff) === 0 && l === 0) return (u.k = K_INF);
    return (u.k = (h & 0x40000000) !== 0 ? K_QNAN : K_SNAN);
  }
  return (u.k = K_NORMAL);
}

/** Stores sign/exponent word and significand halves at r[o]. */
export function put(r: Uint32Array, o: number, se: number, h: number, l: number): void {
  r[o] = se;
  r[o + 1] = h >>> 0;
  r[o + 2] = l >>> 0;
}

/** The QNaN floating-point indefinite, 0xFFFF_C000000000000000 (SDM Vol. 1, Table 4-3). */
export function putIndefinite(r: Uint32Array, o: number): void {
  put(r, o, 0xffff, 0xc0000000, 0);
}

/** ORs exception flags into sw, and ES and B when any of them is unmasked; returns the unmasked ones. */
export function raise(env: FpuEnv, flags: number): number {
  const unmasked = flags & ~env.cw & 0x3f;
  env.sw |= flags;
  if (unmasked !== 0) env.sw |= ES | BUSY;
  return unmasked;
}

/**
 * Invalid operation with a masked response of the indefinite: raises IE and writes the
 * QNaN indefinite to r[d] unless IE is unmasked (then the destination is left alone).
 */
export function invalid(env: FpuEnv, r: Uint32Array, d: number): void {
  if (raise(env, IE) === 0) putIndefinite(r, d);
}

/**
 * NaN operand(s) of a two-operand operation (SDM Vol. 1, 4.8.3.5 Table 4-7): a QNaN beats an
 * SNaN, else the one with the larger significand wins, quietened; IE when either is signalling.
 * a or b is a NaN. With IE unmasked and an SNaN the destination is left alone.
 */
export function propagateNaN2(env: FpuEnv, r: Uint32Array, d: number, a: Unpacked, b: Unpacked): void {
  const an = a.k === K_QNAN || a.k === K_SNAN;
  const bn = b.k === K_QNAN || b.k === K_SNAN;
  if ((a.k === K_SNAN || b.k === K_SNAN) && raise(env, IE) !== 0) return;
  let w = a;
  if (an && bn && a.k === b.k) {
    const ah = a.h | 0x40000000;
    const bh = b.h | 0x40000000;
    if (bh > ah || (bh === ah && b.l > a.l)) w = b;
    else if (bh === ah && b.l === a.l && b.s === 0) w = b;
  } else if (bn && (!an || b.k === K_QNAN)) w = b;
  put(r, d, (w.s << 15) | 0x7fff, w.h | 0x40000000, w.l);
}

/** One NaN operand (u is a NaN): the quietened NaN, IE for an SNaN. */
export function propagateNaN1(env: FpuEnv, r: Uint32Array, d: number, u: Unpacked): void {
  if (u.k === K_SNAN && raise(env, IE) !== 0) return;
  put(r, d, (u.s << 15) | 0x7fff, u.h | 0x40000000, u.l);
}

/**
 * Common screening of two operands: unsupported encodings and NaNs (IE, indefinite or NaN
 * propagation), then DE for denormal operands. Returns false when the result was decided.
 * The NaN/unsupported cases come before the denormal check, so a denormal paired with a NaN
 * raises no DE.
 */
export function screen2(env: FpuEnv, r: Uint32Array, d: number): boolean {
  return screenNaN2(env, r, d) && denormal2(env);
}

/** The first half of screen2: unsupported encodings and NaNs. */
export function screenNaN2(env: FpuEnv, r: Uint32Array, d: number): boolean {
  const ka = ua.k;
  const kb = ub.k;
  if (ka === K_UNSUP || kb === K_UNSUP) {
    invalid(env, r, d);
    return false;
  }
  if (ka >= K_QNAN || kb >= K_QNAN) {
    propagateNaN2(env, r, d, ua, ub);
    return false;
  }
  return true;
}

/**
 * The second half of screen2: DE when either operand is denormal; false when DE is unmasked.
 * Operations with invalid operand combinations (inf - inf, 0/0, ...) check those first: the
 * x87 raises IE alone for them even when the other operand is denormal.
 */
export function denormal2(env: FpuEnv): boolean {
  return !((ua.k === K_DENORMAL || ub.k === K_DENORMAL) && raise(env, DE) !== 0);
}

/** Screening of a single operand; same rules as screen2. */
export function screen1(env: FpuEnv, r: Uint32Array, d: number): boolean {
  const k = ua.k;
  if (k === K_UNSUP) {
    invalid(env, r, d);
    return false;
  }
  if (k >= K_QNAN) {
    propagateNaN1(env, r, d, ua);
    return false;
  }
  if (k === K_DENORMAL && raise(env, DE) !== 0) return false;
  return true;
}

/** Precision control to significand bits: PC 00 = 24, 10 = 53, 11 = 64 (01 is reserved; this host's x87 gives 64). */
export function precisionBits(cw: number): number {
  const pc = (cw >>> 8) & 3;
  return pc === 0 ? 24 : pc === 2 ? 53 : 64;
}

// The rounding scratch: a significand of 96 bits (h:l:x), where x holds the bits below the
// 64-bit significand and its bit 0 doubles as the sticky bit of anything further down.
let rh = 0;
let rl = 0;
let rx = 0;

/** Shifts (rh, rl, rx) right by n, folding lost bits into the sticky bit. */
function shiftRightSticky(n: number): void {
  let st = 0;
  while (n >= 32) {
    st |= rx;
    rx = rl;
    rl = rh;
    rh = 0;
    n -= 32;
    if (rh === 0 && rl === 0 && rx === 0) break;
  }
  if (n > 0 && n < 32) {
    st |= rx << (32 - n);
    rx = ((rx >>> n) | (rl << (32 - n))) >>> 0;
    rl = ((rl >>> n) | (rh << (32 - n))) >>> 0;
    rh = rh >>> n;
  }
  if (st !== 0) rx = (rx | 1) >>> 0;
}

// Result of roundSig: whether the dropped bits were nonzero and whether the kept part was incremented.
let inexact = false;
let roundedUp = false;

/**
 * Rounds (rh, rl, rx) to p significand bits counted from bit 63 under rounding control rc
 * for sign s; the dropped bits are cleared. Returns true when the increment carried out of
 * bit 63 (the significand is then 1.000... and must be shifted right with exponent + 1).
 */
function roundSig(p: number, rc: number, s: number): boolean {
  let lsbWord: number; // 0 = rh, 1 = rl
  let lsbBit: number;
  let half: boolean;
  let above: boolean; // dropped part > half
  let nonzero: boolean;
  if (p === 64) {
    lsbWord = 1;
    lsbBit = 0;
    half = rx === 0x80000000;
    above = rx > 0x80000000;
    nonzero = rx !== 0;
  } else if (p === 53) {
    lsbWord = 1;
    lsbBit = 11;
    const d = rl & 0x7ff;
    half = d === 0x400 && rx === 0;
    above = d > 0x400 || (d === 0x400 && rx !== 0);
    nonzero = d !== 0 || rx !== 0;
  } else {
    lsbWord = 0;
    lsbBit = 8;
    const d = rh & 0xff;
    const rest = rl !== 0 || rx !== 0;
    half = d === 0x80 && !rest;
    above = d > 0x80 || (d === 0x80 && rest);
    nonzero = d !== 0 || rest;
  }
  inexact = nonzero;
  let inc = false;
  if (nonzero) {
    if (rc === 0) {
      const lsb = lsbWord === 0 ? (rh >>> lsbBit) & 1 : (rl >>> lsbBit) & 1;
      inc = above || (half && lsb === 1);
    } else if (rc === 1) inc = s === 1;
    else if (rc === 2) inc = s === 0;
  }
  roundedUp = inc;
  // Clear dropped bits.
  rx = 0;
  if (lsbWord === 1) rl = (rl & ~((1 << lsbBit) - 1)) >>> 0;
  else {
    rl = 0;
    rh = (rh & ~((1 << lsbBit) - 1)) >>> 0;
  }
  if (!inc) return false;
  if (lsbWord === 1) {
    const t = rl + (1 << lsbBit) * 1;
    rl = t >>> 0;
    if (t >= 0x100000000) {
      const u = rh + 1;
      rh = u >>> 0;
      if (u >= 0x100000000) {
        rh = 0x80000000;
        return true;
      }
    }
    return false;
  }
  const u = rh + (1 << lsbBit);
  rh = u >>> 0;
  if (u >= 0x100000000) {
    rh = 0x80000000;
    return true;
  }
  return false;
}

/** Where roundCore left its result: cls RC_FINITE (e 0 or minE-1 for a denormal), RC_INF, or RC_WRAPPED. */
export const RC_FINITE = 0;
export const RC_INF = 1;
export const RC_WRAPPED = 2;
export const rres = { cls: 0, e: 0, h: 0, l: 0 };

/**
 * Rounds a nonzero finite result (SDM Vol. 1, 4.9.1.4-6, 8.1.5.2-3): the value is
 * (h:l:x / 2^63) * 2^(e - BIAS) with bit 63 of h:l set, x the bits below with a sticky bit 0.
 * Rounds to p significand bits under the control word's RC for a destination whose normal
 * exponents (in extended bias) are minE..maxE. Tiny results are denormalised (exponent
 * minE - 1, bit 63 clear) when UE is masked; masked overflow gives infinity or the largest
 * finite value of precision p; unmasked overflow/underflow round with an unbounded exponent
 * and wrap it by 24576 (cls RC_WRAPPED, for the register format; a memory destination (memDest)
 * gets nothing and only UE or OE is raised, as on the host's x87). Raises PE, UE,
 * OE in env and sets C1 when the significand was rounded up (cleared otherwise).
 * Tininess is detected after rounding, as the x87 does (checked against the host in tests/fpu).
 */
export function roundCore(
  env: FpuEnv,
  s: number,
  e: number,
  h: number,
  l: number,
  x: number,
  p: number,
  minE: number,
  maxE: number,
  memDest = false,
): void {
  const rc = (env.cw >>> 10) & 3;
  rh = h >>> 0;
  rl = l >>> 0;
  rx = x >>> 0;
  env.sw &= ~C1;
  if (e < minE) {
    // Tiny before rounding; tiny after rounding unless rounding with unbounded exponent reaches minE.
    let tiny = true;
    if (e === minE - 1) {
      const sh = rh;
      const sl = rl;
      const sx = rx;
      if (roundSig(p, rc, s)) tiny = false;
      rh = sh;
      rl = sl;
      rx = sx;
    }
    if ((env.cw & UE) === 0 && tiny) {
      if (roundSig(p, rc, s)) e++;
      if (e + WRAP < 1) {
        // Too small even with the bias adjust (only FSCALE gets here): a signed zero.
        raise(env, UE | PE);
        rh = 0;
        rl = 0;
        setRes(RC_FINITE, 0);
        return;
      }
      if (memDest) {
        raise(env, UE);
        setRes(RC_WRAPPED, 0);
        return;
      }
      if (roundedUp) env.sw |= C1;
      raise(env, inexact ? UE | PE : UE);
      setRes(RC_WRAPPED, e + WRAP);
      return;
    }
    if (!tiny) {
      // Rounds up to the smallest normal: not an underflow.
      roundSig(p, rc, s);
      if (roundedUp) env.sw |= C1;
      raise(env, PE);
      rh = 0x80000000;
      setRes(RC_FINITE, minE);
      return;
    }
    shiftRightSticky(minE - e);
    const carry = roundSig(p, rc, s);
    if (carry) rh = 0x80000000;
    if (roundedUp) env.sw |= C1;
    if (inexact) raise(env, tiny ? UE | PE : PE);
    setRes(RC_FINITE, (rh & 0x80000000) !== 0 ? minE : minE - 1);
    return;
  }
  if (roundSig(p, rc, s)) e++;
  if (e > maxE) {
    if ((env.cw & OE) === 0) {
      if (e - WRAP > maxE) {
        // Too large even with the bias adjust (only FSCALE gets here): infinity.
        env.sw |= C1;
        raise(env, OE | PE);
        setRes(RC_INF, 0);
        return;
      }
      if (memDest) {
        raise(env, OE);
        setRes(RC_WRAPPED, 0);
        return;
      }
      if (roundedUp) env.sw |= C1;
      raise(env, inexact ? OE | PE : OE);
      setRes(RC_WRAPPED, e - WRAP);
      return;
    }
    // Masked overflow: infinity when rounding goes away from zero, else the largest finite value.
    raise(env, OE | PE);
    if (rc === 0 || (rc === 1 && s === 1) || (rc === 2 && s === 0)) {
      env.sw |= C1;
      setRes(RC_INF, 0);
      return;
    }
    env.sw &= ~C1;
    rh = p === 24 ? 0xffffff00 : 0xffffffff;
    rl = p === 24 ? 0 : p === 53 ? 0xfffff800 : 0xffffffff;
    setRes(RC_FINITE, maxE);
    return;
  }
  if (roundedUp) env.sw |= C1;
  if (inexact) raise(env, PE);
  setRes(RC_FINITE, e);
}

function setRes(cls: number, e: number): void {
  rres.cls = cls;
  rres.e = e;
  rres.h = rh;
  rres.l = rl;
}

/** roundCore for the register format under the control word's precision, stored at r[d]. */
export function roundPack(env: FpuEnv, r: Uint32Array, d: number, s: number, e: number, h: number, l: number, x: number): void {
  roundCore(env, s, e, h, l, x, precisionBits(env.cw), 1, 0x7ffe);
  if (rres.cls === RC_INF) put(r, d, (s << 15) | 0x7fff, 0x80000000, 0);
  else put(r, d, (s << 15) | (rres.e & 0x7fff), rres.h, rres.l);
}
