// The task state segment: the inner-level stack pointers a gate switches to,
// and the hardware task switch (JMP/CALL to a TSS or task gate, INT through a
// task gate, IRET with NT=1), for 32-bit TSSs. A 16-bit TSS serves stack
// switches but a task switch involving one raises #TS.
//
// Order of the switch (as in the manual): checks on the new TSS and reads of
// its state happen in the old task (faults there restart the old instruction);
// then the old state is saved, busy bits and the back link are written, and
// the new state is committed; the segment checks that follow fault in the new
// task's context (#TS with the selector, #NP/#SS when not present).

import type { CPU } from "./cpu.ts";
import { Vec, R, S, F, CR0 } from "./defs.ts";
import {
  Acc, SysType, desc, fetchDescriptor, descBase, descLimit, descAttr, setAccessed, setSegment,
  loadNullSegment, loadV86Segment, loadProtectedSegment,
} from "./sys-descriptors.ts";

/** What caused a task switch. CALL and INT nest (back link, NT); JMP and IRET do not. */
export const enum TaskSource { Jmp = 0, Call = 1, Iret = 2, Int = 3 }

/** The inner stack read by readTssStack. */
export const tssStack = { ss: 0, esp: 0 };

/**
 * Reads SS:ESP for privilege level `dpl` (0..2) from the current TSS (32- or
 * 16-bit) into `tssStack`. Beyond the TSS limit: #TS(TR selector + ext).
 */
export function readTssStack(cpu: CPU, dpl: number, ext: number): void {
  const limit = cpu.trLimit >>> 0;
  if (cpu.trAttr & 8) {
    const off = 4 + dpl * 8;
    if (off + 5 > limit) cpu.fault(Vec.TS, (cpu.trSel & 0xfffc) | ext);
    tssStack.esp = cpu.readSys32((cpu.trBase + off) >>> 0) >>> 0;
    tssStack.ss = cpu.readSys16((cpu.trBase + off + 4) >>> 0) & 0xffff;
  } else {
    const off = 2 + dpl * 4;
    if (off + 3 > limit) cpu.fault(Vec.TS, (cpu.trSel & 0xfffc) | ext);
    tssStack.esp = cpu.readSys16((cpu.trBase + off) >>> 0) & 0xffff;
    tssStack.ss = cpu.readSys16((cpu.trBase + off + 2) >>> 0) & 0xffff;
  }
}

/** The new task's state, read before anything is committed. Index: 0..7 registers, then the fields below. */
const incoming = new Int32Array(18);
const IN_CR3 = 8, IN_EIP = 9, IN_EFLAGS = 10, IN_SEG = 11, IN_LDT = 17;

/** TSS32 field offsets. */
const enum Tss { Cr3 = 0x1c, Eip = 0x20, Eflags = 0x24, Regs = 0x28, Segs = 0x48, Ldt = 0x60 }

/**
 * Switches to the task whose TSS selector is `sel` (taken from a task gate,
 * a JMP/CALL operand, or the back link for IRET). The caller did the gate or
 * TSS-descriptor DPL checks. Errors on the target descriptor raise #GP(sel+ext)
 * (#TS for IRET), not present #NP; faults after the commit point are raised
 * with cpu.instrEip/instrEsp set to the new task's EIP/ESP so the run loop
 * restarts nothing of the old task.
 */
