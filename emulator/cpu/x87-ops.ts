// The x87 instructions without a memory operand (ModRM mod = 11; Intel SDM Vol. 2, A.4.2
// "Escape Opcodes with ModR/M Bytes Outside 00H through BFH"): register arithmetic and compares,
// the stack moves, FCMOVcc/FCOMI (P6), the constants, and the D9 E0-FF group. The undocumented
// aliases the P6 decodes (DC D0/D8 FCOM/FCOMP, DD C8 and DF C8 FXCH, DE D0 FCOMP, D9 D8 and
// DF D0/D8 FSTP, DF C0 FFREEP) behave as the instruction they alias.

import type { CPU } from "./cpu.ts";
import { Vec, F } from "./defs.ts";
import { cond } from "./flags.ts";
import { C0, C1, C2, C3, IE, SF, BUSY, put, putIndefinite, raise, unpack, ua } from "./fpu/float80.ts";
import { fsqrt } from "./fpu/arith.ts";
import { fcom, frndint, fscale, fxtract, fprem } from "./fpu/misc.ts";
import { fsin, fcos, fsincos, fptan, f2xm1, fpatan, fyl2x, fyl2xp1 } from "./fpu/transcendental.ts";
import { type Fpu, T0, T1, fninit, statusWord } from "./fpu/state.ts";
import { stOff, isEmpty, underflow, pushSlot, commitPush, pop, stopped, arith, unorderedFault, copy } from "./x87-stack.ts";

const CC = C0 | C1 | C2 | C3;
/** FCMOVB FCMOVE FCMOVBE FCMOVU as Jcc condition codes (B E BE P); the DB forms are the negations (| 1). */
const FCMOV_CC = [2, 4, 6, 10];

/**
 * Executes the register form ModRM m (>= C0) of escape op. Returns true for a non-control
 * instruction (the FPU instruction pointer and opcode are recorded). Raises #UD for undefined forms.
 */
export function regOp(c: CPU, f: Fpu, op: number, m: number): boolean {
  const reg = (m >> 3) & 7;
  const i = m & 7;
  switch (op) {
    case 0xd8: // FADD..FDIVR ST(0), ST(i)
      regArith(f, reg, 0, i, reg === 3 ? 1 : 0);
      return true;
    case 0xdc: // FADD..FDIV ST(i), ST(0); DC D0/D8 alias FCOM/FCOMP
      if (reg === 2 || reg === 3) regArith(f, reg, 0, i, reg === 3 ? 1 : 0);
      else regArith(f, reg >= 4 ? reg ^ 1 : reg, i, 0, 0);
      return true;
    case 0xde: // FADDP..FDIVP ST(i), ST(0); DE D9 FCOMPP; DE D0 alias FCOMP
      if (reg === 3) {
        if (i !== 1) return c.fault(Vec.UD);
        regArith(f, 2, 0, 1, 2);
      } else if (reg === 2) regArith(f, 2, 0, i, 1);
      else regArith(f, reg >= 4 ? reg ^ 1 : reg, i, 0, 1);
      return true;
    case 0xd9:
      return d9(c, f, m, reg, i);
    case 0xda:
      if (reg < 4) {
        fcmov(f, i, cond(c, FCMOV_CC[reg]) !== 0);
        return true;
      }
      if (m !== 0xe9) return c.fault(Vec.UD);
      compare(f, 1, true, 2); // FUCOMPP
      return true;
    case 0xdb:
      if (reg < 4) {
        fcmov(f, i, cond(c, FCMOV_CC[reg] | 1) !== 0);
        return true;
      }
      if (reg === 5 || reg === 6) {
        comi(c, f, i, reg === 5, false); // FUCOMI, FCOMI
        return true;
      }
      if (reg !== 4 || i > 4) return c.fault(Vec.UD);
      if (i === 2) f.env.sw &= ~(0xff | BUSY); // FNCLEX
      else if (i === 3) fninit(f); // FNINIT
      return false; // FNENI, FNDISI, FNSETPM: no effect after the 8087/80287
    case 0xdd:
      switch (reg) {
        case 0: // FFREE
          f.empty |= 1 << ((f.top + i) & 7);
          return true;
        case 1: fxch(f, i); return true;
        case 2: case 3: fst(f, i, reg === 3); return true;
        case 4: case 5: compare(f, i, true, reg - 4); return true; // FUCOM, FUCOMP
        default: return c.fault(Vec.UD);
      }
    default: // 0xdf
      switch (reg) {
        case 0: // FFREEP
          f.empty |= 1 << ((f.top + i) & 7);
          pop(f);
          return true;
        case 1: fxch(f, i); return true;
        case 2: case 3: fst(f, i, true); return true;
        case 4:
          if (i !== 0) return c.fault(Vec.UD);
          c.reg16[0] = statusWord(f); // FNSTSW AX
          return false;
        case 5: case 6: comi(c, f, i, reg === 5, true); return true; // FUCOMIP, FCOMIP
        default: return c.fault(Vec.UD);
      }
  }
}

