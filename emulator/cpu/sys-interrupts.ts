// Interrupt and exception delivery: the real-mode IVT, protected-mode IDT
// interrupt/trap/task gates (with the TSS stack switch and the virtual-8086
// frame), and the double-fault / triple-fault escalation.
//
// Delivery reads and checks everything and writes the new frame before it
// commits any register, so a fault during delivery leaves the interrupted
// state intact and the escalation can deliver the next exception from it.

import type { CPU } from "./cpu.ts";
import { CPU_FAULT, Vec, R, S, F, CR0, Attr } from "./defs.ts";
import {
  Acc, SysType, desc, fetchDescriptor, descBase, descLimit, descAttr, setAccessed, setSegment,
  loadRealSegment, loadNullSegment, stackFits, checkInnerStack,
} from "./sys-descriptors.ts";
import { frame, frameBegin, frameBeginCurrent, framePush16, pushSized, setStackPointer } from "./sys-stack.ts";
import { TaskSource, readTssStack, tssStack, switchTask } from "./sys-task.ts";

/** Where an interrupt comes from; decides the gate DPL check and the EXT bit. */
export const enum IntKind { Exception = 0, Hardware = 1, Software = 2, Int3 = 3, Into = 4 }

const enum Class { Benign = 0, Contributory = 1, PageFault = 2, Double = 3 }

function classOf(vector: number): Class {
  switch (vector) {
    case Vec.DE: case Vec.TS: case Vec.NP: case Vec.SS: case Vec.GP:
      return Class.Contributory;
    case Vec.PF:
      return Class.PageFault;
    case Vec.DF:
      return Class.Double;
    default:
      return Class.Benign;
  }
}

/** True for the exceptions that push an error code in protected mode. */
function hasErrorCode(vector: number): boolean {
  return vector === Vec.DF || (vector >= Vec.TS && vector <= Vec.PF) || vector === Vec.AC;
}

/**
 * Delivers exception `vector` with `errorCode` (-1: none given; the vectors that
 * push one then push 0). EIP/ESP must already be the values to save (the core
 * restored them). A fault during delivery is caught here and combined per the
 * manual's double-fault table; a fault while delivering #DF shuts the CPU down
 * (cpu.tripleFault(): shutdown, halted, onTripleFault). Never throws CPU_FAULT.
 */
export function deliverException(cpu: CPU, vector: number, errorCode: number): void {
  let v = vector;
  let code = errorCode;
  for (;;) {
    try {
      deliver(cpu, v, hasErrorCode(v) ? (code < 0 ? 0 : code) : -1, IntKind.Exception);
      return;
    } catch (e) {
      if (e !== CPU_FAULT) throw e;
      const second = cpu.faultVector;
      const first = classOf(v);
      const next = classOf(second);
      if (first === Class.Double) {
        cpu.tripleFault();
        return;
      }
      if ((first === Class.Contributory && next === Class.Contributory) ||
          (first === Class.PageFault && (next === Class.Contributory || next === Class.PageFault))) {
        v = Vec.DF;
        code = 0;
      } else {
        v = second;
        code = cpu.faultCode;
      }
    }
  }
}

/**
 * Delivers interrupt `vector` of `kind`. Software kinds (INT n, INT3, INTO) are
 * called from the instruction with cpu.eip past it; their faults (#GP for a gate
 * DPL below CPL, #GP(0) for INT n in v86 mode with IOPL < 3, ...) propagate as
 * CPU_FAULT to the run loop like any instruction fault. Hardware interrupts are
 * delivered at an instruction boundary; a fault during their delivery is
 * delivered here as an exception. Kind Exception delivers without error code.
 */
export function deliverInterrupt(cpu: CPU, vector: number, kind: IntKind): void {
  if (kind === IntKind.Exception) {
    deliverException(cpu, vector, -1);
    return;
  }
  if (kind === IntKind.Hardware) {
    try {
      deliver(cpu, vector, -1, kind);
    } catch (e) {
      if (e !== CPU_FAULT) throw e;
      deliverException(cpu, cpu.faultVector, cpu.faultCode);
    }
    return;
  }
  if (kind === IntKind.Software && (cpu.cr0 & CR0.PE) !== 0) {
    const fl = cpu.getEflags();
    if ((fl & F.VM) !== 0 && (fl & F.IOPL) !== F.IOPL) cpu.fault(Vec.GP, 0);
  }
  deliver(cpu, vector, -1, kind);
}

