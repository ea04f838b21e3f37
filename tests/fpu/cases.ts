// Replays oracle cases (tests/fpu/oracle.c records) on the TypeScript x87 core. A case is
// op, control word, and the operand images A and B; the x87 sequence it stands for is
// "load B, load A, instruction" (ST(0) = A, ST(1) = B), or a store of ST(0) = A to memory,
// or a load of the memory image A. replay() produces the status word and the two result
// images the oracle records, so the test can compare them byte for byte.

import { type FpuEnv } from "../../emulator/cpu/fpu/float80.ts";
import { fadd, fdiv, fmul, fsqrt, fsub } from "../../emulator/cpu/fpu/arith.ts";
import { fcom, fprem, frndint, fscale, fxtract } from "../../emulator/cpu/fpu/misc.ts";
import { f2xm1, fcos, fpatan, fptan, fsin, fsincos, fyl2x, fyl2xp1 } from "../../emulator/cpu/fpu/transcendental.ts";
import {
  fbld,
  fbstp,
  fild16,
  fild32,
  fild64,
  fist,
  fld32,
  fld64,
  fst32,
  fst64,
} from "../../emulator/cpu/fpu/convert.ts";

/** Op numbers, in the order of oracle.c's OPS table. */
export const OPS = [
  "fadd", "fsub", "fmul", "fdiv", "fprem", "fprem1", "fscale", "fcom", "fucom", "fsqrt",
  "frndint", "fxtract", "fist16", "fist32", "fist64", "fisttp16", "fisttp32", "fisttp64", "fst32", "fst64",
  "fbstp", "fld32", "fld64", "fild16", "fild32", "fild64", "fbld", "fsin", "fcos", "fsincos",
  "fptan", "fpatan", "f2xm1", "fyl2x", "fyl2xp1",
] as const;

/** Bytes of one oracle record. */
export const REC = 56;

/** Status-word bits compared: everything but TOP (bits 13..11), which the oracle's stack depth sets. */
export const SW_MASK = 0xc7ff;

const UE = 0x10;
const ES = 0x80;
const BUSY = 0x8000;

/**
 * The one way x87 generations were seen to differ on these ops. With underflow unmasked
 * (CW.UM = 0), an op whose result is its own tiny operand (x REM infinity, x scaled by 0,
 * sin x for the least normal x) signals #U and returns the operand biased by 2^24576 on the
 * x87 these records were made on (an AMD EPYC) and in vmalab (Intel SDM Vol. 1, 4.9.1.5 and
 * 8.5.5). The Intel Xeon this project's machines had on 2026-12-06 returns the operand
 * unchanged without #U. `sw` and
 * `want` are masked status words (ours, the host's). Returns the results (bit 0: R1, bit 1:
 * R2) that are such a pass-through, 0 when the case is not one.
 */
export function tinyPassThroughSlots(buf: Uint8Array, off: number, sw: number, want: number): number {
  const cw = buf[off + 2] | (buf[off + 3] << 8);
  if (cw & UE || want & UE || !(sw & UE)) return 0;
  if ((sw & ~(UE | ES | BUSY)) !== (want & ~(UE | ES | BUSY))) return 0;
  if (((buf[off + 16] | (buf[off + 17] << 8)) & 0x7fff) > 1) return 0;
  let slots = 0;
  for (const k of [0, 1]) if (buf.subarray(off + 32 + 12 * k, off + 42 + 12 * k).every((x, i) => x === buf[off + 8 + i])) slots |= 1 << k;
  return slots;
}

const r = new Uint32Array(12); // slots: A 0, B 3, R1 6, R2 9
const env: FpuEnv = { cw: 0, sw: 0 };
const mem = new Uint32Array(3);

