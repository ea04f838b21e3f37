// Segment-register and descriptor-table-register loads (MOV/POP/LxS to ES SS DS
// FS GS, LLDT, LTR) and the descriptor probes LAR, LSL, VERR, VERW.

import type { CPU } from "./cpu.ts";
import { Vec, S, F, CR0 } from "./defs.ts";
import {
  Acc, SysType, desc, fetchDescriptor, descBase, descLimit, descAttr, loadRealSegment, loadV86Segment,
  loadProtectedSegment,
} from "./sys-descriptors.ts";

function protectedMode(cpu: CPU): boolean {
  return (cpu.cr0 & CR0.PE) !== 0 && (cpu.getEflags() & F.VM) === 0;
}

/**
 * Loads data/stack segment register `seg` (ES SS DS FS GS) with `selector` in the
 * current mode. Protected mode: the manual's checks (#GP(sel), #GP(0) for a null
 * SS, #NP(sel) / #SS(sel) when not present); a null selector makes DS/ES/FS/GS
 * unusable. Sets the descriptor's accessed bit. Calls onModeChange after an SS load.
 */
export function loadSegment(cpu: CPU, seg: S, selector: number): void {
  if ((cpu.cr0 & CR0.PE) === 0) loadRealSegment(cpu, seg, selector);
  else if (cpu.getEflags() & F.VM) loadV86Segment(cpu, seg, selector);
  else loadProtectedSegment(cpu, seg, selector, cpu.cpl, Vec.GP, 0);
  if (seg === S.SS) cpu.onModeChange();
}

/** LLDT: loads LDTR from a GDT LDT descriptor (null: no LDT). #UD outside protected mode, #GP(0) at CPL>0. */
export function lldt(cpu: CPU, selector: number): void {
  if (!protectedMode(cpu)) cpu.fault(Vec.UD);
  if (cpu.cpl !== 0) cpu.fault(Vec.GP, 0);
  const sel = selector & 0xffff;
  if ((sel & 0xfffc) === 0) {
    cpu.ldtSel = sel;
    cpu.ldtBase = 0;
    cpu.ldtLimit = 0;
    return;
  }
  const code = sel & 0xfffc;
  if ((sel & 4) !== 0 || !fetchDescriptor(cpu, sel)) cpu.fault(Vec.GP, code);
  const lo = desc.lo;
  const hi = desc.hi;
  if (((hi >>> 8) & 0x1f) !== SysType.Ldt) cpu.fault(Vec.GP, code);
  if ((hi & 0x8000) === 0) cpu.fault(Vec.NP, code);
  cpu.ldtSel = sel;
  cpu.ldtBase = descBase(lo, hi);
  cpu.ldtLimit = descLimit(lo, hi);
}

/** LTR: loads TR from an available TSS descriptor in the GDT and marks it busy in memory. */
export function ltr(cpu: CPU, selector: number): void {
  if (!protectedMode(cpu)) cpu.fault(Vec.UD);
  if (cpu.cpl !== 0) cpu.fault(Vec.GP, 0);
  const sel = selector & 0xffff;
  const code = sel & 0xfffc;
  if (code === 0) cpu.fault(Vec.GP, 0);
  if ((sel & 4) !== 0 || !fetchDescriptor(cpu, sel)) cpu.fault(Vec.GP, code);
  const lo = desc.lo;
  const hi = desc.hi;
  const addr = desc.addr;
  const type = (hi >>> 8) & 0x1f;
  if (type !== SysType.Tss32 && type !== SysType.Tss16) cpu.fault(Vec.GP, code);
  if ((hi & 0x8000) === 0) cpu.fault(Vec.NP, code);
  cpu.writeSys8((addr + 5) >>> 0, ((hi >>> 8) & 0xff) | 2);
  cpu.trSel = sel;
  cpu.trBase = descBase(lo, hi);
  cpu.trLimit = descLimit(lo, hi);
  cpu.trAttr = descAttr(hi) | 2;
}

/**
 * Fetches `selector` for a probe instruction and applies the visibility rule
 * (DPL >= CPL and >= RPL unless conforming code). Returns false when invisible.
 */
function probe(cpu: CPU, selector: number): boolean {
  if (!protectedMode(cpu)) cpu.fault(Vec.UD);
  const sel = selector & 0xffff;
  if ((sel & 0xfffc) === 0 || !fetchDescriptor(cpu, sel)) return false;
  const acc = (desc.hi >>> 8) & 0xff;
  const conformingCode = (acc & (Acc.S | Acc.CODE | Acc.DC)) === (Acc.S | Acc.CODE | Acc.DC);
  const dpl = (acc >>> 5) & 3;
  return conformingCode || (dpl >= cpu.cpl && dpl >= (sel & 3));
}

/**
 * LAR: the access rights dword (descriptor high dword & 0x00FFFF00: access byte,
 * limit 19:16, AVL, D/B, G) or -1 when the selector is invalid or invisible
 * (ZF clear). A 16-bit LAR keeps the low 16 bits.
 */
export function lar(cpu: CPU, selector: number): number {
  if (!probe(cpu, selector)) return -1;
  const hi = desc.hi;
  if ((hi & 0x1000) === 0) {
    const type = (hi >>> 8) & 0xf;
    if (type === 0 || type === 6 || type === 7 || type === 8 || type === 0xa || type >= 0xd) return -1;
  }
  return hi & 0x00ffff00;
}

/** LSL: the byte-granular segment limit (unsigned) or -1 when invalid or invisible. */
export function lsl(cpu: CPU, selector: number): number {
  if (!probe(cpu, selector)) return -1;
  const hi = desc.hi;
  if ((hi & 0x1000) === 0) {
    const type = (hi >>> 8) & 0xf;
    if (type !== SysType.Tss16 && type !== SysType.Ldt && type !== SysType.Tss16Busy &&
        type !== SysType.Tss32 && type !== SysType.Tss32Busy) return -1;
  }
  return descLimit(desc.lo, hi) >>> 0;
}

/** VERR: true when the segment is readable (data, or readable code) and visible at CPL/RPL. */
export function verr(cpu: CPU, selector: number): boolean {
  if (!probe(cpu, selector)) return false;
  const acc = (desc.hi >>> 8) & 0xff;
  if ((acc & Acc.S) === 0) return false;
  return (acc & Acc.CODE) === 0 || (acc & Acc.RW) !== 0;
}

/** VERW: true when the segment is writable data visible at CPL/RPL. */
export function verw(cpu: CPU, selector: number): boolean {
  if (!probe(cpu, selector)) return false;
  const acc = (desc.hi >>> 8) & 0xff;
  return (acc & (Acc.S | Acc.CODE | Acc.RW)) === (Acc.S | Acc.RW);
}
