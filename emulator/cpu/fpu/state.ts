// The x87 FPU's architectural state as the CPU holds it (Intel SDM Vol. 1, 8.1 "x87 FPU
// Execution Environment"), its reset and FNINIT values, and the FNSTENV/FNSAVE memory images
// (SDM Vol. 1, 8.1.10 and Figures 8-9 to 8-12). The kernel saves and restores a task's FPU
// through fpuSave/fpuRestore (the 108-byte 32-bit protected-mode FNSAVE image, which is the
// first part of Linux i386's `struct _fpstate` / `user_i387_struct`) and resets it with fninit.
//
// Tags: the CPU keeps only "empty or not" per physical register, as the P6 and later keep an
// abridged tag; FNSTENV/FNSAVE report valid/zero/special computed from the register contents,
// and FLDENV/FRSTOR take only "empty (11) or not" from the tag word, as the host's x87 does.

import type { FpuEnv } from "./float80.ts";

/** Offsets in Fpu.st of the three scratch registers after the eight physical ones. */
export const T0 = 24;
export const T1 = 27;
export const T2 = 30;

/** Status-word TOP field (bits 13..11). */
export const TOP_MASK = 0x3800;

export class Fpu {
  /** R0..R7 (physical order) three words each, then the scratch registers T0 T1 T2. */
  readonly st = new Uint32Array(33);
  /** Control word and status word (TOP kept in `top`, not in env.sw). */
  readonly env: FpuEnv = { cw: 0x037f, sw: 0 };
  top = 0;
  /** Bit i set: physical register i is empty (tag 11). */
  empty = 0xff;
  /** Last non-control instruction: CS:EIP, opcode (11 bits), operand segment selector:offset. */
  fcs = 0;
  fip = 0;
  fop = 0;
  fds = 0;
  fdp = 0;
  /** Memory-operand scratch for the arithmetic core (stores and loads go through it). */
  readonly mem = new Uint32Array(4);
  /** A second control/status pair for trial operations (x87.ts, denormal memory operands). */
  readonly probe: FpuEnv = { cw: 0, sw: 0 };
}

/** FNINIT (SDM Vol. 1, 8.1.10; FINIT/FNINIT): CW 037Fh, SW 0, all tags empty, pointers 0; registers kept. */
export function fninit(f: Fpu): void {
  f.env.cw = 0x037f;
  f.env.sw = 0;
  f.top = 0;
  f.empty = 0xff;
  f.fcs = f.fip = f.fop = f.fds = f.fdp = 0;
}

/**
 * Power-up/RESET state (SDM Vol. 3A, 9.1.1, Table 9-1): CW 0040h, SW 0, tag word 5555h
 * (every register +0.0, tagged zero), pointers 0. INIT keeps the x87 state; the CPU's reset is RESET.
 */
export function fpuReset(f: Fpu): void {
  fninit(f);
  f.env.cw = 0x0040;
  f.st.fill(0, 0, 24);
  f.empty = 0;
}

/** The status word with TOP (SDM Vol. 1, Figure 8-4). */
export function statusWord(f: Fpu): number {
  return (f.env.sw & ~TOP_MASK & 0xffff) | (f.top << 11);
}

/** Sets the status word and TOP from a stored value. */
export function setStatusWord(f: Fpu, v: number): void {
  f.top = (v >> 11) & 7;
  f.env.sw = v & 0xffff & ~TOP_MASK;
}

/** The full tag word (SDM Vol. 1, 8.1.7): 00 valid, 01 zero, 10 special, 11 empty, physical order. */
export function tagWord(f: Fpu): number {
  let t = 0;
  for (let i = 0; i < 8; i++) {
    let tag: number;
    if ((f.empty >> i) & 1) tag = 3;
    else {
      const e = f.st[i * 3] & 0x7fff;
      const h = f.st[i * 3 + 1];
      if (e === 0) tag = h === 0 && f.st[i * 3 + 2] === 0 ? 1 : 2;
      else if (e === 0x7fff || (h & 0x80000000) === 0) tag = 2;
      else tag = 0;
    }
    t |= tag << (i * 2);
  }
  return t;
}

/** Loads the tag word: only 11 (empty) versus not is kept. */
export function setTagWord(f: Fpu, t: number): void {
  let e = 0;
  for (let i = 0; i < 8; i++) if (((t >> (i * 2)) & 3) === 3) e |= 1 << i;
  f.empty = e;
}

/** A byte sink/source for the environment layouts, so the CPU (guest memory) and the kernel (arrays) share them. */
export interface EnvIo {
  r16(off: number): number;
  w16(off: number, v: number): void;
}

/**
 * FNSTENV layout (SDM Vol. 1, Figures 8-9 to 8-12): 28 bytes (32-bit operand size) or 14 (16-bit);
 * protected mode stores the selectors and offsets, real/V86 mode the 20-bit linear pointers.
 * Returns the environment's size. Unused 16-bit halves of the 32-bit layout are stored as FFFFh.
 */
