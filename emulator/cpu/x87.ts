// The x87 escape opcodes D8-DF (Intel SDM Vol. 2, the FPU instruction pages and the opcode
// map's escape tables, Vol. 2 A.4 "Escape Opcode Instructions"): the register stack, tags,
// stack faults, memory operands and #MF, around the value-level core in fpu/. x87-ops.ts holds
// the instructions without a memory operand.
//
// Order inside every handler: all guest-memory reads and write probes (which may fault and
// restart the instruction) come before any change to FPU state, so a #PF/#GP leaves the FPU as
// it was. Waiting instructions take a pending unmasked exception (SW.ES) as #MF first (SDM
// Vol. 1, 8.6 "x87 FPU Exception Synchronization"). With CR0.NE = 0 the SDM's PC-style path
// (FERR# to the interrupt controller as IRQ 13, SDM Vol. 1, 8.7 and Appendix D) is not built:
// this CPU raises #MF (vector 16) whatever NE says.
//
// For a kernel: #MF arrives as exception vector 16 with no error code, EIP at the waiting
// instruction. The unmasked exceptions are the status word's flags (bits 0-5: IE DE ZE OE UE
// PE; SF, bit 6, marks a stack fault with IE) that are clear in the control word's mask bits
// 0-5 (statusWord() and Fpu.env.cw in fpu/state.ts, or FNSTSW/FNSTCW). Linux picks SIGFPE's
// si_code from them in this order: IE -> FPE_FLTINV, ZE -> FPE_FLTDIV, OE -> FPE_FLTOVF,
// DE or UE -> FPE_FLTUND, PE -> FPE_FLTRES. ES stays set until the flags are cleared (FNCLEX,
// FNINIT, or fpuSave, which reinitialises), so a kernel must clear them before it resumes the
// task or the next waiting instruction raises #MF again.

import type { CPU } from "./cpu.ts";
import { S, Vec, CR0 } from "./defs.ts";
import { fetch8, decodeEa, segR, segW, rd16, rd32, wr16, wr32, rdW8 } from "./access.ts";
import { DE, ES, BUSY, C1, put, putIndefinite, raise } from "./fpu/float80.ts";
import {
  fist, fild16, fild32, fild64, fld32, fld64, fst32, fst64, fbld, fbstp,
} from "./fpu/convert.ts";
import {
  type Fpu, type EnvIo, T0, T1, T2, fninit, statusWord, storeEnv, loadEnv, storeRegs, loadRegs,
} from "./fpu/state.ts";
import { regOp } from "./x87-ops.ts";
import { stOff, isEmpty, underflow, pushSlot, commitPush, pop, stopped, arith, unorderedFault, copy } from "./x87-stack.ts";
import { FPU_MEM, FPU_REG } from "./timing.ts";

/** Guest-memory accessor for the environment layouts (state.ts), bound per use to a linear base. */
const gio = {
  c: undefined as unknown as CPU,
  lin: 0,
  r16(o: number): number { return rd16(this.c, (this.lin + o) | 0); },
  w16(o: number, v: number): void { wr16(this.c, (this.lin + o) | 0, v); },
};
const envIo: EnvIo = gio;

/** Non-waiting forms: FNSTENV FNSTCW (D9 /6 /7), FNENI..FNSETPM (DB E0-E4), FNSAVE FNSTSW (DD /6 /7), FNSTSW AX (DF E0). */
function noWait(op: number, m: number): boolean {
  const reg = (m >> 3) & 7;
  if (m < 0xc0) return (op === 0xd9 || op === 0xdd) && reg >= 6;
  return (op === 0xdb && m >= 0xe0 && m <= 0xe4) || (op === 0xdf && m === 0xe0);
}

/**
 * Executes one x87 instruction whose escape byte `op` (D8-DF) was fetched: #NM when CR0.EM or
 * CR0.TS is set (SDM Vol. 3A, 2.5 and Table 2-2), #MF for a pending unmasked exception before a
 * waiting instruction, #UD for the encodings the P6 leaves undefined. May throw CPU_FAULT.
 */