export function switchTask(cpu: CPU, sel: number, source: TaskSource, ext: number): void {
  sel &= 0xffff;
  const badVec = source === TaskSource.Iret ? Vec.TS : Vec.GP;
  const selCode = (sel & 0xfffc) | ext;
  if ((sel & 4) !== 0 || (sel & 0xfffc) === 0) cpu.fault(badVec, selCode);
  if (!fetchDescriptor(cpu, sel)) cpu.fault(badVec, selCode);
  const lo = desc.lo;
  const hi = desc.hi;
  const addr = desc.addr;
  const acc = (hi >>> 8) & 0xff;
  const type = acc & 0x1f;
  const wantBusy = source === TaskSource.Iret;
  if (wantBusy ? type !== SysType.Tss32Busy && type !== SysType.Tss16Busy
               : type !== SysType.Tss32 && type !== SysType.Tss16) {
    cpu.fault(badVec, selCode);
  }
  if ((acc & Acc.P) === 0) cpu.fault(Vec.NP, selCode);
  const nbase = descBase(lo, hi);
  const nlimit = descLimit(lo, hi) >>> 0;
  // 16-bit TSSs are not switched to or from.
  if ((type & 8) === 0 || nlimit < 0x67) cpu.fault(Vec.TS, selCode);
  const obase = cpu.trBase;
  if ((cpu.trAttr & 8) === 0 || (cpu.trLimit >>> 0) < 0x67) cpu.fault(Vec.TS, (cpu.trSel & 0xfffc) | ext);

  // Read the new task's state (old context).
  for (let i = 0; i < 8; i++) incoming[i] = cpu.readSys32((nbase + Tss.Regs + 4 * i) >>> 0);
  incoming[IN_CR3] = cpu.readSys32((nbase + Tss.Cr3) >>> 0);
  incoming[IN_EIP] = cpu.readSys32((nbase + Tss.Eip) >>> 0);
  incoming[IN_EFLAGS] = cpu.readSys32((nbase + Tss.Eflags) >>> 0);
  for (let i = 0; i < 6; i++) incoming[IN_SEG + i] = cpu.readSys16((nbase + Tss.Segs + 4 * i) >>> 0) & 0xffff;
  incoming[IN_LDT] = cpu.readSys16((nbase + Tss.Ldt) >>> 0) & 0xffff;

  // Save the old task.
  let oflags = cpu.getEflags();
  if (source === TaskSource.Iret) oflags &= ~F.NT;
  cpu.writeSys32((obase + Tss.Eip) >>> 0, cpu.eip);
  cpu.writeSys32((obase + Tss.Eflags) >>> 0, oflags);
  for (let i = 0; i < 8; i++) cpu.writeSys32((obase + Tss.Regs + 4 * i) >>> 0, cpu.regs[i]);
  for (let i = 0; i < 6; i++) cpu.writeSys16((obase + Tss.Segs + 4 * i) >>> 0, cpu.segSel[i]);

  // Busy bits and nesting.
  if (source === TaskSource.Jmp || source === TaskSource.Iret) setOldBusy(cpu, false);
  let nflags = incoming[IN_EFLAGS];
  if (source === TaskSource.Call || source === TaskSource.Int) {
    cpu.writeSys16(nbase, cpu.trSel);
    nflags |= F.NT;
  }
  if (source !== TaskSource.Iret) cpu.writeSys8((addr + 5) >>> 0, acc | 2);

  // Commit: from here on, faults belong to the new task.
  cpu.trSel = sel;
  cpu.trBase = nbase;
  cpu.trLimit = nlimit | 0;
  cpu.trAttr = descAttr(hi) | 2;
  cpu.cr0 = (cpu.cr0 | CR0.TS) >>> 0;
  cpu.cr3 = (incoming[IN_CR3] & 0xfffff018) >>> 0;
  if (cpu.cr0 & CR0.PG) cpu.flushTlb();
  for (let i = 0; i < 8; i++) cpu.regs[i] = incoming[i];
  cpu.eip = incoming[IN_EIP] | 0;
  cpu.setEflags((nflags | 2) >>> 0);
  cpu.instrEip = cpu.eip;
  cpu.instrEsp = cpu.regs[R.ESP];
  const ldt = incoming[IN_LDT];
  cpu.ldtSel = ldt;
  cpu.ldtBase = 0;
  cpu.ldtLimit = 0;
  for (let i = 0; i < 6; i++) loadNullSegment(cpu, i, incoming[IN_SEG + i]);

  if (nflags & F.VM) {
    cpu.cpl = 3;
    loadTaskLdt(cpu, ldt, ext);
    for (let i = 0; i < 6; i++) loadV86Segment(cpu, i, incoming[IN_SEG + i]);
    cpu.eip &= 0xffff;
    cpu.instrEip = cpu.eip;
    cpu.onModeChange();
    return;
  }
  const cs = incoming[IN_SEG + S.CS];
  const cpl = cs & 3;
  cpu.cpl = cpl;
  cpu.onModeChange();
  loadTaskLdt(cpu, ldt, ext);
  loadTaskCode(cpu, cs, ext);
  loadProtectedSegment(cpu, S.SS, incoming[IN_SEG + S.SS], cpl, Vec.TS, ext);
  loadProtectedSegment(cpu, S.DS, incoming[IN_SEG + S.DS], cpl, Vec.TS, ext);
  loadProtectedSegment(cpu, S.ES, incoming[IN_SEG + S.ES], cpl, Vec.TS, ext);
  loadProtectedSegment(cpu, S.FS, incoming[IN_SEG + S.FS], cpl, Vec.TS, ext);
  loadProtectedSegment(cpu, S.GS, incoming[IN_SEG + S.GS], cpl, Vec.TS, ext);
  cpu.onModeChange();
  if (cpu.eip > (cpu.segLimit[S.CS] >>> 0)) cpu.fault(Vec.GP, 0);
}

