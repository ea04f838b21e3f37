// A small binary floating point on BigInt for the transcendental instructions: value m * 2^e
// with m kept to WORK bits (truncated), far more than the 64 bits the x87 delivers, so the
// final rounding to extended precision decides like an exact computation would. The
// transcendental instructions are rare and slow on real parts too (SDM Vol. 1, 8.3.10), so
// allocating BigInts there is acceptable; the basic arithmetic (float80.ts) allocates nothing.

import { BIAS, type FpuEnv, roundCore } from "./float80.ts";

export interface BF {
  m: bigint;
  e: number;
}

/** Working precision in bits. */
export const WORK = 192;

/** Bits in |m| (0 for 0). */
export function bitLength(m: bigint): number {
  if (m < 0n) m = -m;
  if (m === 0n) return 0;
  const s = m.toString(16);
  return 4 * (s.length - 1) + (32 - Math.clz32(parseInt(s[0], 16)));
}

/** m * 2^e truncated to WORK bits. */
export function bf(m: bigint, e: number): BF {
  const n = bitLength(m);
  if (n <= WORK) return { m, e };
  const sh = BigInt(n - WORK);
  return { m: m < 0n ? -(-m >> sh) : m >> sh, e: e + n - WORK };
}

/** The exponent of the leading bit plus one (|v| < 2^top), or -Infinity for 0. */
export function top(a: BF): number {
  return a.m === 0n ? -Infinity : a.e + bitLength(a.m);
}

export function mul(a: BF, b: BF): BF {
  return bf(a.m * b.m, a.e + b.e);
}

export function add(a: BF, b: BF): BF {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const ta = top(a);
  const tb = top(b);
  if (ta - tb > WORK + 4) return nudge(a, b.m < 0n ? -1n : 1n);
  if (tb - ta > WORK + 4) return nudge(b, a.m < 0n ? -1n : 1n);
  if (a.e >= b.e) return bf((a.m << BigInt(a.e - b.e)) + b.m, b.e);
  return bf(a.m + (b.m << BigInt(b.e - a.e)), a.e);
}

/** a plus a negligible amount of sign d: one unit two bits below a's WORK-bit significand. */
function nudge(a: BF, d: bigint): BF {
  const sh = WORK + 2 - bitLength(a.m);
  return bf((a.m << BigInt(sh)) + d, a.e - sh);
}

export function neg(a: BF): BF {
  return { m: -a.m, e: a.e };
}

export function sub(a: BF, b: BF): BF {
  return add(a, neg(b));
}

export function div(a: BF, b: BF): BF {
  const s = Math.max(0, WORK + bitLength(b.m) - bitLength(a.m) + 2);
  return bf((a.m << BigInt(s)) / b.m, a.e - b.e - s);
}

/** Integer n as a BF. */
export function int(n: number | bigint): BF {
  return bf(BigInt(n), 0);
}

/** Square root of a positive a. */
export function sqrt(a: BF): BF {
  let s = 2 * WORK - bitLength(a.m);
  if (((a.e - s) & 1) !== 0) s++;
  const n = s >= 0 ? a.m << BigInt(s) : a.m >> BigInt(-s);
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  return bf(x, (a.e - s) / 2);
}

/** The value of a float80 significand h:l and biased exponent e (normalised or not) with sign s. */
export function fromParts(s: number, e: number, h: number, l: number): BF {
  const m = (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
  return bf(s === 1 ? -m : m, e - BIAS - 63);
}

/**
 * Rounds a nonzero v to extended precision (64 bits, RC of env; precision control does not
 * apply to transcendental results, SDM Vol. 1, 8.1.5.2) into rres through roundCore, which
 * also raises PE/UE/OE and sets C1. Unless exact, v stands for a value just beside it (the
 * bits beyond WORK are never all zero), so the result is inexact.
 */
export function roundBF(env: FpuEnv, v: BF, exact: boolean): void {
  const s = v.m < 0n ? 1 : 0;
  const m = s === 1 ? -v.m : v.m;
  const n = bitLength(m);
  let t: bigint;
  let sticky = 0n;
  if (n > 96) {
    t = m >> BigInt(n - 96);
    sticky = m & ((1n << BigInt(n - 96)) - 1n);
  } else t = m << BigInt(96 - n);
  // A transcendental value is irrational unless the caller knows it is exact: inexact then.
  const x = Number(t & 0xffffffffn) | (sticky !== 0n || !exact ? 1 : 0);
  roundCore(env, s, v.e + n - 1 + BIAS, Number(t >> 64n), Number((t >> 32n) & 0xffffffffn), x >>> 0, 64, 1, 0x7ffe);
}
