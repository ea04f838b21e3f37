// Control and debug registers, the reset state, and the I/O permission check.

import type { CPU } from "./cpu.ts";
import { Vec, R, S, F, CR0, CR4 } from "./defs.ts";
import { setSegment } from "./sys-descriptors.ts";

/** Family 6, model 1, stepping 9 (a Pentium Pro): EDX after reset and CPUID leaf 1 EAX. */
export const CPU_SIGNATURE = 0x0619;

/** CR0 bits a MOV to CR0 keeps (others read as 0; ET is always 1). */
// (Literals: cpu.ts imports this module, so its enums are not yet evaluated at our top level.)
/** PE MP EM TS ET NE WP AM NW CD PG. */
const CR0_BITS = 0xe005003f;
/** VME PVI TSD DE PSE. */
const CR4_BITS = 0x11f; // VME PVI TSD DE PSE, and PCE (bit 8) for RDPMC

/** MOV CRn privilege rule: protected mode needs CPL 0; v86 mode is #GP(0) too. */
function checkPrivileged(cpu: CPU): void {
  if ((cpu.cr0 & CR0.PE) !== 0 && (cpu.cpl !== 0 || (cpu.getEflags() & F.VM) !== 0)) cpu.fault(Vec.GP, 0);
}

/**
 * MOV CRn, value. CR0: PG without PE or NW without CD is #GP(0); a change of PE,
 * PG or WP flushes the TLB; any change calls onModeChange. CR3 flushes the TLB.
 * CR4: bits beyond VME PVI TSD DE PSE PCE are #GP(0); a PSE change flushes.
 * n = 1 or > 4: #UD.
 */
export function writeCr(cpu: CPU, n: number, value: number): void {
  if (n === 1 || n > 4 || n < 0) cpu.fault(Vec.UD);
  checkPrivileged(cpu);
  switch (n) {
    case 0: {
      const v = ((value & CR0_BITS) | CR0.ET) >>> 0;
      if ((v & CR0.PG) !== 0 && (v & CR0.PE) === 0) cpu.fault(Vec.GP, 0);
      if ((v & CR0.NW) !== 0 && (v & CR0.CD) === 0) cpu.fault(Vec.GP, 0);
      const changed = (cpu.cr0 ^ v) >>> 0;
      cpu.cr0 = v;
      if (changed & (CR0.PE | CR0.PG | CR0.WP)) cpu.flushTlb();
      if (changed) cpu.onModeChange();
      return;
    }
    case 2:
      cpu.cr2 = value >>> 0;
      return;
    case 3:
      cpu.cr3 = (value & 0xfffff018) >>> 0;
      cpu.flushTlb();
      return;
    case 4: {
      if ((value & ~CR4_BITS) !== 0) cpu.fault(Vec.GP, 0);
      const changed = cpu.cr4 ^ value;
      cpu.cr4 = value;
      if (changed & CR4.PSE) cpu.flushTlb();
      if (changed) cpu.onModeChange();
      return;
    }
  }
}

/**
 * MOV DRn, value. DR4/DR5 alias DR6/DR7 unless CR4.DE (then #UD). DR6 and DR7
 * keep their fixed bits (DR6 bits 4-11 and 16-31 read 1, DR7 bit 10 reads 1).
 */
export function writeDr(cpu: CPU, n: number, value: number): void {
  if (n < 0 || n > 7) cpu.fault(Vec.UD);
  if (n === 4 || n === 5) {
    if (cpu.cr4 & CR4.DE) cpu.fault(Vec.UD);
    n += 2;
  }
  checkPrivileged(cpu);
  if (n === 6) cpu.dr[6] = (value & 0xf00f) | 0xffff0ff0;
  else if (n === 7) cpu.dr[7] = (value & 0xffff23ff) | 0x400;
  else cpu.dr[n] = value;
}

/**
 * Puts the CPU in its power-on state: real mode at F000:FFF0 (CS base FFFF0000),
 * EFLAGS 2, CR0 = ET, EDX = CPU_SIGNATURE, IDTR 0/3FF, GDTR 0/FFFF, TLB flushed.
 */
export function resetCpu(cpu: CPU): void {
  cpu.regs.fill(0);
  cpu.regs[R.EDX] = CPU_SIGNATURE;
  cpu.eip = 0xfff0;
  cpu.cr0 = CR0.ET;
  cpu.cr2 = 0;
  cpu.cr3 = 0;
  cpu.cr4 = 0;
  cpu.dr.fill(0);
  cpu.dr[6] = 0xffff0ff0 | 0;
  cpu.dr[7] = 0x400;
  cpu.setEflags(2);
  for (let s = 0; s < 6; s++) setSegment(cpu, s, 0, 0, 0xffff, 0x93);
  setSegment(cpu, S.CS, 0xf000, 0xffff0000 | 0, 0xffff, 0x9b);
  cpu.cpl = 0;
  cpu.gdtBase = 0;
  cpu.gdtLimit = 0xffff;
  cpu.idtBase = 0;
  cpu.idtLimit = 0x3ff;
  cpu.ldtSel = 0;
  cpu.ldtBase = 0;
  cpu.ldtLimit = 0xffff;
  cpu.trSel = 0;
  cpu.trBase = 0;
  cpu.trLimit = 0xffff;
  cpu.trAttr = 0x8b;
  cpu.halted = false;
  cpu.shutdown = false;
  cpu.faultVector = -1;
  cpu.faultCode = -1;
  cpu.instrEip = cpu.eip;
  cpu.instrEsp = 0;
  cpu.flushTlb();
  cpu.onModeChange();
}

/**
 * True when IN/OUT of `width` bytes (1, 2, 4) at `port` is allowed: always in
 * real mode; in protected mode when CPL <= IOPL (not in v86 mode); otherwise
 * the 32-bit TSS's I/O permission bitmap must have all `width` bits clear
 * (the bitmap base is the word at TSS+0x66; bytes beyond the TSS limit deny).
 * May fault #PF reading the TSS.
 */
export function ioPermitted(cpu: CPU, port: number, width: number): boolean {
  if ((cpu.cr0 & CR0.PE) === 0) return true;
  const fl = cpu.getEflags();
  if ((fl & F.VM) === 0 && cpu.cpl <= (fl & F.IOPL) >>> 12) return true;
  if ((cpu.trAttr & 0x1d) !== 0x09) return false; // not a 32-bit TSS (type 9 or 11)
  const limit = cpu.trLimit >>> 0;
  if (limit < 0x67) return false;
  const base = cpu.readSys16((cpu.trBase + 0x66) >>> 0) & 0xffff;
  const at = base + ((port & 0xffff) >>> 3);
  if (at + 1 > limit) return false;
  const bits = cpu.readSys16((cpu.trBase + at) >>> 0);
  const mask = ((1 << width) - 1) << (port & 7);
  return (bits & mask) === 0;
}