/** r[ST(d)] = ST(d) g ST(s) (g as in arith), then `pops` pops unless stopped by an unmasked IE/DE/ZE. */
function regArith(f: Fpu, g: number, d: number, s: number, pops: number): void {
  if (isEmpty(f, d) || isEmpty(f, s)) {
    if (g === 2 || g === 3) {
      if (!unorderedFault(f)) return;
    } else {
      if (!underflow(f)) return;
      putIndefinite(f.st, stOff(f, d));
      f.empty &= ~(1 << ((f.top + d) & 7));
    }
  } else {
    const before = f.env.sw;
    arith(f.env, f.st, g, stOff(f, d), stOff(f, d), stOff(f, s));
    if (stopped(f, before)) return;
  }
  if (pops > 0) pop(f);
  if (pops > 1) pop(f);
}

/** FCOM/FUCOM family: ST(0) with ST(i), popping `pops` times. */
function compare(f: Fpu, i: number, unordered: boolean, pops: number): void {
  if (isEmpty(f, 0) || isEmpty(f, i)) {
    if (!unorderedFault(f)) return;
  } else {
    const before = f.env.sw;
    fcom(f.env, f.st, stOff(f, 0), stOff(f, i), unordered);
    if (stopped(f, before)) return;
  }
  if (pops > 0) pop(f);
  if (pops > 1) pop(f);
}

/** FCOMI/FUCOMI(P) (P6): ZF PF CF from the comparison, OF SF AF cleared; C0 C2 C3 kept, C1 cleared. */
function comi(c: CPU, f: Fpu, i: number, unordered: boolean, popIt: boolean): void {
  const env = f.env;
  const keep = env.sw & (C0 | C2 | C3);
  const before = env.sw;
  let cc: number;
  if (isEmpty(f, 0) || isEmpty(f, i)) {
    if (!unorderedFault(f)) {
      env.sw = (env.sw & ~CC) | keep;
      return;
    }
    cc = C0 | C2 | C3;
  } else {
    fcom(env, f.st, stOff(f, 0), stOff(f, i), unordered);
    cc = env.sw;
  }
  env.sw = (env.sw & ~CC) | keep;
  const fl = c.getEflags() & ~(F.ZF | F.PF | F.CF | F.OF | F.SF | F.AF);
  c.setEflags(fl | ((cc & C3) !== 0 ? F.ZF : 0) | ((cc & C2) !== 0 ? F.PF : 0) | ((cc & C0) !== 0 ? F.CF : 0));
  if (popIt && !stopped(f, before)) pop(f);
}

/** FCMOVcc ST(0), ST(i) (P6). */
function fcmov(f: Fpu, i: number, take: boolean): void {
  f.env.sw &= ~C1;
  if (isEmpty(f, 0) || isEmpty(f, i)) {
    if (underflow(f)) {
      putIndefinite(f.st, stOff(f, 0));
      f.empty &= ~(1 << f.top);
    }
    return;
  }
  if (take) copy(f.st, stOff(f, 0), stOff(f, i));
}