/** One delivery attempt; `code` is the error code to push (-1: none). */
function deliver(cpu: CPU, vector: number, code: number, kind: IntKind): void {
  if ((cpu.cr0 & CR0.PE) === 0) deliverReal(cpu, vector);
  else deliverProtected(cpu, vector, code, kind);
  cpu.halted = false;
}

function deliverReal(cpu: CPU, vector: number): void {
  const at = vector << 2;
  if (at + 3 > cpu.idtLimit >>> 0) cpu.fault(Vec.GP, 0);
  const off = cpu.readSys16((cpu.idtBase + at) >>> 0);
  const sel = cpu.readSys16((cpu.idtBase + at + 2) >>> 0);
  const fl = cpu.getEflags();
  frameBeginCurrent(cpu);
  framePush16(cpu, fl);
  framePush16(cpu, cpu.segSel[S.CS]);
  framePush16(cpu, cpu.eip);
  setStackPointer(cpu, frame.esp);
  loadRealSegment(cpu, S.CS, sel);
  cpu.eip = off & 0xffff;
  cpu.setEflags(fl & ~(F.IF | F.TF | F.AC));
  cpu.onModeChange();
}

function deliverProtected(cpu: CPU, vector: number, code: number, kind: IntKind): void {
  const ext = kind === IntKind.Exception || kind === IntKind.Hardware ? 1 : 0;
  const soft = ext === 0;
  const at = vector << 3;
  const gateCode = at + 2 + ext;
  if (at + 7 > cpu.idtLimit >>> 0) cpu.fault(Vec.GP, gateCode);
  const glo = cpu.readSys32((cpu.idtBase + at) >>> 0);
  const ghi = cpu.readSys32((cpu.idtBase + at + 4) >>> 0);
  const type = (ghi >>> 8) & 0x1f;
  if (type !== SysType.TaskGate && type !== SysType.IntGate16 && type !== SysType.TrapGate16 &&
      type !== SysType.IntGate32 && type !== SysType.TrapGate32) {
    cpu.fault(Vec.GP, gateCode);
  }
  const cpl = cpu.cpl;
  if (soft && ((ghi >>> 13) & 3) < cpl) cpu.fault(Vec.GP, at + 2);
  if ((ghi & 0x8000) === 0) cpu.fault(Vec.NP, gateCode);

  if (type === SysType.TaskGate) {
    switchTask(cpu, glo >>> 16, TaskSource.Int, ext);
    if (code >= 0) pushAfterTaskSwitch(cpu, code, ext);
    return;
  }

  const is32 = (type & 8) !== 0;
  const trap = (type & 1) !== 0;
  const sel = glo >>> 16;
  const off = is32 ? ((glo & 0xffff) | (ghi & 0xffff0000)) >>> 0 : glo & 0xffff;
  if ((sel & 0xfffc) === 0) cpu.fault(Vec.GP, ext);
  const selCode = (sel & 0xfffc) | ext;
  if (!fetchDescriptor(cpu, sel)) cpu.fault(Vec.GP, selCode);
  const clo = desc.lo;
  const chi = desc.hi;
  const caddr = desc.addr;
  const cacc = (chi >>> 8) & 0xff;
  const cdpl = (cacc >>> 5) & 3;
  if ((cacc & (Acc.S | Acc.CODE)) !== (Acc.S | Acc.CODE) || cdpl > cpl) cpu.fault(Vec.GP, selCode);
  if ((cacc & Acc.P) === 0) cpu.fault(Vec.NP, selCode);
  const climit = descLimit(clo, chi) >>> 0;
  const fl = cpu.getEflags();
  const vm = (fl & F.VM) !== 0;
  const size = is32 ? 4 : 2;
  const newFlags = fl & ~(F.TF | F.NT | F.RF | F.VM | (trap ? 0 : F.IF));

  if ((cacc & Acc.DC) === 0 && cdpl < cpl) {
    // To an inner level: the stack comes from the TSS.
    if (vm && cdpl !== 0) cpu.fault(Vec.GP, selCode);
    readTssStack(cpu, cdpl, ext);
    const ss = tssStack.ss;
    const esp = tssStack.esp;
    if ((ss & 0xfffc) === 0) cpu.fault(Vec.TS, ext);
    if (!fetchDescriptor(cpu, ss)) cpu.fault(Vec.TS, (ss & 0xfffc) | ext);
    const slo = desc.lo;
    const shi = desc.hi;
    const saddr = desc.addr;
    checkInnerStack(cpu, ss, shi, cdpl, ext);
    const sattr = descAttr(shi) | Acc.A;
    const slimit = descLimit(slo, shi);
    const sbase = descBase(slo, shi);
    const bytes = ((vm ? 9 : 5) + (code >= 0 ? 1 : 0)) * size;
    if (!stackFits(slimit, sattr, esp, bytes, true, size)) cpu.fault(Vec.SS, (ss & 0xfffc) | ext);
    if (off > climit) cpu.fault(Vec.GP, ext);
    setAccessed(cpu, saddr, shi);
    setAccessed(cpu, caddr, chi);
    frameBegin(sbase, sattr, esp, true);
    if (vm) {
      pushSized(cpu, cpu.segSel[S.GS], is32);
      pushSized(cpu, cpu.segSel[S.FS], is32);
      pushSized(cpu, cpu.segSel[S.DS], is32);
      pushSized(cpu, cpu.segSel[S.ES], is32);
    }
    pushSized(cpu, cpu.segSel[S.SS], is32);
    pushSized(cpu, cpu.regs[R.ESP], is32);
    pushSized(cpu, fl, is32);
    pushSized(cpu, cpu.segSel[S.CS], is32);
    pushSized(cpu, cpu.eip, is32);
    if (code >= 0) pushSized(cpu, code, is32);
    // Commit.
    setSegment(cpu, S.SS, ss, sbase, slimit, sattr);
    // A 16-bit inner stack sets only SP; ESP's upper half stays the interrupted one's
    // (the manual leaves it open; Bochs and QEMU both keep the old upper half).
    cpu.regs[R.ESP] = sattr & Attr.DB ? frame.esp : (cpu.regs[R.ESP] & ~0xffff) | frame.esp;
    if (vm) {
      loadNullSegment(cpu, S.GS, 0);
      loadNullSegment(cpu, S.FS, 0);
      loadNullSegment(cpu, S.DS, 0);
      loadNullSegment(cpu, S.ES, 0);
    }
    setSegment(cpu, S.CS, (sel & 0xfffc) | cdpl, descBase(clo, chi), descLimit(clo, chi), descAttr(chi) | Acc.A);
    cpu.cpl = cdpl;
  } else {
    // Same level (or a conforming handler): the current stack.
    if (vm) cpu.fault(Vec.GP, selCode);
    const bytes = (3 + (code >= 0 ? 1 : 0)) * size;
    if (!stackFits(cpu.segLimit[S.SS], cpu.segAttr[S.SS], cpu.regs[R.ESP], bytes, true, size)) cpu.fault(Vec.SS, ext);
    if (off > climit) cpu.fault(Vec.GP, ext);
    setAccessed(cpu, caddr, chi);
    frameBeginCurrent(cpu);
    pushSized(cpu, fl, is32);
    pushSized(cpu, cpu.segSel[S.CS], is32);
    pushSized(cpu, cpu.eip, is32);
    if (code >= 0) pushSized(cpu, code, is32);
    setStackPointer(cpu, frame.esp);
    setSegment(cpu, S.CS, (sel & 0xfffc) | cpl, descBase(clo, chi), descLimit(clo, chi), descAttr(chi) | Acc.A);
  }
  cpu.eip = off | 0;
  cpu.setEflags(newFlags);
  cpu.onModeChange();
}

/** Pushes an exception's error code on the new task's stack after a switch through a task gate. */
function pushAfterTaskSwitch(cpu: CPU, code: number, ext: number): void {
  const is32 = (cpu.trAttr & 8) !== 0;
  const size = is32 ? 4 : 2;
  if (!stackFits(cpu.segLimit[S.SS], cpu.segAttr[S.SS], cpu.regs[R.ESP], size, true, size)) cpu.fault(Vec.SS, ext);
  frameBeginCurrent(cpu);
  pushSized(cpu, code, is32);
  setStackPointer(cpu, frame.esp);
}
