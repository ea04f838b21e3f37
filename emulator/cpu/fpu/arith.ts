// FADD/FSUB/FMUL/FDIV/FSQRT on the 80-bit format (Intel SDM Vol. 2A, the FADD, FSUB, FMUL,
// FDIV and FSQRT pages, "FPU Exceptions" and their special-case tables; Vol. 1, 4.9.1 for the
// exception order: invalid operand, then denormal operand, then divide by zero, then the
// result's overflow, underflow and precision). Every function reads r[a] and r[b] and writes
// r[d] (d may equal a or b); a destination is left alone when a pre-computation exception
// (IE, DE, ZE) is unmasked, as the x87 does.

import {
  type FpuEnv,
  K_DENORMAL,
  K_INF,
  K_NORMAL,
  K_QNAN,
  K_ZERO,
  ZE,
  BIAS,
  invalid,
  put,
  raise,
  roundPack,
  screen1,
  screen2,
  ua,
  ub,
  unpack,
} from "./float80.ts";

/** FADD: r[d] = r[a] + r[b], rounded per the control word. */
export function fadd(env: FpuEnv, r: Uint32Array, d: number, a: number, b: number): void {
  unpack(r, a, ua);
  unpack(r, b, ub);
  addCore(env, r, d);
}

/** FSUB: r[d] = r[a] - r[b] (FSUBR is fsub with the operands swapped). */
export function fsub(env: FpuEnv, r: Uint32Array, d: number, a: number, b: number): void {
  unpack(r, a, ua);
  unpack(r, b, ub);
  if (ub.k < K_QNAN) ub.s ^= 1;
  addCore(env, r, d);
}