export function x87(c: CPU, op: number): void {
  if ((c.cr0 & (CR0.EM | CR0.TS)) !== 0) c.fault(Vec.NM);
  const f = c.fpu;
  const m = fetch8(c);
  if ((f.env.sw & ES) !== 0 && !noWait(op, m)) c.fault(Vec.MF);
  if (m >= 0xc0) {
    c.cyc += FPU_REG[(op & 7) * 64 + (m & 0x3f)] - 1; // CYC[op] charged the escape byte's 1
    if (regOp(c, f, op, m)) setIp(c, f, op, m);
    return;
  }
  decodeEa(c, m);
  c.cyc += FPU_MEM[(op & 7) * 8 + ((m >> 3) & 7)] - 1;
  if (memOp(c, f, op, (m >> 3) & 7)) {
    setIp(c, f, op, m);
    f.fds = c.segSel[c.eaSeg];
    f.fdp = c.ea;
  }
}

/** Records the last non-control instruction (SDM Vol. 1, 8.1.8-8.1.9). */
function setIp(c: CPU, f: Fpu, op: number, m: number): void {
  f.fcs = c.segSel[S.CS];
  f.fip = c.instrEip;
  f.fop = ((op & 7) << 8) | m;
}

/** Linear address of a checked write of n bytes, probed at both ends so the store cannot fault halfway. */
function wlin(c: CPU, n: number): number {
  const lin = segW(c, c.eaSeg, c.ea, n - 1);
  rdW8(c, lin);
  rdW8(c, (lin + n - 1) | 0);
  return lin;
}

/** Linear address of a checked read of n bytes. */
function rlin(c: CPU, n: number): number {
  return segR(c, c.eaSeg, c.ea, n - 1);
}

function writeMem(c: CPU, lin: number, mem: Uint32Array, n: number): void {
  if (n === 2) {
    wr16(c, lin, mem[0]);
    return;
  }
  wr32(c, lin, mem[0]);
  if (n >= 8) wr32(c, (lin + 4) | 0, mem[1]);
  if (n === 10) wr16(c, (lin + 8) | 0, mem[2]);
}

/**
 * ST(0) op= the value already in T0 (memory-operand arithmetic); g as in arith. `deStop`: an
 * unmasked DE was raised for the memory operand (compares still set the condition codes).
 */
function memArith(f: Fpu, g: number, deStop: boolean): void {
  const d = stOff(f, 0);
  if (isEmpty(f, 0)) {
    if (g === 2 || g === 3) {
      if (unorderedFault(f) && g === 3) pop(f);
    } else if (underflow(f)) putIndefinite(f.st, d);
    return;
  }
  if (deStop && g !== 2 && g !== 3) return;
  const before = f.env.sw;
  arith(f.env, f.st, g, d, d, T0);
  if (g === 3 && !deStop && !stopped(f, before)) pop(f);
}

/**
 * Reads a real memory operand (m32 bits `lo`, or m64 `hi:lo`) into T0 for arithmetic. The
 * core's loads quieten an SNaN; the arithmetic must see it, so the encoding is widened here
 * exactly. A denormal m32/m64 is normal once widened, so whether the instruction raises DE is
 * found by a trial of the same operation on ST(0) and an 80-bit denormal of the same sign (the
 * core's order of IE, ZE and DE checks applies). Returns true when an unmasked DE stops it.
 */
function realOperand(f: Fpu, g: number, is64: boolean, hi: number, lo: number): boolean {
  const r = f.st;
  const env = f.env;
  const sw = env.sw;
  const cw = env.cw;
  env.cw = 0x3f; // widen with every exception masked, then undo its flags
  if (is64) fld64(env, hi, lo, r, T0);
  else fld32(env, lo, r, T0);
  env.sw = sw;
  env.cw = cw;
  const snan = is64
    ? ((hi >>> 20) & 0x7ff) === 0x7ff && ((hi & 0xfffff) | lo) !== 0 && (hi & 0x80000) === 0
    : ((lo >>> 23) & 0xff) === 0xff && (lo & 0x7fffff) !== 0 && (lo & 0x400000) === 0;
  if (snan) r[T0 + 1] &= ~0x40000000; // back to signalling, same payload
  const denormal = is64 ? ((hi >>> 20) & 0x7ff) === 0 && ((hi & 0xfffff) | lo) !== 0 : ((lo >>> 23) & 0xff) === 0 && (lo & 0x7fffff) !== 0;
  if (!denormal || isEmpty(f, 0)) return false;
  const p = f.probe;
  p.cw = 0x3f;
  p.sw = 0;
  put(r, T1, (hi >>> 31) << 15, 0, 1);
  arith(p, r, g, T2, stOff(f, 0), T1);
  if ((p.sw & DE) === 0) return false;
  return raise(env, DE) !== 0;
}

