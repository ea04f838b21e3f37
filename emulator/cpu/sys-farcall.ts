// Far control transfers: JMP FAR, CALL FAR (direct, through call gates with
// the inner-stack switch and parameter copy, through task gates / TSSs), and
// RETF to the same or an outer privilege level.

import type { CPU } from "./cpu.ts";
import { Vec, R, S, F, CR0, Attr } from "./defs.ts";
import {
  Acc, SysType, desc, fetchDescriptor, descBase, descLimit, descAttr, setAccessed, setSegment,
  loadRealSegment, loadV86Segment, checkInnerStack, stackFits, checkPop, nullInvalidDataSegments,
  loadProtectedSegment,
} from "./sys-descriptors.ts";
import { frame, frameBegin, frameBeginCurrent, pushSized, readStack, setStackPointer } from "./sys-stack.ts";
import { TaskSource, readTssStack, tssStack, switchTask } from "./sys-task.ts";

/** The target code descriptor fetched by fetchCode. */
const target = { lo: 0, hi: 0, addr: 0 };
/** Parameters copied by a call gate (at most 31). */
const params = new Int32Array(32);

/** Real-mode / v86 CS load. */
function loadCsFlat(cpu: CPU, sel: number, v86: boolean): void {
  if (v86) loadV86Segment(cpu, S.CS, sel);
  else loadRealSegment(cpu, S.CS, sel);
}

/**
 * Fetches code selector `sel` into `target` and checks it as the destination of a
 * transfer at privilege `cpl`: nonconforming needs DPL == cpl (and RPL <= cpl when
 * `checkRpl`), conforming DPL <= cpl. #GP(sel) on failure, #GP(0) for null, #NP(sel) if absent.
 */
function fetchCode(cpu: CPU, sel: number, cpl: number, checkRpl: boolean): void {
  const code = sel & 0xfffc;
  if (code === 0) cpu.fault(Vec.GP, 0);
  if (!fetchDescriptor(cpu, sel)) cpu.fault(Vec.GP, code);
  target.lo = desc.lo;
  target.hi = desc.hi;
  target.addr = desc.addr;
  const acc = (desc.hi >>> 8) & 0xff;
  const dpl = (acc >>> 5) & 3;
  if ((acc & (Acc.S | Acc.CODE)) !== (Acc.S | Acc.CODE)) cpu.fault(Vec.GP, code);
  if (acc & Acc.DC) {
    if (dpl > cpl) cpu.fault(Vec.GP, code);
  } else if (dpl !== cpl || (checkRpl && (sel & 3) > cpl)) {
    cpu.fault(Vec.GP, code);
  }
  if ((acc & Acc.P) === 0) cpu.fault(Vec.NP, code);
}

/** Commits `target` into CS with RPL = cpl (after setting its accessed bit). */
function commitCs(cpu: CPU, sel: number, cpl: number): void {
  setAccessed(cpu, target.addr, target.hi);
  setSegment(cpu, S.CS, (sel & 0xfffc) | cpl, descBase(target.lo, target.hi), descLimit(target.lo, target.hi),
    descAttr(target.hi) | Acc.A);
}

function checkEip(cpu: CPU, eip: number, limit: number): void {
  if (eip > limit >>> 0) cpu.fault(Vec.GP, 0);
}

/**
 * JMP FAR selector:offset. Real/v86 mode: plain CS load. Protected mode: code
 * segment, call gate (no privilege change), task gate or TSS (task switch).
 */
