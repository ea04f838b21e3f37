// System instructions decoded by the core: groups 6 and 7 (SLDT STR LLDT LTR VERR
// VERW, SGDT SIDT LGDT LIDT SMSW LMSW INVLPG), LAR/LSL, CLTS, INVD/WBINVD,
// MOV to/from CRn and DRn, RDTSC and CPUID. Privileged ones raise #GP(0) at CPL > 0
// (v86 mode is CPL 3); descriptor work is delegated to system.ts.

import type { CPU } from "./cpu.ts";
import { Vec, CR0, CR4 } from "./defs.ts";
import { fetch8, decodeEa, syncClock } from "./access.ts";
import { setZF } from "./flags.ts";
import { setReg, vsz, readRm, readMem, writeMem } from "./operands.ts";
import { lldt, ltr, lar, lsl, verr, verw, writeCr, writeDr, CPU_SIGNATURE } from "./system.ts";

function needCpl0(c: CPU): void {
  if (c.cpl !== 0) c.fault(Vec.GP, 0);
}

/** 0F 00: SLDT STR LLDT LTR VERR VERW (protected mode only; #UD in real and v86 mode). */
export function grp6(c: CPU): void {
  const m = fetch8(c);
  const o = (m >> 3) & 7;
  if (!c.pmode || o > 5) c.fault(Vec.UD);
  if (o < 2) {
    const v = o === 0 ? c.ldtSel : c.trSel;
    if (m >= 0xc0) setReg(c, vsz(c), m & 7, v & 0xffff);
    else {
      decodeEa(c, m);
      writeMem(c, 1, c.eaSeg, c.ea, v);
    }
    return;
  }
  const sel = readRm(c, m, 1);
  if (o === 2) lldt(c, sel);
  else if (o === 3) ltr(c, sel);
  else setZF(c, o === 4 ? verr(c, sel) : verw(c, sel));
}

/** 0F 01: SGDT SIDT LGDT LIDT SMSW LMSW INVLPG. */
export function grp7(c: CPU): void {
  const m = fetch8(c);
  const o = (m >> 3) & 7;
  if (o === 4) { // SMSW
    if (m >= 0xc0) setReg(c, vsz(c), m & 7, c.os32 ? c.cr0 : c.cr0 & 0xffff);
    else {
      decodeEa(c, m);
      writeMem(c, 1, c.eaSeg, c.ea, c.cr0);
    }
    return;
  }
  if (o === 6) { // LMSW: sets PE MP EM TS; cannot clear PE
    needCpl0(c);
    const v = readRm(c, m, 1);
    writeCr(c, 0, (c.cr0 & ~0xf) | (v & 0xf) | (c.cr0 & CR0.PE));
    return;
  }
  if (m >= 0xc0 || o === 5) c.fault(Vec.UD);
  decodeEa(c, m);
  const ea = c.ea;
  const next = c.as32 ? (ea + 2) | 0 : (ea + 2) & 0xffff;
  switch (o) {
    case 0:
    case 1: {
      const limit = o === 0 ? c.gdtLimit : c.idtLimit;
      const base = o === 0 ? c.gdtBase : c.idtBase;
      writeMem(c, 1, c.eaSeg, ea, limit);
      writeMem(c, 2, c.eaSeg, next, c.os32 ? base : base & 0xffffff);
      return;
    }
    case 2:
    case 3: {
      needCpl0(c);
      const limit = readMem(c, 1, c.eaSeg, ea);
      let base = readMem(c, 2, c.eaSeg, next);
      if (!c.os32) base &= 0xffffff;
      if (o === 2) {
        c.gdtLimit = limit;
        c.gdtBase = base;
      } else {
        c.idtLimit = limit;
        c.idtBase = base;
      }
      return;
    }
    default: // 7: INVLPG
      needCpl0(c);
      c.invlpg((c.segBase[c.eaSeg] + ea) | 0);
      c.cyc += 8;
  }
}