/** Sets or clears the busy bit of the current TSS's descriptor in the GDT. */
function setOldBusy(cpu: CPU, busy: boolean): void {
  const at = (cpu.gdtBase + (cpu.trSel & 0xfff8) + 5) >>> 0;
  if ((cpu.trSel & 0xfff8) + 7 > (cpu.gdtLimit >>> 0)) return;
  const acc = cpu.readSys8(at);
  cpu.writeSys8(at, busy ? acc | 2 : acc & ~2);
}

/** The new task's LDT: must be an LDT descriptor in the GDT; any problem is #TS(ldt). */
function loadTaskLdt(cpu: CPU, ldt: number, ext: number): void {
  if ((ldt & 0xfffc) === 0) return;
  const code = (ldt & 0xfffc) | ext;
  if ((ldt & 4) !== 0) cpu.fault(Vec.TS, code);
  cpu.ldtSel = 0; // fetch from the GDT
  if (!fetchDescriptor(cpu, ldt & ~4)) cpu.fault(Vec.TS, code);
  const lo = desc.lo;
  const hi = desc.hi;
  if (((hi >>> 8) & 0x9f) !== (Acc.P | SysType.Ldt)) cpu.fault(Vec.TS, code);
  cpu.ldtSel = ldt;
  cpu.ldtBase = descBase(lo, hi);
  cpu.ldtLimit = descLimit(lo, hi);
}

/** The new task's CS: a code segment matching its RPL; #TS(cs) otherwise, #NP(cs) when not present. */
function loadTaskCode(cpu: CPU, cs: number, ext: number): void {
  const code = (cs & 0xfffc) | ext;
  if ((cs & 0xfffc) === 0) cpu.fault(Vec.TS, ext);
  if (!fetchDescriptor(cpu, cs)) cpu.fault(Vec.TS, code);
  const lo = desc.lo;
  const hi = desc.hi;
  const addr = desc.addr;
  const acc = (hi >>> 8) & 0xff;
  const dpl = (acc >>> 5) & 3;
  const rpl = cs & 3;
  if ((acc & (Acc.S | Acc.CODE)) !== (Acc.S | Acc.CODE)) cpu.fault(Vec.TS, code);
  if ((acc & Acc.DC) !== 0 ? dpl > rpl : dpl !== rpl) cpu.fault(Vec.TS, code);
  if ((acc & Acc.P) === 0) cpu.fault(Vec.NP, code);
  setAccessed(cpu, addr, hi);
  setSegment(cpu, S.CS, cs, descBase(lo, hi), descLimit(lo, hi), descAttr(hi) | Acc.A);
}