/** Memory forms; returns true when the instruction is a non-control one (pointers recorded). */
function memOp(c: CPU, f: Fpu, op: number, reg: number): boolean {
  const r = f.st;
  const env = f.env;
  const mem = f.mem;
  switch (op) {
    case 0xd8: {
      const v = rd32(c, rlin(c, 4));
      memArith(f, reg, realOperand(f, reg, false, 0, v));
      return true;
    }
    case 0xdc: {
      const lin = rlin(c, 8);
      const lo = rd32(c, lin);
      const hi = rd32(c, (lin + 4) | 0);
      memArith(f, reg, realOperand(f, reg, true, hi, lo));
      return true;
    }
    case 0xda:
      fild32(rd32(c, rlin(c, 4)), r, T0);
      memArith(f, reg, false);
      return true;
    case 0xde:
      fild16(rd16(c, rlin(c, 2)), r, T0);
      memArith(f, reg, false);
      return true;
    case 0xd9:
      switch (reg) {
        case 0: { // FLD m32
          const v = rd32(c, rlin(c, 4));
          env.sw &= ~C1;
          const d = pushSlot(f);
          if (d >= 0 && fld32(env, v, r, d)) commitPush(f);
          return true;
        }
        case 2: case 3: { // FST/FSTP m32
          const lin = wlin(c, 4);
          storeReal(c, f, lin, 4, reg === 3);
          return true;
        }
        case 4: { // FLDENV
          gio.c = c;
          gio.lin = rlin(c, c.os32 ? 28 : 14);
          loadEnv(f, envIo, c.os32, c.pmode);
          syncEs(f);
          return false;
        }
        case 5: // FLDCW
          env.cw = (rd16(c, rlin(c, 2)) & 0x1f3f) | 0x40;
          syncEs(f);
          return false;
        case 6: { // FNSTENV: then masks every exception (SDM Vol. 2, FSTENV)
          gio.c = c;
          gio.lin = wlin(c, c.os32 ? 28 : 14);
          storeEnv(f, envIo, c.os32, c.pmode);
          env.cw |= 0x3f;
          return false;
        }
        case 7: // FNSTCW
          wr16(c, wlin(c, 2), env.cw);
          return false;
        default:
          return c.fault(Vec.UD);
      }
    case 0xdb:
      switch (reg) {
        case 0: { // FILD m32
          const v = rd32(c, rlin(c, 4));
          env.sw &= ~C1;
          const d = pushSlot(f);
          if (d >= 0) {
            fild32(v, r, d);
            commitPush(f);
          }
          return true;
        }
        case 2: case 3: // FIST/FISTP m32
          storeInt(c, f, wlin(c, 4), 32, reg === 3);
          return true;
        case 5: { // FLD m80: no exceptions but the stack fault
          const lin = rlin(c, 10);
          const lo = rd32(c, lin);
          const hi = rd32(c, (lin + 4) | 0);
          const se = rd16(c, (lin + 8) | 0);
          env.sw &= ~C1;
          const d = pushSlot(f);
          if (d >= 0) {
            r[d] = se;
            r[d + 1] = hi;
            r[d + 2] = lo;
            commitPush(f);
          }
          return true;
        }
        case 7: { // FSTP m80
          const lin = wlin(c, 10);
          if (!prepStore(f)) return true;
          mem[0] = r[T0 + 2];
          mem[1] = r[T0 + 1];
          mem[2] = r[T0];
          writeMem(c, lin, mem, 10);
          pop(f);
          return true;
        }
        default:
          return c.fault(Vec.UD); // /1 FISTTP is SSE3, /4 /6 reserved
      }
    case 0xdd:
      switch (reg) {
        case 0: { // FLD m64
          const lin = rlin(c, 8);
          const lo = rd32(c, lin);
          const hi = rd32(c, (lin + 4) | 0);
          env.sw &= ~C1;
          const d = pushSlot(f);
          if (d >= 0 && fld64(env, hi, lo, r, d)) commitPush(f);
          return true;
        }
        case 2: case 3: // FST/FSTP m64
          storeReal(c, f, wlin(c, 8), 8, reg === 3);
          return true;
        case 4: { // FRSTOR
          const n = c.os32 ? 28 : 14;
          gio.c = c;
          gio.lin = rlin(c, n + 80);
          rd16(c, (gio.lin + n + 78) | 0); // fault before any change
          loadEnv(f, envIo, c.os32, c.pmode);
          loadRegs(f, envIo, n);
          syncEs(f);
          return false;
        }
        case 6: { // FNSAVE: then FNINIT
          const n = c.os32 ? 28 : 14;
          gio.c = c;
          gio.lin = wlin(c, n + 80);
          storeEnv(f, envIo, c.os32, c.pmode);
          storeRegs(f, envIo, n);
          fninit(f);
          return false;
        }
        case 7: // FNSTSW m16
          wr16(c, wlin(c, 2), statusWord(f));
          return false;
        default:
          return c.fault(Vec.UD);
      }
    default: // 0xdf
      switch (reg) {
        case 0: case 5: { // FILD m16, FILD m64
          const lin = rlin(c, reg === 0 ? 2 : 8);
          const lo = reg === 0 ? rd16(c, lin) : rd32(c, lin);
          const hi = reg === 0 ? 0 : rd32(c, (lin + 4) | 0);
          env.sw &= ~C1;
          const d = pushSlot(f);
          if (d >= 0) {
            if (reg === 0) fild16(lo, r, d);
            else fild64(hi, lo, r, d);
            commitPush(f);
          }
          return true;
        }
        case 2: case 3: // FIST/FISTP m16
          storeInt(c, f, wlin(c, 2), 16, reg === 3);
          return true;
        case 7: // FISTP m64
          storeInt(c, f, wlin(c, 8), 64, true);
          return true;
        case 4: { // FBLD
          const lin = rlin(c, 10);
          mem[0] = rd32(c, lin);
          mem[1] = rd32(c, (lin + 4) | 0);
          mem[2] = rd16(c, (lin + 8) | 0);
          env.sw &= ~C1;
          const d = pushSlot(f);
          if (d >= 0) {
            fbld(mem, 0, r, d);
            commitPush(f);
          }
          return true;
        }
        case 6: { // FBSTP
          const lin = wlin(c, 10);
          mem[2] = rd16(c, (lin + 8) | 0);
          if (prepStore(f)) {
            if (fbstp(env, r, T0, mem, 0)) {
              writeMem(c, lin, mem, 10);
              pop(f);
            }
          }
          return true;
        }
        default:
          return c.fault(Vec.UD);
      }
  }
}

