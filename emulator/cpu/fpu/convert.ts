// Conversions between the register format and the memory formats (Intel SDM Vol. 2A, the
// FLD, FILD, FBLD, FST/FSTP, FIST/FISTP, FISTTP and FBSTP pages; Vol. 1, 4.2.2 and Table
// 4-3 for the single/double formats, 4.7 for packed BCD, 4.8.3.7 for the integer and BCD
// indefinites). Memory images are little-endian 32-bit words in a caller's Uint32Array.
// A store returns false when it wrote nothing (an unmasked exception, as the x87 leaves
// the memory alone then).

import {
  BIAS,
  C1,
  DE,
  type FpuEnv,
  IE,
  K_INF,
  K_QNAN,
  K_SNAN,
  K_UNSUP,
  K_ZERO,
  PE,
  RC_FINITE,
  RC_INF,
  put,
  raise,
  roundCore,
  rres,
  ua,
  unpack,
} from "./float80.ts";
import { ires, putInt, roundToInt } from "./intround.ts";

/**
 * FIST/FISTP (truncate false: RC rounding) and FISTTP (truncate true) of r[a] to a signed
 * integer of bits = 16, 32 or 64 at mem[o] (64: low word first). NaN, infinity, unsupported
 * or out of range give IE and the integer indefinite (the most negative value) when masked.
 * A denormal source raises no DE (it rounds to 0 or +-1), as on the host's x87.
 */
export function fist(env: FpuEnv, r: Uint32Array, a: number, bits: number, truncate: boolean, mem: Uint32Array, o: number): boolean {
  const k = unpack(r, a, ua);
  env.sw &= ~C1;
  if (k === K_UNSUP || k === K_INF || k >= K_QNAN) return intIndefinite(env, bits, mem, o);
  let ih = 0;
  let il = 0;
  if (k !== K_ZERO) {
    roundToInt(ua.s, ua.e, ua.h, ua.l, truncate ? 3 : (env.cw >>> 10) & 3);
    ih = ires.ih;
    il = ires.il;
    // Range check on the magnitude: up to 2^(bits-1) - 1, or 2^(bits-1) when negative.
    const lim = bits === 64 ? 0 : 2 ** (bits - 1);
    let over: boolean;
    if (ires.big) over = true;
    else if (bits === 64) over = ih > 0x80000000 || (ih === 0x80000000 && (il !== 0 || ua.s === 0));
    else over = ih !== 0 || il > lim || (il === lim && ua.s === 0);
    if (over) return intIndefinite(env, bits, mem, o);
    if (ires.inexact) {
      if (ires.up) env.sw |= C1;
      raise(env, PE);
    }
    if (ua.s === 1) {
      // Two's complement of ih:il.
      il = (~il + 1) >>> 0;
      ih = (~ih + (il === 0 ? 1 : 0)) >>> 0;
    }
  }
  if (bits === 16) mem[o] = (mem[o] & 0xffff0000) | (il & 0xffff);
  else {
    mem[o] = il;
    if (bits === 64) mem[o + 1] = ih;
  }
  return true;
}

function intIndefinite(env: FpuEnv, bits: number, mem: Uint32Array, o: number): boolean {
  if (raise(env, IE) !== 0) return false;
  if (bits === 16) mem[o] = (mem[o] & 0xffff0000) | 0x8000;
  else if (bits === 32) mem[o] = 0x80000000;
  else {
    mem[o] = 0;
    mem[o + 1] = 0x80000000;
  }
  return true;
}

/** FILD m16: the sign-extended integer v (low 16 bits used) into r[d], exactly. */
export function fild16(v: number, r: Uint32Array, d: number): void {
  const x = (v << 16) >> 16;
  putInt(r, d, x < 0 ? 1 : 0, 0, Math.abs(x));
}

/** FILD m32: the 32-bit integer v into r[d], exactly. */
export function fild32(v: number, r: Uint32Array, d: number): void {
  const x = v | 0;
  putInt(r, d, x < 0 ? 1 : 0, 0, Math.abs(x));
}

/** FILD m64: the 64-bit integer hi:lo into r[d], exactly (the significand holds 64 bits). */
export function fild64(hi: number, lo: number, r: Uint32Array, d: number): void {
  if ((hi & 0x80000000) !== 0) {
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    putInt(r, d, 1, hi, lo);
  } else putInt(r, d, 0, hi >>> 0, lo >>> 0);
}

/**
 * FLD m32: the single-precision bits f into r[d]; IE quietens an SNaN, DE for a denormal.
 * Returns false (nothing loaded) when IE is unmasked and raised; a denormal is loaded either way.
 */