export function farJump(cpu: CPU, selector: number, offset: number, opsize32: boolean): void {
  const sel = selector & 0xffff;
  const eip = opsize32 ? offset >>> 0 : offset & 0xffff;
  if ((cpu.cr0 & CR0.PE) === 0 || (cpu.getEflags() & F.VM) !== 0) {
    const v86 = (cpu.cr0 & CR0.PE) !== 0;
    if (v86 && eip > 0xffff) cpu.fault(Vec.GP, 0);
    loadCsFlat(cpu, sel, v86);
    cpu.eip = eip;
    cpu.onModeChange();
    return;
  }
  const cpl = cpu.cpl;
  const code = sel & 0xfffc;
  if (code === 0) cpu.fault(Vec.GP, 0);
  if (!fetchDescriptor(cpu, sel)) cpu.fault(Vec.GP, code);
  const lo = desc.lo;
  const hi = desc.hi;
  const acc = (hi >>> 8) & 0xff;
  if (acc & Acc.S) {
    fetchCode(cpu, sel, cpl, true);
    checkEip(cpu, eip, descLimit(target.lo, target.hi));
    commitCs(cpu, sel, cpl);
    cpu.eip = eip;
    cpu.onModeChange();
    return;
  }
  const type = acc & 0x1f;
  if (gateOrTask(cpu, sel, acc, lo, TaskSource.Jmp)) return;
  const tsel = lo >>> 16;
  const toff = type === SysType.CallGate32 ? ((lo & 0xffff) | (hi & 0xffff0000)) >>> 0 : lo & 0xffff;
  fetchCode(cpu, tsel, cpl, false);
  checkEip(cpu, toff, descLimit(target.lo, target.hi));
  commitCs(cpu, tsel, cpl);
  cpu.eip = toff | 0;
  cpu.onModeChange();
}

/**
 * The system-descriptor part of a far JMP/CALL through `sel` (access byte acc,
 * low dword lo): #GP unless it is a call gate, task gate or TSS with DPL >=
 * CPL and >= RPL, #NP if not present. Task gates and TSSs switch tasks (true:
 * done); a call gate returns false for the caller to follow.
 */
function gateOrTask(cpu: CPU, sel: number, acc: number, lo: number, source: TaskSource): boolean {
  const code = sel & 0xfffc;
  const type = acc & 0x1f;
  const dpl = (acc >>> 5) & 3;
  if (type !== SysType.CallGate16 && type !== SysType.CallGate32 && type !== SysType.TaskGate &&
      type !== SysType.Tss16 && type !== SysType.Tss32) cpu.fault(Vec.GP, code);
  if (dpl < cpu.cpl || dpl < (sel & 3)) cpu.fault(Vec.GP, code);
  if ((acc & Acc.P) === 0) cpu.fault(Vec.NP, code);
  if (type === SysType.TaskGate) {
    switchTask(cpu, lo >>> 16, source, 0);
    return true;
  }
  if (type === SysType.Tss16 || type === SysType.Tss32) {
    switchTask(cpu, sel, source, 0);
    return true;
  }
  return false;
}

/**
 * CALL FAR selector:offset; the return address is cpu.eip. Real/v86 mode and
 * direct code segments push CS:(E)IP per `opsize32`; call gates push per the
 * gate size and, to a more privileged nonconforming segment, switch to the TSS
 * stack of that level, push the old SS:ESP, copy the gate's parameter count of
 * words/dwords and push CS:EIP. Task gates and TSSs switch tasks with nesting.
 */