/** Copies ST(0) into T0 for a store; an empty ST(0) gives the masked underflow (indefinite), false when unmasked. */
function prepStore(f: Fpu): boolean {
  f.env.sw &= ~C1;
  if (isEmpty(f, 0)) {
    if (!underflow(f)) return false;
    putIndefinite(f.st, T0);
    return true;
  }
  copy(f.st, T0, stOff(f, 0));
  return true;
}

function storeReal(c: CPU, f: Fpu, lin: number, n: number, popIt: boolean): void {
  if (!prepStore(f)) return;
  const ok = n === 4 ? fst32(f.env, f.st, T0, f.mem, 0) : fst64(f.env, f.st, T0, f.mem, 0);
  if (!ok) return;
  writeMem(c, lin, f.mem, n);
  if (popIt) pop(f);
}

function storeInt(c: CPU, f: Fpu, lin: number, bits: number, popIt: boolean): void {
  if (!prepStore(f)) return;
  if (!fist(f.env, f.st, T0, bits, false, f.mem, 0)) return;
  writeMem(c, lin, f.mem, bits >> 3);
  if (popIt) pop(f);
}

/** After loading CW or SW: ES and B follow the unmasked exception flags (as the host's x87 does). */
export function syncEs(f: Fpu): void {
  const env = f.env;
  if ((env.sw & ~env.cw & 0x3f) !== 0) env.sw |= ES | BUSY;
  else env.sw &= ~(ES | BUSY);
}

/** WAIT/FWAIT (9B) with the FPU present: #NM when CR0.MP and CR0.TS are set, else #MF when an unmasked exception is pending. */
export function fwait(c: CPU): void {
  if ((c.cr0 & (CR0.MP | CR0.TS)) === (CR0.MP | CR0.TS)) c.fault(Vec.NM);
  if ((c.fpu.env.sw & ES) !== 0) c.fault(Vec.MF);
}