/** 0F 02 LAR / 0F 03 LSL: ZF=1 and the value when the selector passes, else ZF=0. */
export function larLsl(c: CPU, isLar: boolean): void {
  if (!c.pmode) c.fault(Vec.UD);
  const m = fetch8(c);
  const sel = readRm(c, m, 1);
  const v = isLar ? lar(c, sel) : lsl(c, sel);
  if (v === -1) {
    setZF(c, false);
    return;
  }
  setReg(c, vsz(c), (m >> 3) & 7, c.os32 ? v : v & 0xffff);
  setZF(c, true);
}

export function clts(c: CPU): void {
  needCpl0(c);
  writeCr(c, 0, c.cr0 & ~CR0.TS);
}

/** INVD, WBINVD: no caches to manage, but privileged. */
export function privNop(c: CPU): void {
  needCpl0(c);
}

function crIndex(c: CPU, m: number): number {
  const n = (m >> 3) & 7;
  if (n === 1 || n > 4) c.fault(Vec.UD);
  needCpl0(c);
  return n;
}

/** 0F 20: MOV r32, CRn (the mod field is ignored: always a register). */
export function movFromCr(c: CPU): void {
  const m = fetch8(c);
  const n = crIndex(c, m);
  c.regs[m & 7] = n === 0 ? c.cr0 : n === 2 ? c.cr2 : n === 3 ? c.cr3 : c.cr4;
}

/** 0F 22: MOV CRn, r32 through system.ts (checks, TLB flush, mode change). */
export function movToCr(c: CPU): void {
  const m = fetch8(c);
  const n = crIndex(c, m);
  if (n === 0) c.cyc += 13;
  writeCr(c, n, c.regs[m & 7]);
  c.blockEnd = true;
}

function drIndex(c: CPU, m: number): number {
  let n = (m >> 3) & 7;
  if (n === 4 || n === 5) {
    if ((c.cr4 & CR4.DE) !== 0) c.fault(Vec.UD);
    n += 2;
  }
  needCpl0(c);
  return n;
}

export function movFromDr(c: CPU): void {
  const m = fetch8(c);
  c.regs[m & 7] = c.dr[drIndex(c, m)];
}

export function movToDr(c: CPU): void {
  const m = fetch8(c);
  writeDr(c, drIndex(c, m), c.regs[m & 7]);
}

/** RDTSC: EDX:EAX = guest cycles since reset. #GP(0) at CPL > 0 when CR4.TSD is set. */
export function rdtsc(c: CPU): void {
  if ((c.cr4 & CR4.TSD) !== 0 && c.cpl !== 0) c.fault(Vec.GP, 0);
  syncClock(c);
  c.blockEnd = true; // the block's cycle limit moved
  const t = c.clock.cycles;
  c.regs[0] = t % 4294967296 | 0;
  c.regs[2] = Math.floor(t / 4294967296) | 0;
}

/**
 * RDPMC: EDX:EAX = performance counter ECX (0 or 1, 40 bits, as the P6 has).
 * #GP(0) at CPL > 0 unless CR4.PCE, and for other counters. No event
 * selector can be programmed (there are no MSRs), so the counters never run
 * and read 0.
 */
export function rdpmc(c: CPU): void {
  if ((c.cr4 & CR4.PCE) === 0 && c.cpl !== 0) c.fault(Vec.GP, 0);
  if (c.regs[1] >>> 0 > 1) c.fault(Vec.GP, 0);
  c.regs[0] = 0;
  c.regs[2] = 0;
}

/**
 * CPUID: GenuineIntel, family 6 (the P6's instruction set without MMX or
 * SSE); leaf 1 EDX reports exactly what is implemented: FPU (when the CPU has
 * its x87), PSE, TSC, CX8, CMOV.
 */
export function cpuid(c: CPU): void {
  const r = c.regs;
  switch (r[0]) {
    case 0:
      r[0] = 1;
      r[3] = 0x756e6547; // "Genu"
      r[2] = 0x49656e69; // "ineI"
      r[1] = 0x6c65746e; // "ntel"
      return;
    case 1:
      r[0] = CPU_SIGNATURE;
      r[3] = 0;
      r[1] = 0;
      r[2] = (c.hasFpu ? 1 : 0) | (1 << 3) | (1 << 4) | (1 << 8) | (1 << 15); // FPU, PSE, TSC, CX8, CMOV
      return;
    default:
      r[0] = r[1] = r[2] = r[3] = 0;
  }
}
