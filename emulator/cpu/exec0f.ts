// The two-byte (0F xx) opcodes of the 486: Jcc near, SETcc, bit tests and scans,
// double shifts, CMPXCHG, XADD, BSWAP, MOVZX/MOVSX, IMUL r,r/m, FS/GS pushes and
// pops, far-pointer loads; and the P6 integer additions: CMOVcc, CMPXCHG8B, the
// multi-byte NOP, UD2. The system ones live in privileged.ts.

import type { CPU } from "./cpu.ts";
import { S, Vec } from "./defs.ts";
import { curEip, fetch8, fetchImm, decodeEa, segW } from "./access.ts";
import { alu, shiftDouble, imulTrunc, MASK } from "./alu.ts";
import { cond, setCF, setZF } from "./flags.ts";
import { getReg, setReg, vsz, readRm, writeRm, rmwLin, readW, writeLin, readMem, jumpNear } from "./operands.ts";
import { popSeg, pushSeg, loadFarPointer } from "./seg-moves.ts";
import { grp6, grp7, larLsl, clts, privNop, movFromCr, movToCr, movFromDr, movToDr, rdtsc, rdpmc, cpuid } from "./privileged.ts";
import { CYC, BRANCH_TAKEN, MEM_READ } from "./timing.ts";

/** Executes the 0F-prefixed instruction whose second byte comes next. False when EIP was set. */
export function exec0f(c: CPU): boolean {
  const op = fetch8(c);
  c.cyc += CYC[0x100 + op];
  switch (op) {
    case 0x00: grp6(c); return true;
    case 0x01: grp7(c); return true;
    case 0x02: case 0x03: larLsl(c, op === 0x02); return true;
    case 0x06: clts(c); return true;
    case 0x08: case 0x09: privNop(c); return true;
    case 0x20: movFromCr(c); return true;
    case 0x21: movFromDr(c); return true;
    case 0x22: movToCr(c); return true;
    case 0x23: movToDr(c); return true;
    case 0x0b: c.fault(Vec.UD); return true; // UD2
    case 0x31: rdtsc(c); return true;
    case 0x33: rdpmc(c); return true;
    case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f: {
      // NOP Ev (0F 1F /0 is the SDM's multi-byte NOP; 0F 19-1E are its reserved
      // NOPs on family 6): the operand is decoded, never accessed.
      const m = fetch8(c);
      if (m < 0xc0) decodeEa(c, m);
      return true;
    }
    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
    case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f: {
      // CMOVcc: the source is read (and may fault) whatever the condition.
      const m = fetch8(c);
      const sz = vsz(c);
      if (m < 0xc0) c.cyc += MEM_READ;
      const v = readRm(c, m, sz);
      if (cond(c, op & 15) !== 0) setReg(c, sz, (m >> 3) & 7, v);
      return true;
    }
    case 0xc7: cmpxchg8b(c); return true;
    case 0xa2: cpuid(c); return true;
    case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86: case 0x87:
    case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x8c: case 0x8d: case 0x8e: case 0x8f: {
      const d = fetchImm(c);
      if (cond(c, op & 15) !== 0) {
        c.cyc += BRANCH_TAKEN;
        jumpNear(c, curEip(c) + d);
        return false;
      }
      return true;
    }
    case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
    case 0x98: case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f: {
      const m = fetch8(c);
      if (m < 0xc0) decodeEa(c, m);
      writeRm(c, m, 0, cond(c, op & 15));
      return true;
    }
    case 0xa0: pushSeg(c, S.FS); return true;
    case 0xa1: popSeg(c, S.FS); return true;
    case 0xa8: pushSeg(c, S.GS); return true;
    case 0xa9: popSeg(c, S.GS); return true;
    case 0xa3: bitOp(c, 0, false); return true;
    case 0xab: bitOp(c, 1, false); return true;
    case 0xb3: bitOp(c, 2, false); return true;
    case 0xbb: bitOp(c, 3, false); return true;
    case 0xba: bitOp(c, -1, true); return true; // group 8: BT BTS BTR BTC by reg field 4..7
    case 0xa4: case 0xa5: case 0xac: case 0xad: doubleShift(c, op < 0xa8, (op & 1) === 0); return true;
    case 0xaf: {
      const m = fetch8(c);
      const sz = vsz(c);
      const b = readRm(c, m, sz);
      const g = (m >> 3) & 7;
      setReg(c, sz, g, imulTrunc(c, getReg(c, sz, g), b, sz));
      return true;
    }
    case 0xb0: case 0xb1: cmpxchg(c, op === 0xb0 ? 0 : vsz(c)); return true;
    case 0xb2: loadFarPointer(c, S.SS); return true;
    case 0xb4: loadFarPointer(c, S.FS); return true;
    case 0xb5: loadFarPointer(c, S.GS); return true;
    case 0xb6: case 0xb7: case 0xbe: case 0xbf: {
      const m = fetch8(c);
      const ssz = (op & 1) === 0 ? 0 : 1;
      let v = readRm(c, m, ssz);
      if (op >= 0xbe) v = ssz === 0 ? (v << 24) >> 24 : (v << 16) >> 16;
      const sz = vsz(c);
      setReg(c, sz, (m >> 3) & 7, v & MASK[sz]);
      return true;
    }
    case 0xbc: case 0xbd: {
      const m = fetch8(c);
      const sz = vsz(c);
      const v = readRm(c, m, sz) & MASK[sz];
      if (v === 0) {
        setZF(c, true);
        return true;
      }
      const idx = op === 0xbc ? 31 - Math.clz32(v & -v) : 31 - Math.clz32(v);
      c.cyc += op === 0xbc ? idx : 31 - idx;
      setReg(c, sz, (m >> 3) & 7, idx);
      setZF(c, false);
      return true;
    }
    case 0xc0: case 0xc1: xadd(c, op === 0xc0 ? 0 : vsz(c)); return true;
    case 0xc8: case 0xc9: case 0xca: case 0xcb: case 0xcc: case 0xcd: case 0xce: case 0xcf: {
      const i = op & 7;
      if (c.os32) {
        const v = c.regs[i];
        c.regs[i] = (v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24);
      } else c.reg16[i << 1] = 0; // 16-bit BSWAP is undefined; 486-class parts clear the word
      return true;
    }
    default:
      c.fault(Vec.UD);
  }
}