function addCore(env: FpuEnv, r: Uint32Array, d: number): void {
  if (!screen2(env, r, d)) return;
  const rc = (env.cw >>> 10) & 3;
  if (ua.k === K_INF || ub.k === K_INF) {
    if (ua.k === K_INF && ub.k === K_INF && ua.s !== ub.s) return invalid(env, r, d);
    const s = ua.k === K_INF ? ua.s : ub.s;
    put(r, d, (s << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (ua.k === K_ZERO || ub.k === K_ZERO) {
    if (ua.k === K_ZERO && ub.k === K_ZERO) {
      const s = ua.s === ub.s ? ua.s : rc === 1 ? 1 : 0;
      env.sw &= ~0x200;
      put(r, d, s << 15, 0, 0);
      return;
    }
    const u = ua.k === K_ZERO ? ub : ua;
    roundPack(env, r, d, u.s, u.e, u.h, u.l, 0);
    return;
  }
  // Order so that |A| >= |B|.
  let A = ua;
  let B = ub;
  if (ub.e > ua.e || (ub.e === ua.e && (ub.h > ua.h || (ub.h === ua.h && ub.l > ua.l)))) {
    A = ub;
    B = ua;
  }
  let e = A.e;
  let h = A.h;
  let l = A.l;
  let x = 0;
  // Align B into (bh, bl, bx) with a sticky bit.
  let n = A.e - B.e;
  let bh = B.h;
  let bl = B.l;
  let bx = 0;
  let st = 0;
  if (n >= 96) {
    bh = 0;
    bl = 0;
    bx = 0;
    st = 1;
  } else {
    while (n >= 32) {
      st |= bx;
      bx = bl;
      bl = bh;
      bh = 0;
      n -= 32;
    }
    if (n > 0) {
      st |= bx << (32 - n);
      bx = ((bx >>> n) | (bl << (32 - n))) >>> 0;
      bl = ((bl >>> n) | (bh << (32 - n))) >>> 0;
      bh = bh >>> n;
    }
  }
  if (st !== 0) bx = (bx | 1) >>> 0;
  let s = A.s;
  if (A.s === B.s) {
    let t = x + bx;
    x = t >>> 0;
    let c = t >= 0x100000000 ? 1 : 0;
    t = l + bl + c;
    l = t >>> 0;
    c = t >= 0x100000000 ? 1 : 0;
    t = h + bh + c;
    h = t >>> 0;
    if (t >= 0x100000000) {
      const stk = x & 1;
      x = ((x >>> 1) | (l << 31) | stk) >>> 0;
      l = ((l >>> 1) | (h << 31)) >>> 0;
      h = (h >>> 1) | 0x80000000;
      e++;
    }
  } else {
    let t = x - bx;
    x = t >>> 0;
    let bw = t < 0 ? 1 : 0;
    t = l - bl - bw;
    l = t >>> 0;
    bw = t < 0 ? 1 : 0;
    h = (h - bh - bw) >>> 0;
    if (h === 0 && l === 0 && x === 0) {
      env.sw &= ~0x200;
      put(r, d, rc === 1 ? 0x8000 : 0, 0, 0);
      return;
    }
    while (h === 0) {
      h = l;
      l = x;
      x = 0;
      e -= 32;
    }
    const z = Math.clz32(h);
    if (z !== 0) {
      h = ((h << z) | (l >>> (32 - z))) >>> 0;
      l = ((l << z) | (x >>> (32 - z))) >>> 0;
      x = (x << z) >>> 0;
      e -= z;
    }
  }
  roundPack(env, r, d, s, e, h, l, x);
}

/** FMUL: r[d] = r[a] * r[b]. */
export function fmul(env: FpuEnv, r: Uint32Array, d: number, a: number, b: number): void {
  unpack(r, a, ua);
  unpack(r, b, ub);
  if (!screen2(env, r, d)) return;
  const s = ua.s ^ ub.s;
  const za = ua.k === K_ZERO;
  const zb = ub.k === K_ZERO;
  if (ua.k === K_INF || ub.k === K_INF) {
    if (za || zb) return invalid(env, r, d);
    put(r, d, (s << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (za || zb) {
    env.sw &= ~0x200;
    put(r, d, s << 15, 0, 0);
    return;
  }
  mul64(ua.h, ua.l, ub.h, ub.l);
  let e = ua.e + ub.e - BIAS + 1;
  if ((p3 & 0x80000000) === 0) {
    p3 = ((p3 << 1) | (p2 >>> 31)) >>> 0;
    p2 = ((p2 << 1) | (p1 >>> 31)) >>> 0;
    p1 = ((p1 << 1) | (p0 >>> 31)) >>> 0;
    p0 = (p0 << 1) >>> 0;
    e--;
  }
  roundPack(env, r, d, s, e, p3, p2, p0 !== 0 ? p1 | 1 : p1);
}

// The 128-bit product p3:p2:p1:p0 of mul64.
let p0 = 0;
let p1 = 0;
let p2 = 0;
let p3 = 0;

/** 64 x 64 -> 128-bit unsigned product in 16-bit limbs, columns summed exactly in doubles. */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const a2 = ah & 0xffff;
  const a3 = ah >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const b2 = bh & 0xffff;
  const b3 = bh >>> 16;
  // Each column sum stays below 2^35, so (c / 65536) | 0 is its exact carry.
  let c = a0 * b0;
  let k = (c / 65536) | 0;
  const q0 = c - k * 65536;
  c = k + a0 * b1 + a1 * b0;
  k = (c / 65536) | 0;
  const q1 = c - k * 65536;
  c = k + a0 * b2 + a1 * b1 + a2 * b0;
  k = (c / 65536) | 0;
  const q2 = c - k * 65536;
  c = k + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  k = (c / 65536) | 0;
  const q3 = c - k * 65536;
  c = k + a1 * b3 + a2 * b2 + a3 * b1;
  k = (c / 65536) | 0;
  const q4 = c - k * 65536;
  c = k + a2 * b3 + a3 * b2;
  k = (c / 65536) | 0;
  const q5 = c - k * 65536;
  c = k + a3 * b3;
  k = (c / 65536) | 0;
  const q6 = c - k * 65536;
  const q7 = k;
  p0 = (q0 | (q1 << 16)) >>> 0;
  p1 = (q2 | (q3 << 16)) >>> 0;
  p2 = (q4 | (q5 << 16)) >>> 0;
  p3 = (q6 | (q7 << 16)) >>> 0;
}

/** FDIV: r[d] = r[a] / r[b]; ZE (masked: signed infinity) for a finite nonzero over zero. */
export function fdiv(env: FpuEnv, r: Uint32Array, d: number, a: number, b: number): void {
  unpack(r, a, ua);
  unpack(r, b, ub);
  const ka = ua.k;
  const kb = ub.k;
  // A finite nonzero dividend over zero raises ZE alone, even when the dividend is denormal.
  if (kb === K_ZERO && (ka === K_NORMAL || ka === K_DENORMAL)) {
    if (raise(env, ZE) !== 0) return;
    put(r, d, ((ua.s ^ ub.s) << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (!screen2(env, r, d)) return;
  const s = ua.s ^ ub.s;
  if (ka === K_INF) {
    if (kb === K_INF) return invalid(env, r, d);
    put(r, d, (s << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (kb === K_INF) {
    env.sw &= ~0x200;
    put(r, d, s << 15, 0, 0);
    return;
  }
  if (kb === K_ZERO) {
    if (ka === K_ZERO) return invalid(env, r, d);
    if (raise(env, ZE) !== 0) return;
    put(r, d, (s << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (ka === K_ZERO) {
    env.sw &= ~0x200;
    put(r, d, s << 15, 0, 0);
    return;
  }
  // Restoring division of the significands, 66 quotient bits plus a sticky remainder bit.
  let e = ua.e - ub.e + BIAS;
  let r2 = 0;
  let r1 = ua.h;
  let r0 = ua.l;
  const d1 = ub.h;
  const d0 = ub.l;
  if (r1 < d1 || (r1 === d1 && r0 < d0)) {
    r2 = r1 >>> 31;
    r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
    r0 = (r0 << 1) >>> 0;
    e--;
  }
  let qh = 0;
  let ql = 0;
  let qx = 0;
  for (let i = 0; i < 66; i++) {
    let bit = 0;
    if (r2 !== 0 || r1 > d1 || (r1 === d1 && r0 >= d0)) {
      const t = r0 - d0;
      r0 = t >>> 0;
      r1 = (r1 - d1 - (t < 0 ? 1 : 0)) >>> 0;
      r2 = 0;
      bit = 1;
    }
    qh = ((qh << 1) | (ql >>> 31)) >>> 0;
    ql = ((ql << 1) | (qx >>> 31)) >>> 0;
    qx = ((qx << 1) | bit) >>> 0;
    r2 = r1 >>> 31;
    r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
    r0 = (r0 << 1) >>> 0;
  }
  // qh:ql:qx holds 66 bits right-aligned; move them so bit 65 is bit 63 of the significand.
  const sticky = r2 !== 0 || r1 !== 0 || r0 !== 0 ? 1 : 0;
  const h = ((qh << 30) | (ql >>> 2)) >>> 0;
  const l = ((ql << 30) | (qx >>> 2)) >>> 0;
  const x = ((qx << 30) | sticky) >>> 0;
  roundPack(env, r, d, s, e, h, l, x);
}

/** FSQRT: r[d] = sqrt(r[a]); IE (indefinite) for a negative nonzero operand, -0 gives -0. */
export function fsqrt(env: FpuEnv, r: Uint32Array, d: number, a: number): void {
  unpack(r, a, ua);
  // A negative nonzero operand is invalid before it is a denormal.
  if (ua.s === 1 && (ua.k === K_NORMAL || ua.k === K_DENORMAL || ua.k === K_INF)) return invalid(env, r, d);
  if (!screen1(env, r, d)) return;
  if (ua.k === K_ZERO) {
    env.sw &= ~0x200;
    put(r, d, ua.s << 15, 0, 0);
    return;
  }
  if (ua.k === K_INF) {
    put(r, d, 0x7fff, 0x80000000, 0);
    return;
  }
  // Digit-by-digit square root of N = m * 2^(67 or 68) (132 bits): a 66-bit root.
  const ue = ua.e - BIAS;
  const odd = ue & 1;
  const e = ((ue - odd) >> 1) + BIAS;
  const sh = 67 + odd; // N's bit i is bit (i - sh) of m
  const mh = ua.h;
  const ml = ua.l;
  let q2 = 0; // root, 3 words (q2 high)
  let q1 = 0;
  let q0 = 0;
  let m2 = 0; // remainder, 3 words
  let m1 = 0;
  let m0 = 0;
  for (let i = 130; i >= 0; i -= 2) {
    // Bring down bits i+1, i of N.
    const j = i - sh;
    let two = 0;
    if (j + 1 >= 0 && j + 1 < 64) two |= (j + 1 >= 32 ? (mh >>> (j + 1 - 32)) & 1 : (ml >>> (j + 1)) & 1) << 1;
    if (j >= 0 && j < 64) two |= j >= 32 ? (mh >>> (j - 32)) & 1 : (ml >>> j) & 1;
    m2 = ((m2 << 2) | (m1 >>> 30)) >>> 0;
    m1 = ((m1 << 2) | (m0 >>> 30)) >>> 0;
    m0 = ((m0 << 2) | two) >>> 0;
    // trial = root * 4 + 1
    const t2 = ((q2 << 2) | (q1 >>> 30)) >>> 0;
    const t1 = ((q1 << 2) | (q0 >>> 30)) >>> 0;
    const t0 = ((q0 << 2) | 1) >>> 0;
    q2 = ((q2 << 1) | (q1 >>> 31)) >>> 0;
    q1 = ((q1 << 1) | (q0 >>> 31)) >>> 0;
    q0 = (q0 << 1) >>> 0;
    if (m2 > t2 || (m2 === t2 && (m1 > t1 || (m1 === t1 && m0 >= t0)))) {
      let t = m0 - t0;
      m0 = t >>> 0;
      let bw = t < 0 ? 1 : 0;
      t = m1 - t1 - bw;
      m1 = t >>> 0;
      bw = t < 0 ? 1 : 0;
      m2 = (m2 - t2 - bw) >>> 0;
      q0 = (q0 | 1) >>> 0;
    }
  }
  // The root has 66 bits: q2 holds bits 65..64.
  const sticky = m2 !== 0 || m1 !== 0 || m0 !== 0 ? 1 : 0;
  const h = ((q2 << 30) | (q1 >>> 2)) >>> 0;
  const l = ((q1 << 30) | (q0 >>> 2)) >>> 0;
  const x = ((q0 << 30) | sticky) >>> 0;
  roundPack(env, r, d, 0, e, h, l, x);
}