export function storeEnv(f: Fpu, io: EnvIo, op32: boolean, pmode: boolean): number {
  const w = op32 ? 4 : 2;
  io.w16(0, f.env.cw);
  io.w16(w, statusWord(f));
  io.w16(2 * w, tagWord(f));
  if (op32) {
    io.w16(2, 0xffff);
    io.w16(6, 0xffff);
    io.w16(10, 0xffff);
  }
  if (pmode) {
    if (op32) {
      io.w16(12, f.fip & 0xffff);
      io.w16(14, f.fip >>> 16);
      io.w16(16, f.fcs);
      io.w16(18, f.fop & 0x7ff);
      io.w16(20, f.fdp & 0xffff);
      io.w16(22, f.fdp >>> 16);
      io.w16(24, f.fds);
      io.w16(26, 0xffff);
    } else {
      io.w16(6, f.fip);
      io.w16(8, f.fcs);
      io.w16(10, f.fdp);
      io.w16(12, f.fds);
    }
  } else {
    const ip = (f.fip + (f.fcs << 4)) >>> 0;
    const dp = (f.fdp + (f.fds << 4)) >>> 0;
    if (op32) {
      io.w16(12, ip & 0xffff);
      io.w16(14, 0xffff);
      io.w16(16, ((ip >>> 4) & 0xf000) | (f.fop & 0x7ff));
      io.w16(18, (ip >>> 20) & 0xfff);
      io.w16(20, dp & 0xffff);
      io.w16(22, 0xffff);
      io.w16(24, (dp >>> 4) & 0xf000);
      io.w16(26, (dp >>> 20) & 0xfff);
    } else {
      io.w16(6, ip & 0xffff);
      io.w16(8, ((ip >>> 4) & 0xf000) | (f.fop & 0x7ff));
      io.w16(10, dp & 0xffff);
      io.w16(12, (dp >>> 4) & 0xf000);
    }
  }
  return op32 ? 28 : 14;
}

/** FLDENV: reads the layout storeEnv writes (same arguments); returns its size. */
export function loadEnv(f: Fpu, io: EnvIo, op32: boolean, pmode: boolean): number {
  const w = op32 ? 4 : 2;
  f.env.cw = io.r16(0);
  setStatusWord(f, io.r16(w));
  setTagWord(f, io.r16(2 * w));
  if (pmode) {
    if (op32) {
      f.fip = (io.r16(12) | (io.r16(14) << 16)) >>> 0;
      f.fcs = io.r16(16);
      f.fop = io.r16(18) & 0x7ff;
      f.fdp = (io.r16(20) | (io.r16(22) << 16)) >>> 0;
      f.fds = io.r16(24);
    } else {
      f.fip = io.r16(6);
      f.fcs = io.r16(8);
      f.fdp = io.r16(10);
      f.fds = io.r16(12);
    }
  } else if (op32) {
    const x = io.r16(16);
    f.fip = (io.r16(12) | ((x & 0xf000) << 4) | ((io.r16(18) & 0xfff) << 20)) >>> 0;
    f.fop = x & 0x7ff;
    f.fdp = (io.r16(20) | ((io.r16(24) & 0xf000) << 4) | ((io.r16(26) & 0xfff) << 20)) >>> 0;
    f.fcs = f.fds = 0;
  } else {
    const x = io.r16(8);
    f.fip = io.r16(6) | ((x & 0xf000) << 4);
    f.fop = x & 0x7ff;
    f.fdp = io.r16(10) | ((io.r16(12) & 0xf000) << 4);
    f.fcs = f.fds = 0;
  }
  return op32 ? 28 : 14;
}

/** Writes ST(0)..ST(7) (stack order, 10 bytes each) after the environment, as FNSAVE does. */
export function storeRegs(f: Fpu, io: EnvIo, at: number): void {
  for (let i = 0; i < 8; i++) {
    const p = ((f.top + i) & 7) * 3;
    const o = at + i * 10;
    io.w16(o, f.st[p + 2] & 0xffff);
    io.w16(o + 2, f.st[p + 2] >>> 16);
    io.w16(o + 4, f.st[p + 1] & 0xffff);
    io.w16(o + 6, f.st[p + 1] >>> 16);
    io.w16(o + 8, f.st[p] & 0xffff);
  }
}

/** Reads ST(0)..ST(7) as FRSTOR does (after the environment is loaded, so TOP is known). */
export function loadRegs(f: Fpu, io: EnvIo, at: number): void {
  for (let i = 0; i < 8; i++) {
    const p = ((f.top + i) & 7) * 3;
    const o = at + i * 10;
    f.st[p + 2] = (io.r16(o) | (io.r16(o + 2) << 16)) >>> 0;
    f.st[p + 1] = (io.r16(o + 4) | (io.r16(o + 6) << 16)) >>> 0;
    f.st[p] = io.r16(o + 8);
  }
}

/** Size of the 32-bit protected-mode FNSAVE image (Linux i386 user_i387_struct). */
export const FSAVE_SIZE = 108;

/** Byte-array accessor for the kernel's images (one object, rebound per call: no allocation). */
const bio = {
  b: new Uint8Array(0) as Uint8Array,
  r16(o: number): number { return this.b[o] | (this.b[o + 1] << 8); },
  w16(o: number, v: number): void {
    this.b[o] = v & 0xff;
    this.b[o + 1] = (v >> 8) & 0xff;
  },
};

/**
 * For the kernel: writes the whole FPU state into `out` (at least 108 bytes) as FNSAVE does
 * in 32-bit protected mode, then reinitialises the FPU as FNSAVE does (FNINIT). Pass
 * `keep = true` to leave the FPU as it was (a copy for fork or a signal frame).
 */
export function fpuSave(f: Fpu, out: Uint8Array, keep = false): void {
  bio.b = out;
  storeEnv(f, bio, true, true);
  storeRegs(f, bio, 28);
  if (!keep) fninit(f);
}

/** For the kernel: loads the whole FPU state from a 108-byte 32-bit protected-mode FNSAVE image (FRSTOR). */
export function fpuRestore(f: Fpu, img: Uint8Array): void {
  bio.b = img;
  loadEnv(f, bio, true, true);
  loadRegs(f, bio, 28);
}
