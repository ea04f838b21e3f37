// Rounding an 80-bit value to an integer under a rounding control (Intel SDM Vol. 1, 4.8.4
// "Rounding", Table 4-8), shared by FRNDINT, FIST/FISTP/FISTTP and FBSTP, and turning a
// 64-bit integer magnitude back into the register format (FILD, FRNDINT, FXTRACT).

import { BIAS, put } from "./float80.ts";

/** roundToInt's result: the 64-bit magnitude ih:il, whether it is >= 2^64 (big), inexact, rounded up. */
export const ires = { ih: 0, il: 0, big: false, inexact: false, up: false };

/**
 * Rounds |value| = (h:l / 2^63) * 2^(e - BIAS) to an integer under rounding control rc
 * (0 nearest-even, 1 down, 2 up, 3 toward zero) for a value of sign s. h:l must be
 * normalised (bit 63 set). Results go to ires.
 */
export function roundToInt(s: number, e: number, h: number, l: number, rc: number): void {
  const E = e - BIAS;
  ires.big = false;
  ires.inexact = false;
  ires.up = false;
  if (E >= 63) {
    ires.ih = h;
    ires.il = l;
    ires.big = E > 63;
    return;
  }
  let ih = 0;
  let il = 0;
  let cmp: number; // 0 exact, 1 below half, 2 half, 3 above half
  if (E < 0) {
    if (E === -1) cmp = h === 0x80000000 && l === 0 ? 2 : 3;
    else cmp = 1;
  } else {
    const f = 63 - E; // fraction bits, 1..63
    if (f < 32) {
      const mask = ((1 << f) - 1) >>> 0;
      const fb = (l & mask) >>> 0;
      const half = 2 ** (f - 1);
      cmp = fb === 0 ? 0 : fb < half ? 1 : fb === half ? 2 : 3;
      il = ((l >>> f) | (h << (32 - f))) >>> 0;
      ih = h >>> f;
    } else if (f === 32) {
      cmp = l === 0 ? 0 : l < 0x80000000 ? 1 : l === 0x80000000 ? 2 : 3;
      il = h;
    } else {
      const hf = f - 32; // 1..31
      const fh = (h & (((1 << hf) - 1) >>> 0)) >>> 0;
      const half = 2 ** (hf - 1);
      if (fh === 0 && l === 0) cmp = 0;
      else if (fh < half) cmp = 1;
      else if (fh === half) cmp = l === 0 ? 2 : 3;
      else cmp = 3;
      il = h >>> hf;
    }
  }
  let inc = false;
  if (cmp !== 0) {
    ires.inexact = true;
    if (rc === 0) inc = cmp === 3 || (cmp === 2 && (il & 1) === 1);
    else if (rc === 1) inc = s === 1;
    else if (rc === 2) inc = s === 0;
  }
  if (inc) {
    ires.up = true;
    const t = il + 1;
    il = t >>> 0;
    if (t >= 0x100000000) ih = (ih + 1) >>> 0;
  }
  ires.ih = ih;
  ires.il = il;
}

/** Stores the integer of sign s and 64-bit magnitude ih:il exactly in the register format at r[d]. */
export function putInt(r: Uint32Array, d: number, s: number, ih: number, il: number): void {
  if (ih === 0 && il === 0) {
    put(r, d, s << 15, 0, 0);
    return;
  }
  let e = BIAS + 63;
  if (ih === 0) {
    ih = il;
    il = 0;
    e -= 32;
  }
  const z = Math.clz32(ih);
  if (z !== 0) {
    ih = ((ih << z) | (il >>> (32 - z))) >>> 0;
    il = (il << z) >>> 0;
    e -= z;
  }
  put(r, d, (s << 15) | e, ih, il);
}