export function farCall(cpu: CPU, selector: number, offset: number, opsize32: boolean): void {
  const sel = selector & 0xffff;
  const eip = opsize32 ? offset >>> 0 : offset & 0xffff;
  const size = opsize32 ? 4 : 2;
  if ((cpu.cr0 & CR0.PE) === 0 || (cpu.getEflags() & F.VM) !== 0) {
    const v86 = (cpu.cr0 & CR0.PE) !== 0;
    if (v86 && eip > 0xffff) cpu.fault(Vec.GP, 0);
    frameBeginCurrent(cpu);
    pushSized(cpu, cpu.segSel[S.CS], opsize32);
    pushSized(cpu, cpu.eip, opsize32);
    setStackPointer(cpu, frame.esp);
    loadCsFlat(cpu, sel, v86);
    cpu.eip = eip;
    cpu.onModeChange();
    return;
  }
  const cpl = cpu.cpl;
  const code = sel & 0xfffc;
  if (code === 0) cpu.fault(Vec.GP, 0);
  if (!fetchDescriptor(cpu, sel)) cpu.fault(Vec.GP, code);
  const lo = desc.lo;
  const hi = desc.hi;
  const acc = (hi >>> 8) & 0xff;
  if (acc & Acc.S) {
    fetchCode(cpu, sel, cpl, true);
    if (!stackFits(cpu.segLimit[S.SS], cpu.segAttr[S.SS], cpu.regs[R.ESP], 2 * size, true, size)) cpu.fault(Vec.SS, 0);
    checkEip(cpu, eip, descLimit(target.lo, target.hi));
    frameBeginCurrent(cpu);
    pushSized(cpu, cpu.segSel[S.CS], opsize32);
    pushSized(cpu, cpu.eip, opsize32);
    commitCs(cpu, sel, cpl);
    setStackPointer(cpu, frame.esp);
    cpu.eip = eip;
    cpu.onModeChange();
    return;
  }
  const type = acc & 0x1f;
  if (gateOrTask(cpu, sel, acc, lo, TaskSource.Call)) return;
  callGate(cpu, lo, hi, type === SysType.CallGate32);
}

function callGate(cpu: CPU, lo: number, hi: number, is32: boolean): void {
  const cpl = cpu.cpl;
  const tsel = lo >>> 16;
  const toff = is32 ? ((lo & 0xffff) | (hi & 0xffff0000)) >>> 0 : lo & 0xffff;
  const tcode = tsel & 0xfffc;
  if (tcode === 0) cpu.fault(Vec.GP, 0);
  if (!fetchDescriptor(cpu, tsel)) cpu.fault(Vec.GP, tcode);
  const cacc = (desc.hi >>> 8) & 0xff;
  const cdpl = (cacc >>> 5) & 3;
  if ((cacc & (Acc.S | Acc.CODE)) !== (Acc.S | Acc.CODE) || cdpl > cpl) cpu.fault(Vec.GP, tcode);
  if ((cacc & Acc.P) === 0) cpu.fault(Vec.NP, tcode);
  target.lo = desc.lo;
  target.hi = desc.hi;
  target.addr = desc.addr;
  const size = is32 ? 4 : 2;
  const climit = descLimit(target.lo, target.hi);

  if ((cacc & Acc.DC) !== 0 || cdpl === cpl) {
    if (!stackFits(cpu.segLimit[S.SS], cpu.segAttr[S.SS], cpu.regs[R.ESP], 2 * size, true, size)) cpu.fault(Vec.SS, 0);
    checkEip(cpu, toff, climit);
    frameBeginCurrent(cpu);
    pushSized(cpu, cpu.segSel[S.CS], is32);
    pushSized(cpu, cpu.eip, is32);
    commitCs(cpu, tsel, cpl);
    setStackPointer(cpu, frame.esp);
    cpu.eip = toff | 0;
    cpu.onModeChange();
    return;
  }

  // More privileged: stack switch through the TSS.
  readTssStack(cpu, cdpl, 0);
  const ss = tssStack.ss;
  const esp = tssStack.esp;
  if ((ss & 0xfffc) === 0) cpu.fault(Vec.TS, 0);
  if (!fetchDescriptor(cpu, ss)) cpu.fault(Vec.TS, ss & 0xfffc);
  const slo = desc.lo;
  const shi = desc.hi;
  const saddr = desc.addr;
  checkInnerStack(cpu, ss, shi, cdpl, 0);
  const sattr = descAttr(shi) | Acc.A;
  const slimit = descLimit(slo, shi);
  const sbase = descBase(slo, shi);
  const count = hi & 0x1f;
  if (!stackFits(slimit, sattr, esp, (4 + count) * size, true, size)) cpu.fault(Vec.SS, ss & 0xfffc);
  checkEip(cpu, toff, climit);
  const oldEsp = cpu.regs[R.ESP];
  if (count > 0) {
    checkPop(cpu, oldEsp, count * size, size);
    for (let i = 0; i < count; i++) params[i] = readStack(cpu, oldEsp, i * size, is32);
  }
  setAccessed(cpu, saddr, shi);
  frameBegin(sbase, sattr, esp, true);
  pushSized(cpu, cpu.segSel[S.SS], is32);
  pushSized(cpu, oldEsp, is32);
  for (let i = count - 1; i >= 0; i--) pushSized(cpu, params[i], is32);
  pushSized(cpu, cpu.segSel[S.CS], is32);
  pushSized(cpu, cpu.eip, is32);
  // Commit.
  commitCs(cpu, tsel, cdpl);
  cpu.cpl = cdpl;
  setSegment(cpu, S.SS, ss, sbase, slimit, sattr);
  // A 16-bit inner stack sets only SP; ESP's upper half stays the caller's (the manual
  // leaves it open; Bochs and QEMU both keep the old upper half).
  cpu.regs[R.ESP] = sattr & Attr.DB ? frame.esp : (oldEsp & ~0xffff) | frame.esp;
  cpu.eip = toff | 0;
  cpu.onModeChange();
}