/** BT (0) BTS (1) BTR (2) BTC (3), with a register or an 8-bit immediate bit offset. */
function bitOp(c: CPU, kind: number, imm: boolean): void {
  const m = fetch8(c);
  if (kind < 0) {
    if (((m >> 3) & 7) < 4) c.fault(Vec.UD);
    kind = (m >> 3) & 3;
  }
  const sz = vsz(c);
  const bits = sz === 2 ? 32 : 16;
  if (m >= 0xc0) {
    const off = imm ? fetch8(c) : getReg(c, sz, (m >> 3) & 7);
    const bit = off & (bits - 1);
    const v = getReg(c, sz, m & 7);
    if (kind !== 0) setReg(c, sz, m & 7, modifyBit(v, bit, kind) & MASK[sz]);
    setCF(c, (v >>> bit) & 1);
    return;
  }
  decodeEa(c, m);
  let ea = c.ea;
  let bit: number;
  if (imm) bit = fetch8(c) & (bits - 1);
  else {
    const off = sz === 2 ? c.regs[(m >> 3) & 7] : (c.reg16[((m >> 3) & 7) << 1] << 16) >> 16;
    ea = ea + (off >> (sz === 2 ? 5 : 4)) * (bits >> 3);
    ea = c.as32 ? ea | 0 : ea & 0xffff;
    bit = off & (bits - 1);
  }
  if (kind === 0) {
    setCF(c, (readMem(c, sz, c.eaSeg, ea) >>> bit) & 1);
    return;
  }
  const lin = segW(c, c.eaSeg, ea, (1 << sz) - 1);
  const v = readW(c, sz, lin);
  writeLin(c, sz, lin, modifyBit(v, bit, kind) & MASK[sz]);
  setCF(c, (v >>> bit) & 1);
  c.cyc += 2;
}