/** FXCH ST(i): empty operands are replaced by the indefinite when IE is masked. */
function fxch(f: Fpu, i: number): void {
  const r = f.st;
  f.env.sw &= ~C1;
  const a = stOff(f, 0);
  const b = stOff(f, i);
  if (isEmpty(f, 0) || isEmpty(f, i)) {
    if (!underflow(f)) return;
    if (isEmpty(f, 0)) putIndefinite(r, a);
    if (isEmpty(f, i)) putIndefinite(r, b);
    f.empty &= ~((1 << f.top) | (1 << ((f.top + i) & 7)));
  }
  copy(r, T0, a);
  copy(r, a, b);
  copy(r, b, T0);
}

/** FST/FSTP ST(i). */
function fst(f: Fpu, i: number, popIt: boolean): void {
  f.env.sw &= ~C1;
  const d = stOff(f, i);
  if (isEmpty(f, 0)) {
    if (!underflow(f)) return;
    putIndefinite(f.st, d);
  } else copy(f.st, d, stOff(f, 0));
  f.empty &= ~(1 << ((f.top + i) & 7));
  if (popIt) pop(f);
}

/** Pushes the value at T0 (FLD ST(i) and the constants). */
function pushT0(f: Fpu): void {
  f.env.sw &= ~C1;
  const d = pushSlot(f);
  if (d < 0) return;
  copy(f.st, d, T0);
  commitPush(f);
}

/**
 * The load-constant instructions (SDM Vol. 2, FLD1/FLDL2T/FLDL2E/FLDPI/FLDLG2/FLDLN2/FLDZ):
 * the 64-bit significand of each value truncated, and whether the discarded bits round it up
 * under round-to-nearest; RC up rounds up any inexact one, RC down and chop truncate
 * (SDM Vol. 1, 8.3.8 "Load Constant Instructions": the internal constants are rounded per RC).
 * log2(10) = D49A784B CD1B8AFE 492B..., log2(e) = B8AA3B29 5C17F0BB BE87..., pi = C90FDAA2 2168C234 C4C6...,
 * log10(2) = 9A209A84 FBCFF798 8F89..., ln(2) = B17217F7 D1CF79AB C9E3... (exponents below).
 */
const CONST_SE = [0x3fff, 0x4000, 0x3fff, 0x4000, 0x3ffd, 0x3ffe, 0];
const CONST_H = [0x80000000, 0xd49a784b, 0xb8aa3b29, 0xc90fdaa2, 0x9a209a84, 0xb17217f7, 0];
const CONST_L = [0, 0xcd1b8afe, 0x5c17f0bb, 0x2168c234, 0xfbcff798, 0xd1cf79ab, 0];
const CONST_NEAR_UP = [0, 0, 1, 1, 1, 1, 0];

function loadConst(f: Fpu, k: number): void {
  const rc = (f.env.cw >> 10) & 3;
  const exact = k === 0 || k === 6;
  const up = !exact && (rc === 2 || (rc === 0 && CONST_NEAR_UP[k] === 1));
  put(f.st, T0, CONST_SE[k], CONST_H[k], (CONST_L[k] + (up ? 1 : 0)) >>> 0);
  pushT0(f);
}

/** FXAM class codes (SDM Vol. 2, FXAM) C3 C2 C0, indexed by the core's operand class K_ZERO..K_UNSUP. */
const XAM = [C3, C2, C3 | C2, C2 | C0, C0, C0, 0];