function load80(buf: Uint8Array, off: number, o: number): void {
  r[o + 2] = (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
  r[o + 1] = (buf[off + 4] | (buf[off + 5] << 8) | (buf[off + 6] << 16) | (buf[off + 7] << 24)) >>> 0;
  r[o] = buf[off + 8] | (buf[off + 9] << 8);
}

function store80(out: Uint8Array, off: number, o: number): void {
  const l = r[o + 2];
  const h = r[o + 1];
  for (let i = 0; i < 4; i++) {
    out[off + i] = (l >>> (8 * i)) & 0xff;
    out[off + 4 + i] = (h >>> (8 * i)) & 0xff;
  }
  out[off + 8] = r[o] & 0xff;
  out[off + 9] = (r[o] >>> 8) & 0xff;
}

function storeMem(out: Uint8Array, off: number, bytes: number): void {
  for (let i = 0; i < bytes; i++) out[off + i] = (mem[i >> 2] >>> (8 * (i & 3))) & 0xff;
}

function loadMem(buf: Uint8Array, off: number): void {
  for (let w = 0; w < 3; w++) {
    const b = off + 4 * w;
    mem[w] = (buf[b] | (buf[b + 1] << 8) | (buf[b + 2] << 16) | (buf[b + 3] << 24)) >>> 0;
  }
}

/**
 * Replays the case in rec at offset off (oracle layout) into out (24 bytes: R1[12] R2[12],
 * 0xA5 where nothing was written) and returns the status word, or -1 for an op this core
 * does not implement.
 */
export function replay(rec: Uint8Array, off: number, out: Uint8Array): number {
  const op = rec[off] | (rec[off + 1] << 8);
  env.cw = rec[off + 2] | (rec[off + 3] << 8);
  env.sw = 0;
  out.fill(0, 0, 24);
  for (let i = 0; i < 10; i++) {
    out[i] = 0xa5;
    out[12 + i] = 0xa5;
  }
  const A = off + 8;
  const B = off + 20;
  load80(rec, A, 0);
  load80(rec, B, 3);
  r.copyWithin(6, 0, 6); // R1 = ST(0) = A, R2 = ST(1) = B
  const name = OPS[op];
  let regs = 2; // how many of R1/R2 hold registers afterwards
  switch (name) {
    case "fadd": fadd(env, r, 6, 6, 9); break;
    case "fsub": fsub(env, r, 6, 6, 9); break;
    case "fmul": fmul(env, r, 6, 6, 9); break;
    case "fdiv": fdiv(env, r, 6, 6, 9); break;
    case "fprem": fprem(env, r, 6, 9, false); break;
    case "fprem1": fprem(env, r, 6, 9, true); break;
    case "fscale": fscale(env, r, 6, 9); break;
    case "fcom": fcom(env, r, 6, 9, false); break;
    case "fucom": fcom(env, r, 6, 9, true); break;
    case "fsqrt": fsqrt(env, r, 6, 6); regs = 1; break;
    case "frndint": frndint(env, r, 6, 6); regs = 1; break;
    case "fxtract": if (!fxtract(env, r, 6, 9)) regs = 1; break;
    case "fist16": case "fist32": case "fist64": case "fisttp16": case "fisttp32": case "fisttp64": {
      const bits = name.endsWith("16") ? 16 : name.endsWith("32") ? 32 : 64;
      if (fist(env, r, 6, bits, name.startsWith("fisttp"), mem, 0)) storeMem(out, 0, bits / 8);
      return env.sw;
    }
    case "fst32": if (fst32(env, r, 6, mem, 0)) storeMem(out, 0, 4); return env.sw;
    case "fst64": if (fst64(env, r, 6, mem, 0)) storeMem(out, 0, 8); return env.sw;
    case "fbstp": if (fbstp(env, r, 6, mem, 0)) storeMem(out, 0, 10); return env.sw;
    case "fld32": case "fld64": case "fild16": case "fild32": case "fild64": case "fbld": {
      loadMem(rec, A);
      if (name === "fld32" || name === "fld64") {
        const ok = name === "fld32" ? fld32(env, mem[0], r, 6) : fld64(env, mem[1], mem[0], r, 6);
        if (!ok) return env.sw; // nothing pushed: the oracle's FSTP met an empty register (IE unmasked: no store)
      }
      else if (name === "fild16") fild16(mem[0] & 0xffff, r, 6);
      else if (name === "fild32") fild32(mem[0], r, 6);
      else if (name === "fild64") fild64(mem[1], mem[0], r, 6);
      else fbld(mem, 0, r, 6);
      store80(out, 0, 6);
      return env.sw;
    }
    case "fsin": fsin(env, r, 6); regs = 1; break;
    case "fcos": fcos(env, r, 6); regs = 1; break;
    case "fsincos": if (!fsincos(env, r, 6, 9)) regs = 1; break;
    case "fptan": if (!fptan(env, r, 6, 9)) regs = 1; break;
    case "f2xm1": f2xm1(env, r, 6); regs = 1; break;
    // These pop, leaving the result in ST(0), which is all the oracle stores; an unmasked
    // IE, DE or ZE stops the instruction before the pop.
    case "fpatan": case "fyl2x": case "fyl2xp1":
      (name === "fpatan" ? fpatan : name === "fyl2x" ? fyl2x : fyl2xp1)(env, r, 6, 9);
      if ((env.sw & ~env.cw & 7) === 0) r.copyWithin(6, 9, 12);
      regs = 1;
      break;
    default:
      return -1;
  }
  store80(out, 0, 6);
  if (regs === 2) store80(out, 12, 9);
  else if ((name === "fxtract" || name === "fsincos" || name === "fptan") && (env.cw & 1) !== 0) {
    // No push happened, so the oracle's second FSTP met an empty register: with IE masked
    // that stack underflow stores the indefinite.
    r[9] = 0xffff;
    r[10] = 0xc0000000;
    r[11] = 0;
    store80(out, 12, 9);
  }
  return env.sw;
}