function modifyBit(v: number, bit: number, kind: number): number {
  return kind === 1 ? v | (1 << bit) : kind === 2 ? v & ~(1 << bit) : v ^ (1 << bit);
}

function doubleShift(c: CPU, left: boolean, imm: boolean): void {
  const m = fetch8(c);
  const sz = vsz(c);
  const src = getReg(c, sz, (m >> 3) & 7);
  if (m >= 0xc0) {
    const n = (imm ? fetch8(c) : c.reg8[4]) & 31;
    setReg(c, sz, m & 7, shiftDouble(c, left, getReg(c, sz, m & 7), src, n, sz));
    return;
  }
  decodeEa(c, m);
  const n = (imm ? fetch8(c) : c.reg8[4]) & 31;
  const lin = rmwLin(c, sz);
  const v = readW(c, sz, lin);
  writeLin(c, sz, lin, shiftDouble(c, left, v, src, n, sz));
}

/** CMPXCHG r/m, r: the 486 writes the destination in both outcomes (locked RMW). */
function cmpxchg(c: CPU, sz: number): void {
  const m = fetch8(c);
  const g = (m >> 3) & 7;
  const acc = getReg(c, sz, 0);
  if (m >= 0xc0) {
    const d = getReg(c, sz, m & 7);
    alu(c, 7, acc, d, sz);
    if (acc === d) setReg(c, sz, m & 7, getReg(c, sz, g));
    else setReg(c, sz, 0, d);
    return;
  }
  decodeEa(c, m);
  const lin = rmwLin(c, sz);
  const d = readW(c, sz, lin);
  alu(c, 7, acc, d, sz);
  if (acc === d) writeLin(c, sz, lin, getReg(c, sz, g));
  else {
    writeLin(c, sz, lin, d);
    setReg(c, sz, 0, d);
  }
}

/**
 * CMPXCHG8B m64 (0F C7 /1): compares EDX:EAX with the quadword; equal: ZF=1
 * and ECX:EBX is stored; else ZF=0 and the quadword is loaded into EDX:EAX
 * (and, as on the P6, written back unchanged: the bus cycle is a locked RMW).
 * A register operand or another reg field is #UD.
 */
function cmpxchg8b(c: CPU): void {
  const m = fetch8(c);
  if (m >= 0xc0 || ((m >> 3) & 7) !== 1) c.fault(Vec.UD);
  decodeEa(c, m);
  const lin = segW(c, c.eaSeg, c.ea, 7);
  const lo = readW(c, 2, lin), hi = readW(c, 2, lin + 4);
  const r = c.regs;
  if (lo === r[0] && hi === r[2]) {
    writeLin(c, 2, lin, r[3]);
    writeLin(c, 2, lin + 4, r[1]);
    setZF(c, true);
  } else {
    writeLin(c, 2, lin, lo);
    writeLin(c, 2, lin + 4, hi);
    r[0] = lo;
    r[2] = hi;
    setZF(c, false);
  }
}

function xadd(c: CPU, sz: number): void {
  const m = fetch8(c);
  const g = (m >> 3) & 7;
  if (m >= 0xc0) {
    const d = getReg(c, sz, m & 7);
    const sum = alu(c, 0, d, getReg(c, sz, g), sz);
    setReg(c, sz, g, d);
    setReg(c, sz, m & 7, sum);
    return;
  }
  decodeEa(c, m);
  const lin = rmwLin(c, sz);
  const d = readW(c, sz, lin);
  writeLin(c, sz, lin, alu(c, 0, d, getReg(c, sz, g), sz));
  setReg(c, sz, g, d);
}