function d9(c: CPU, f: Fpu, m: number, reg: number, i: number): boolean {
  const r = f.st;
  const env = f.env;
  if (reg === 0) { // FLD ST(i)
    if (isEmpty(f, i)) {
      if (!underflow(f)) return true;
      putIndefinite(r, T0);
    } else copy(r, T0, stOff(f, i));
    pushT0(f);
    return true;
  }
  if (reg === 1) { fxch(f, i); return true; }
  if (reg === 2) {
    if (i !== 0) return c.fault(Vec.UD);
    return true; // FNOP
  }
  if (reg === 3) { fst(f, i, true); return true; } // FSTP1 alias
  if (reg === 5) {
    if (i === 7) return c.fault(Vec.UD);
    loadConst(f, i);
    return true;
  }
  const a = stOff(f, 0);
  if (reg === 4) {
    if (i === 5) { // FXAM
      const k = isEmpty(f, 0) ? -1 : unpack(r, a, ua);
      const cls = k < 0 ? C3 | C0 : XAM[k];
      env.sw = (env.sw & ~CC) | cls | ((r[a] & 0x8000) !== 0 ? C1 : 0);
      return true;
    }
    if (i === 4) { // FTST
      if (isEmpty(f, 0)) unorderedFault(f);
      else {
        put(r, T1, 0, 0, 0);
        fcom(env, r, a, T1, false);
      }
      return true;
    }
    if (i > 1) return c.fault(Vec.UD);
    env.sw &= ~C1; // FCHS, FABS
    if (isEmpty(f, 0)) {
      if (!underflow(f)) return true;
      putIndefinite(r, a);
      f.empty &= ~(1 << f.top);
      return true;
    }
    r[a] = i === 0 ? r[a] ^ 0x8000 : r[a] & 0x7fff;
    return true;
  }
  // reg 6, 7: D9 F0-FF
  const op = (reg - 6) * 8 + i;
  if (op === 6 || op === 7) { // FDECSTP, FINCSTP
    env.sw &= ~C1;
    f.top = (f.top + (op === 6 ? -1 : 1)) & 7;
    return true;
  }
  const two = op === 1 || op === 3 || op === 5 || op === 8 || op === 9 || op === 13;
  const pushes = op === 2 || op === 4 || op === 11;
  if (isEmpty(f, 0) || (two && isEmpty(f, 1))) {
    if (!underflow(f)) return true;
    if (op === 1 || op === 3 || op === 9) { // the result goes to ST(1), then a pop
      putIndefinite(r, stOff(f, 1));
      f.empty &= ~(1 << ((f.top + 1) & 7));
      pop(f);
    } else {
      putIndefinite(r, a);
      f.empty &= ~(1 << f.top);
      if (pushes) pushIndefinite(f);
    }
    return true;
  }
  const b = stOff(f, 1);
  const before = env.sw;
  switch (op) {
    case 0: env.sw &= ~C1; f2xm1(env, r, a); break;
    case 1: env.sw &= ~C1; fyl2x(env, r, a, b); if (!stopped(f, before)) pop(f); break;
    case 3: env.sw &= ~C1; fpatan(env, r, a, b); if (!stopped(f, before)) pop(f); break;
    case 9: env.sw &= ~C1; fyl2xp1(env, r, a, b); if (!stopped(f, before)) pop(f); break;
    case 2: case 4: case 11: { // FPTAN, FXTRACT, FSINCOS push
      env.sw &= ~C1;
      const p = (f.top - 1) & 7;
      if (((f.empty >> p) & 1) === 0) { // stack overflow: masked, ST(0) and the push become the indefinite
        const masked = raise(env, IE | SF) === 0;
        env.sw |= C1;
        if (masked) {
          putIndefinite(r, a);
          pushIndefinite(f);
        }
        break;
      }
      const n = p * 3;
      copy(r, n, a);
      const ok = op === 2 ? fptan(env, r, n, a) : op === 4 ? fxtract(env, r, n, a) : fsincos(env, r, n, a);
      if (ok) commitPush(f);
      break;
    }
    case 5: fprem(env, r, a, b, true); break; // FPREM1
    case 8: fprem(env, r, a, b, false); break; // FPREM
    case 10: env.sw &= ~C1; fsqrt(env, r, a, a); break;
    case 12: env.sw &= ~C1; frndint(env, r, a, a); break;
    case 13: env.sw &= ~C1; fscale(env, r, a, b); break;
    case 14: fsin(env, r, a); break;
    case 15: fcos(env, r, a); break;
    default: return c.fault(Vec.UD);
  }
  return true;
}

function pushIndefinite(f: Fpu): void {
  f.top = (f.top - 1) & 7;
  f.empty &= ~(1 << f.top);
  putIndefinite(f.st, f.top * 3);
}
