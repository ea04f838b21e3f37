// IRET / IRETD in every mode: real mode, virtual-8086 mode (IOPL 3 only),
// protected mode to the same or an outer level, into virtual-8086 mode, and
// the task return through the back link when NT is set.

import type { CPU } from "./cpu.ts";
import { Vec, R, S, F, CR0 } from "./defs.ts";
import {
  Acc, loadRealSegment, loadV86Segment, checkPop, setAccessed, setSegment, descBase, descLimit, descAttr,
} from "./sys-descriptors.ts";
import { readStack, setStackPointer } from "./sys-stack.ts";
import { TaskSource, switchTask } from "./sys-task.ts";
import { returnTarget, fetchReturnCode, returnToOuter } from "./sys-farcall.ts";

/** Flags any IRET may write (the arithmetic and control bits). */
// CF PF AF ZF SF TF DF OF NT RF AC ID (a literal: cpu.ts's enums are not evaluated yet at our top level).
const BASE_MASK = 0x254dd5;
/** Bits 3, 5, 15 and above 21 read as 0; bit 1 as 1. */
const DEFINED = 0x003f7fd5;

function merge(old: number, popped: number, mask: number, opsize32: boolean): number {
  const m = opsize32 ? mask : mask & 0xffff;
  return ((old & ~m) | (popped & m) | 2) >>> 0;
}

/** IRET with operand size `opsize32`. All checks and pops happen before any register changes. */
export function iret(cpu: CPU, opsize32: boolean): void {
  const size = opsize32 ? 4 : 2;
  const esp = cpu.regs[R.ESP];
  const fl = cpu.getEflags();
  if ((cpu.cr0 & CR0.PE) === 0) {
    const eip = readStack(cpu, esp, 0, opsize32);
    const cs = readStack(cpu, esp, size, false);
    const nfl = readStack(cpu, esp, 2 * size, opsize32);
    if (eip > cpu.segLimit[S.CS] >>> 0) cpu.fault(Vec.GP, 0);
    loadRealSegment(cpu, S.CS, cs);
    cpu.eip = eip;
    setStackPointer(cpu, esp + 3 * size);
    cpu.setEflags(merge(fl, nfl, BASE_MASK | F.IF | F.IOPL, opsize32));
    cpu.onModeChange();
    return;
  }
  if (fl & F.VM) {
    if ((fl & F.IOPL) !== F.IOPL) cpu.fault(Vec.GP, 0);
    const eip = readStack(cpu, esp, 0, opsize32);
    const cs = readStack(cpu, esp, size, false);
    const nfl = readStack(cpu, esp, 2 * size, opsize32);
    if (eip > 0xffff) cpu.fault(Vec.GP, 0);
    loadV86Segment(cpu, S.CS, cs);
    cpu.eip = eip;
    setStackPointer(cpu, esp + 3 * size);
    cpu.setEflags(merge(fl, nfl, BASE_MASK | F.IF, opsize32));
    cpu.onModeChange();
    return;
  }
  if (fl & F.NT) {
    const link = cpu.readSys16(cpu.trBase) & 0xffff;
    switchTask(cpu, link, TaskSource.Iret, 0);
    return;
  }
  checkPop(cpu, esp, 3 * size, size);
  const eip = readStack(cpu, esp, 0, opsize32);
  const cs = readStack(cpu, esp, size, false);
  const nfl = readStack(cpu, esp, 2 * size, opsize32);
  const cpl = cpu.cpl;
  if (opsize32 && (nfl & F.VM) !== 0 && cpl === 0) {
    returnToV86(cpu, esp, eip, cs, nfl);
    return;
  }
  const rpl = cs & 3;
  if ((cs & 0xfffc) === 0) cpu.fault(Vec.GP, 0);
  if (rpl < cpl) cpu.fault(Vec.GP, cs & 0xfffc);
  fetchReturnCode(cpu, cs, rpl, false);
  if (eip > descLimit(returnTarget.lo, returnTarget.hi) >>> 0) cpu.fault(Vec.GP, 0);
  const iopl = (fl & F.IOPL) >>> 12;
  const mask = BASE_MASK | (cpl <= iopl ? F.IF : 0) | (cpl === 0 ? F.IOPL : 0);
  const newFlags = merge(fl, nfl, mask, opsize32);
  if (rpl === cpl) {
    setAccessed(cpu, returnTarget.addr, returnTarget.hi);
    setSegment(cpu, S.CS, cs, descBase(returnTarget.lo, returnTarget.hi), descLimit(returnTarget.lo, returnTarget.hi),
      descAttr(returnTarget.hi) | Acc.A);
    cpu.eip = eip;
    setStackPointer(cpu, esp + 3 * size);
    cpu.setEflags(newFlags);
    cpu.onModeChange();
    return;
  }
  checkPop(cpu, esp + 3 * size, 2 * size, size);
  const newEsp = readStack(cpu, esp, 3 * size, opsize32);
  const ss = readStack(cpu, esp, 4 * size, false);
  returnToOuter(cpu, cs, eip, ss, newEsp, rpl);
  cpu.setEflags(newFlags);
  cpu.onModeChange();
}

/** IRETD at CPL 0 with VM set in the popped EFLAGS: pops ESP SS ES DS FS GS and enters v86 mode. */
function returnToV86(cpu: CPU, esp: number, eip: number, cs: number, nfl: number): void {
  checkPop(cpu, esp, 36, 4);
  const newEsp = readStack(cpu, esp, 12, true);
  const ss = readStack(cpu, esp, 16, true);
  const es = readStack(cpu, esp, 20, true);
  const ds = readStack(cpu, esp, 24, true);
  const fs = readStack(cpu, esp, 28, true);
  const gs = readStack(cpu, esp, 32, true);
  cpu.setEflags(((nfl & DEFINED) | 2) >>> 0);
  loadV86Segment(cpu, S.CS, cs);
  loadV86Segment(cpu, S.SS, ss);
  loadV86Segment(cpu, S.ES, es);
  loadV86Segment(cpu, S.DS, ds);
  loadV86Segment(cpu, S.FS, fs);
  loadV86Segment(cpu, S.GS, gs);
  cpu.regs[R.ESP] = newEsp;
  cpu.eip = eip & 0xffff;
  cpu.cpl = 3;
  cpu.onModeChange();
}
