// The x87 register stack as the escape opcodes use it (Intel SDM Vol. 1, 8.1 and
// 8.5.1.1): ST(i) addressing, tags, push and pop with their overflow and
// underflow responses, and the arithmetic group shared by the register and
// memory forms. x87.ts (memory operands) and x87-ops.ts (register forms) both
// build on it.

import type { FpuEnv } from "./fpu/float80.ts";
import { IE, DE, ZE, SF, C1, putIndefinite, raise } from "./fpu/float80.ts";
import { fadd, fsub, fmul, fdiv } from "./fpu/arith.ts";
import { fcom } from "./fpu/misc.ts";
import type { Fpu } from "./fpu/state.ts";

/** Physical offset in f.st of ST(i). */
export function stOff(f: Fpu, i: number): number {
  return ((f.top + i) & 7) * 3;
}

/** True when ST(i) is empty. */
export function isEmpty(f: Fpu, i: number): boolean {
  return ((f.empty >> ((f.top + i) & 7)) & 1) !== 0;
}

/**
 * Stack underflow (SDM Vol. 1, 8.5.1.1): IE and SF with C1 = 0. Returns true when IE is masked
 * (the caller then gives the masked response, usually the QNaN indefinite).
 */
export function underflow(f: Fpu): boolean {
  f.env.sw &= ~C1;
  return raise(f.env, IE | SF) === 0;
}

/**
 * Checks that a push can go ahead: on stack overflow (ST(7) not empty) raises IE and SF with
 * C1 = 1 and, when masked, pushes the QNaN indefinite. Returns the physical offset of the new
 * ST(0), or -1 when the overflow was handled. The caller fills the slot, then calls commitPush.
 */
export function pushSlot(f: Fpu): number {
  const p = (f.top - 1) & 7;
  if (((f.empty >> p) & 1) === 0) {
    const masked = raise(f.env, IE | SF) === 0;
    f.env.sw |= C1;
    if (masked) {
      f.top = p;
      putIndefinite(f.st, p * 3);
    }
    return -1;
  }
  return p * 3;
}

/** Copies the 80-bit value at r[s] to r[d]. */
export function copy(r: Uint32Array, d: number, s: number): void {
  r[d] = r[s];
  r[d + 1] = r[s + 1];
  r[d + 2] = r[s + 2];
}

/** Completes a push whose slot pushSlot returned: TOP - 1, the new ST(0) tagged non-empty. */
export function commitPush(f: Fpu): void {
  f.top = (f.top - 1) & 7;
  f.empty &= ~(1 << f.top);
}

/** Pops: ST(0) tagged empty, TOP + 1 (SDM Vol. 1, 8.1.2). */
export function pop(f: Fpu): void {
  f.empty |= 1 << f.top;
  f.top = (f.top + 1) & 7;
}

/** Exceptions that stop an instruction before its result (IE DE ZE) raised unmasked since `before`. */
export function stopped(f: Fpu, before: number): boolean {
  return (f.env.sw & ~before & ~f.env.cw & (IE | DE | ZE)) !== 0;
}

/**
 * The arithmetic group shared by D8/DC/DA/DE (reg field g): 0 FADD, 1 FMUL, 2 FCOM, 3 FCOMP,
 * 4 FSUB, 5 FSUBR, 6 FDIV, 7 FDIVR with r[d] = r[a] op r[s]. Compares never write.
 */
export function arith(env: FpuEnv, r: Uint32Array, g: number, d: number, a: number, s: number): void {
  switch (g) {
    case 0: fadd(env, r, d, a, s); break;
    case 1: fmul(env, r, d, a, s); break;
    case 2: case 3: fcom(env, r, a, s, false); break;
    case 4: fsub(env, r, d, a, s); break;
    case 5: fsub(env, r, d, s, a); break;
    case 6: fdiv(env, r, d, a, s); break;
    default: fdiv(env, r, d, s, a); break;
  }
}

/** Compare with an empty register: stack underflow, C3 C2 C0 = 111 (unordered) even when IE is unmasked, as on the host's x87. */
export function unorderedFault(f: Fpu): boolean {
  const masked = underflow(f);
  f.env.sw |= 0x4500;
  return masked;
}
