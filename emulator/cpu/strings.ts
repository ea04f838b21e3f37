// String instructions (MOVS CMPS STOS LODS SCAS INS OUTS) with REP/REPE/REPNE.
// Each iteration commits (E)SI, (E)DI and (E)CX before the next one starts, so a
// fault in the middle restarts the instruction with the remaining count, as on
// hardware. A repeated instruction runs at most REP_SLICE iterations per step and
// then leaves EIP on itself, so interrupts and the cycle budget are honoured.

import { type CPU, F } from "./cpu.ts";
import { alu } from "./alu.ts";
import { getZF } from "./flags.ts";
import { segW, syncClock } from "./access.ts";
import { getReg, setReg, vsz, readMem, writeMem, readW, writeLin, ioCheck } from "./operands.ts";
import { REP_MOVS, REP_STOS, REP_LODS, REP_CMPS, REP_SCAS, REP_INS, REP_OUTS } from "./timing.ts";

const REP_SLICE = 1024;

function srcOff(c: CPU): number {
  return c.as32 ? c.regs[6] : c.reg16[12];
}
function dstOff(c: CPU): number {
  return c.as32 ? c.regs[7] : c.reg16[14];
}
function advSi(c: CPU, d: number): void {
  if (c.as32) c.regs[6] = (c.regs[6] + d) | 0;
  else c.reg16[12] = c.reg16[12] + d;
}
function advDi(c: CPU, d: number): void {
  if (c.as32) c.regs[7] = (c.regs[7] + d) | 0;
  else c.reg16[14] = c.reg16[14] + d;
}

/** One iteration of string opcode `op`. */
function once(c: CPU, op: number, sz: number, d: number, seg: number): void {
  switch (op) {
    case 0xa4: case 0xa5:
      writeMem(c, sz, 0 /* ES */, dstOff(c), readMem(c, sz, seg, srcOff(c)));
      advSi(c, d);
      advDi(c, d);
      return;
    case 0xa6: case 0xa7: {
      const a = readMem(c, sz, seg, srcOff(c));
      const b = readMem(c, sz, 0 /* ES */, dstOff(c));
      alu(c, 7, a, b, sz);
      advSi(c, d);
      advDi(c, d);
      return;
    }
    case 0xaa: case 0xab:
      writeMem(c, sz, 0 /* ES */, dstOff(c), getReg(c, sz, 0));
      advDi(c, d);
      return;
    case 0xac: case 0xad:
      setReg(c, sz, 0, readMem(c, sz, seg, srcOff(c)));
      advSi(c, d);
      return;
    case 0xae: case 0xaf:
      alu(c, 7, getReg(c, sz, 0), readMem(c, sz, 0 /* ES */, dstOff(c)), sz);
      advDi(c, d);
      return;
    case 0x6c: case 0x6d: {
      const port = c.reg16[4];
      ioCheck(c, port, 1 << sz);
      const lin = segW(c, 0 /* ES */, dstOff(c), (1 << sz) - 1);
      readW(c, sz, lin); // the destination must be writable before the port is read
      c.cyc += c.io.accessCycles;
      syncClock(c);
      const v = sz === 0 ? c.io.in8(port) : sz === 1 ? c.io.in16(port) : c.io.in32(port);
      writeLin(c, sz, lin, v);
      advDi(c, d);
      c.blockEnd = true;
      return;
    }
    default: { // 0x6e, 0x6f OUTS
      const port = c.reg16[4];
      ioCheck(c, port, 1 << sz);
      const v = readMem(c, sz, seg, srcOff(c));
      advSi(c, d);
      c.cyc += c.io.accessCycles;
      syncClock(c);
      c.blockEnd = true;
      if (sz === 0) c.io.out8(port, v);
      else if (sz === 1) c.io.out16(port, v);
      else c.io.out32(port, v);
    }
  }
}

function iterCost(op: number): number {
  switch (op & 0xfe) {
    case 0xa4: return REP_MOVS;
    case 0xa6: return REP_CMPS;
    case 0xaa: return REP_STOS;
    case 0xac: return REP_LODS;
    case 0xae: return REP_SCAS;
    case 0x6c: return REP_INS;
    default: return REP_OUTS;
  }
}

/**
 * Executes string opcode `op` under the decoded prefixes. Returns true when the
 * instruction completed (EIP advances), false when a repeat is left to continue
 * (EIP set back to the instruction).
 */
export function stringOp(c: CPU, op: number): boolean {
  const sz = (op & 1) === 0 ? 0 : vsz(c);
  const d = (c.flags & F.DF) !== 0 ? -(1 << sz) : 1 << sz;
  const seg = c.segOvr >= 0 ? c.segOvr : 3 /* DS */;
  if (c.rep === 0) {
    once(c, op, sz, d, seg);
    return true;
  }
  const cmp = (op & 0xf6) === 0xa6; // CMPS, SCAS look at ZF
  const io = op < 0x70;
  const cost = iterCost(op);
  let budget = io ? 1 : REP_SLICE;
  for (;;) {
    const n = c.as32 ? c.regs[1] : c.reg16[2];
    if (n === 0) return true;
    once(c, op, sz, d, seg);
    if (c.as32) c.regs[1] = (n - 1) | 0;
    else c.reg16[2] = n - 1;
    c.cyc += cost;
    if (cmp && (getZF(c) !== 0) !== (c.rep === 1)) return true;
    if (n === 1) return true;
    if (--budget === 0) {
      c.eip = c.instrEip;
      return false;
    }
  }
}