export function fld32(env: FpuEnv, f: number, r: Uint32Array, d: number): boolean {
  const s = f >>> 31;
  const e = (f >>> 23) & 0xff;
  const frac = f & 0x7fffff;
  if (e === 0xff) {
    if (frac === 0) put(r, d, (s << 15) | 0x7fff, 0x80000000, 0);
    else {
      if ((frac & 0x400000) === 0 && raise(env, IE) !== 0) return false;
      put(r, d, (s << 15) | 0x7fff, 0xc0000000 | (frac << 8), 0);
    }
    return true;
  }
  if (e === 0) {
    if (frac === 0) {
      put(r, d, s << 15, 0, 0);
      return true;
    }
    raise(env, DE); // the value is loaded even when DE is unmasked, as on the host's x87
    const z = Math.clz32(frac);
    put(r, d, (s << 15) | (BIAS - 126 - (z - 8)), (frac << z) >>> 0, 0);
    return true;
  }
  put(r, d, (s << 15) | (e - 127 + BIAS), (0x80000000 | (frac << 8)) >>> 0, 0);
  return true;
}

/** FLD m64: the double-precision bits hi:lo into r[d]; as fld32. */
export function fld64(env: FpuEnv, hi: number, lo: number, r: Uint32Array, d: number): boolean {
  const s = hi >>> 31;
  const e = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  if (e === 0x7ff) {
    if (fh === 0 && lo === 0) put(r, d, (s << 15) | 0x7fff, 0x80000000, 0);
    else {
      if ((fh & 0x80000) === 0 && raise(env, IE) !== 0) return false;
      put(r, d, (s << 15) | 0x7fff, (0xc0000000 | (fh << 11) | (lo >>> 21)) >>> 0, lo << 11);
    }
    return true;
  }
  // The 53-bit significand placed at bits 63..11.
  let h = ((fh << 11) | (lo >>> 21)) >>> 0;
  let l = (lo << 11) >>> 0;
  if (e === 0) {
    if (h === 0 && l === 0) {
      put(r, d, s << 15, 0, 0);
      return true;
    }
    raise(env, DE); // the value is loaded even when DE is unmasked, as on the host's x87
    let ee = BIAS - 1022;
    if (h === 0) {
      h = l;
      l = 0;
      ee -= 32;
    }
    const z = Math.clz32(h);
    if (z !== 0) {
      h = ((h << z) | (l >>> (32 - z))) >>> 0;
      l = (l << z) >>> 0;
      ee -= z;
    }
    put(r, d, (s << 15) | ee, h, l);
    return true;
  }
  put(r, d, (s << 15) | (e - 1023 + BIAS), (h | 0x80000000) >>> 0, l);
  return true;
}

/**
 * Shared start of FST m32/m64: specials. Returns -1 when the value is finite and nonzero
 * (ua holds it), 0 when nothing is to be written, 1 when rres holds the stored pattern
 * (cls RC_INF infinity, or a NaN/zero encoded in rres.h/l by the caller's convention).
 */
function storeSpecial(env: FpuEnv, r: Uint32Array, a: number): number {
  const k = unpack(r, a, ua);
  env.sw &= ~C1;
  if (k === K_UNSUP) return raise(env, IE) !== 0 ? 0 : 2;
  if (k === K_SNAN && raise(env, IE) !== 0) return 0;
  if (k === K_SNAN || k === K_QNAN) return 3;
  if (k === K_INF) return 4;
  if (k === K_ZERO) return 5;
  return -1; // a denormal source raises no DE, as on the host's x87

}

/** FST m32 of r[a] into mem[o]: rounded to single precision under RC (not PC), with its exponent range. */
export function fst32(env: FpuEnv, r: Uint32Array, a: number, mem: Uint32Array, o: number): boolean {
  const c = storeSpecial(env, r, a);
  const s = ua.s << 31;
  switch (c) {
    case 0: return false;
    case 2: mem[o] = 0xffc00000; return true;
    case 3: mem[o] = (s | 0x7fc00000 | ((ua.h >>> 8) & 0x3fffff)) >>> 0; return true;
    case 4: mem[o] = (s | 0x7f800000) >>> 0; return true;
    case 5: mem[o] = s >>> 0; return true;
  }
  roundCore(env, ua.s, ua.e, ua.h, ua.l, 0, 24, BIAS - 126, BIAS + 127, true);
  if (rres.cls === RC_INF) mem[o] = (s | 0x7f800000) >>> 0;
  else if (rres.cls === RC_FINITE) {
    const e = rres.e - (BIAS - 127);
    mem[o] = (s | (e << 23) | ((rres.h >>> 8) & 0x7fffff)) >>> 0;
  } else return false;
  return true;
}