/**
 * RETF [popBytes]: pops (E)IP and CS (per `opsize32`), releases `popBytes` of
 * parameters; to an outer level also pops ESP and SS (releasing `popBytes` on the
 * outer stack as well) and nulls DS/ES/FS/GS not valid at the new CPL.
 */
export function farReturn(cpu: CPU, opsize32: boolean, popBytes: number): void {
  const size = opsize32 ? 4 : 2;
  const esp = cpu.regs[R.ESP];
  const pe = (cpu.cr0 & CR0.PE) !== 0;
  if (!pe || (cpu.getEflags() & F.VM) !== 0) {
    const eip = readStack(cpu, esp, 0, opsize32);
    const cs = readStack(cpu, esp, size, false);
    checkEip(cpu, eip, cpu.segLimit[S.CS]);
    loadCsFlat(cpu, cs, pe);
    cpu.eip = eip;
    setStackPointer(cpu, esp + 2 * size + popBytes);
    cpu.onModeChange();
    return;
  }
  checkPop(cpu, esp, 2 * size, size);
  const eip = readStack(cpu, esp, 0, opsize32);
  const cs = readStack(cpu, esp, size, false);
  const cpl = cpu.cpl;
  const rpl = cs & 3;
  if ((cs & 0xfffc) === 0) cpu.fault(Vec.GP, 0);
  if (rpl < cpl) cpu.fault(Vec.GP, cs & 0xfffc);
  fetchCode(cpu, cs, rpl, false);
  checkEip(cpu, eip, descLimit(target.lo, target.hi));
  if (rpl === cpl) {
    commitCs(cpu, cs, cpl);
    cpu.eip = eip;
    setStackPointer(cpu, esp + 2 * size + popBytes);
    cpu.onModeChange();
    return;
  }
  const at = 2 * size + popBytes;
  checkPop(cpu, esp + at, 2 * size, size);
  const newEsp = readStack(cpu, esp, at, opsize32);
  const ss = readStack(cpu, esp, at + size, false);
  returnToOuter(cpu, cs, eip, ss, newEsp + popBytes, rpl);
}

/**
 * Shared tail of RETF/IRET to an outer level: checks SS against the new CPL
 * (#GP(0) null, #GP(ss) bad, #SS(ss) absent), then commits CS (already in
 * `target`), SS:ESP and EIP, and nulls the data segments the new CPL may not use.
 */
export function returnToOuter(cpu: CPU, cs: number, eip: number, ss: number, esp: number, rpl: number): void {
  setAccessed(cpu, target.addr, target.hi);
  target.hi |= 0x100;
  loadProtectedSegment(cpu, S.SS, ss, rpl, Vec.GP, 0); // the last step that can fault
  commitCs(cpu, cs, rpl);
  cpu.cpl = rpl;
  cpu.eip = eip;
  setStackPointer(cpu, esp);
  nullInvalidDataSegments(cpu, rpl);
  cpu.onModeChange();
}

export { target as returnTarget, fetchCode as fetchReturnCode };