/** FST m64 of r[a] into mem[o] (low word) and mem[o+1]: rounded to double precision under RC. */
export function fst64(env: FpuEnv, r: Uint32Array, a: number, mem: Uint32Array, o: number): boolean {
  const c = storeSpecial(env, r, a);
  const s = ua.s << 31;
  let hi = 0;
  let lo = 0;
  switch (c) {
    case 0: return false;
    case 2: hi = 0xfff80000; break;
    case 3:
      hi = s | 0x7ff80000 | ((ua.h >>> 11) & 0x7ffff);
      lo = (ua.h << 21) | (ua.l >>> 11);
      break;
    case 4: hi = s | 0x7ff00000; break;
    case 5: hi = s; break;
    default:
      roundCore(env, ua.s, ua.e, ua.h, ua.l, 0, 53, BIAS - 1022, BIAS + 1023, true);
      if (rres.cls === RC_INF) hi = s | 0x7ff00000;
      else if (rres.cls === RC_FINITE) {
        const e = rres.e - (BIAS - 1023);
        hi = s | (e << 20) | ((rres.h >>> 11) & 0xfffff);
        lo = (rres.h << 21) | (rres.l >>> 11);
      } else return false;
  }
  mem[o] = lo >>> 0;
  mem[o + 1] = hi >>> 0;
  return true;
}

/** FBLD: the packed BCD at mem[o..o+2] (bytes 0-8 two digits each, low first; byte 9 bit 7 sign) into r[d], exactly. */
export function fbld(mem: Uint32Array, o: number, r: Uint32Array, d: number): void {
  let hi = 0;
  let lo = 0;
  for (let i = 8; i >= 0; i--) {
    const byte = (mem[o + (i >> 2)] >>> (8 * (i & 3))) & 0xff;
    for (let n = 4; n >= 0; n -= 4) {
      // (hi:lo) = (hi:lo) * 10 + digit, in halves small enough for exact doubles.
      const t = lo * 10 + ((byte >>> n) & 0xf);
      lo = t >>> 0;
      hi = (hi * 10 + Math.floor(t / 0x100000000)) >>> 0;
    }
  }
  const sign = (mem[o + 2] >>> 15) & 1;
  putInt(r, d, sign, hi, lo);
}

/**
 * FBSTP: r[a] rounded to an integer under RC, as 18 packed BCD digits and a sign byte at
 * mem[o..o+2] (the third word's upper half kept). NaN, infinity, unsupported, or a magnitude
 * above 10^18 - 1 give IE and the BCD indefinite (bytes 9, 8, 7 = FFh, FFh, C0h, the rest 0) when masked.
 * No DE for a denormal source, as with FIST.
 */
export function fbstp(env: FpuEnv, r: Uint32Array, a: number, mem: Uint32Array, o: number): boolean {
  const k = unpack(r, a, ua);
  env.sw &= ~C1;
  let bad = k === K_UNSUP || k === K_INF || k >= K_QNAN;
  let ih = 0;
  let il = 0;
  if (!bad && k !== K_ZERO) {
    roundToInt(ua.s, ua.e, ua.h, ua.l, (env.cw >>> 10) & 3);
    ih = ires.ih;
    il = ires.il;
    // 10^18 - 1 = 0x0DE0B6B3_A763FFFF
    if (ires.big || ih > 0x0de0b6b3 || (ih === 0x0de0b6b3 && il > 0xa763ffff)) bad = true;
  }
  if (bad) {
    if (raise(env, IE) !== 0) return false;
    mem[o] = 0;
    mem[o + 1] = 0xc0000000;
    mem[o + 2] = (mem[o + 2] & 0xffff0000) | 0xffff;
    return true;
  }
  if (k !== K_ZERO && ires.inexact) {
    if (ires.up) env.sw |= C1;
    raise(env, PE);
  }
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  for (let i = 0; i < 18; i++) {
    // (ih:il) / 10 with the remainder as the next digit.
    const qh = Math.floor(ih / 10);
    const t = (ih - qh * 10) * 0x100000000 + il;
    const ql = Math.floor(t / 10);
    const digit = t - ql * 10;
    ih = qh;
    il = ql >>> 0;
    const bit = 4 * i;
    if (bit < 32) w0 |= digit << bit;
    else if (bit < 64) w1 |= digit << (bit - 32);
    else w2 |= digit << (bit - 64);
  }
  mem[o] = w0 >>> 0;
  mem[o + 1] = w1 >>> 0;
  mem[o + 2] = (mem[o + 2] & 0xffff0000) | (w2 & 0xff) | (ua.s << 15);
  return true;
}
