// The byte interpreter: execOne() fetches, decodes and executes one instruction
// through the code window (prefixes, then one big switch over the one-byte opcodes;
// 0F goes to exec0f.ts, strings to strings.ts). The run loop (dispatch.ts) uses it for
// every form the decoded-instruction cache has no handler for, and for uncached code.
// Each case either leaves the `seq` block normally (EIP advances past the decoded
// bytes) or sets EIP itself and breaks out of `seq`.
// Opcodes the CPU does not implement raise #UD.

import type { CPU } from "./cpu.ts";
import { S, Vec, F, CR0 } from "./defs.ts";
import {
  setWindow, curEip, fetch8, fetchS8, fetch16, fetch32, fetchImm, decodeEa, segR, segW, rd32, wr32, rdW32,
  readM8, readM16, readM32, syncClock, push16, push32, pushV, pop32, pop16, peek16, peek32, addSp, probeStackWrite,
} from "./access.ts";
import { alu, sub32, inc, dec, neg, logicFlags, shift, multiply, divide, imulTrunc, MASK } from "./alu.ts";
import { cond, getCF, getOF, getZF, materialize, setCF, setZF } from "./flags.ts";
import {
  R8, getReg, setReg, vsz, readRm, writeRm, rmwLin, readW, writeLin, readMem, writeMem, sext8, jumpNear, ioCheck,
} from "./operands.ts";
import { daa, das, aaa, aas, aam, aad } from "./bcd.ts";
import { exec0f } from "./exec0f.ts";
import { popSeg, pushSeg, loadFarPointer } from "./seg-moves.ts";
import { x87, fwait } from "./x87.ts";
import { stringOp } from "./strings.ts";
import { CYC, MEM_READ, MEM_RMW, BRANCH_TAKEN } from "./timing.ts";
import {
  IntKind, loadSegment, farJump, farCall, farReturn, iret, deliverInterrupt,
} from "./system.ts";

const PREFIX = new Uint8Array(256);
for (const p of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) PREFIX[p] = 1;

/**
 * Executes the one instruction at CS:EIP through the code window (fetching and decoding
 * its bytes as it goes): the interpreter for everything the decoded-instruction path
 * (dispatch.ts) does not handle itself. Leaves EIP after the instruction or at its
 * target, and the decode state at its defaults; may throw CPU_FAULT.
 */
export function execOne(c: CPU): void {
  const off = (c.eip - c.winEip) >>> 0;
  if (off < c.winLen) c.ip = c.winPhys + off;
  else setWindow(c, c.eip);
  seq: {
    let op = fetch8(c);
    if (PREFIX[op] !== 0) op = prefixes(c, op);
    c.cyc += CYC[op];
    const r = c.regs;
    switch (op) {
      // ---- ALU: the hot 32-bit register forms first, then the generic ones
      case 0x01: case 0x09: case 0x11: case 0x19: case 0x21: case 0x29: case 0x31: case 0x39:
        aluEvGv(c, op >> 3);
        break;
      case 0x03: case 0x0b: case 0x13: case 0x1b: case 0x23: case 0x2b: case 0x33: case 0x3b:
        aluGvEv(c, op >> 3);
        break;
      case 0x00: case 0x08: case 0x10: case 0x18: case 0x20: case 0x28: case 0x30: case 0x38:
        aluEbGb(c, op >> 3);
        break;
      case 0x02: case 0x0a: case 0x12: case 0x1a: case 0x22: case 0x2a: case 0x32: case 0x3a: {
        const m = fetch8(c);
        const g = R8[(m >> 3) & 7];
        const b = readRm(c, m, 0);
        if (m < 0xc0) c.cyc += MEM_READ;
        const v = alu(c, op >> 3, c.reg8[g], b, 0);
        if ((op >> 3) !== 7) c.reg8[g] = v;
        break;
      }
      case 0x04: case 0x0c: case 0x14: case 0x1c: case 0x24: case 0x2c: case 0x34: case 0x3c: {
        const v = alu(c, op >> 3, c.reg8[0], fetch8(c), 0);
        if ((op >> 3) !== 7) c.reg8[0] = v;
        break;
      }
      case 0x05: case 0x0d: case 0x15: case 0x1d: case 0x25: case 0x2d: case 0x35: case 0x3d: {
        if (c.os32) {
          const v = alu(c, op >> 3, r[0], fetch32(c), 2);
          if ((op >> 3) !== 7) r[0] = v;
        } else {
          const v = alu(c, op >> 3, c.reg16[0], fetch16(c), 1);
          if ((op >> 3) !== 7) c.reg16[0] = v;
        }
        break;
      }
      case 0x06: pushSeg(c, S.ES); break;
      case 0x07: popSeg(c, S.ES); break;
      case 0x0e: pushSeg(c, S.CS); break;
      case 0x16: pushSeg(c, S.SS); break;
      case 0x17: popSeg(c, S.SS); break;
      case 0x1e: pushSeg(c, S.DS); break;
      case 0x1f: popSeg(c, S.DS); break;
      case 0x0f:
        if (!exec0f(c)) break seq;
        break;
      case 0x27: daa(c); break;
      case 0x2f: das(c); break;
      case 0x37: aaa(c); break;
      case 0x3f: aas(c); break;
      case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
        if (c.os32) r[op & 7] = inc(c, r[op & 7], 2);
        else c.reg16[(op & 7) << 1] = inc(c, c.reg16[(op & 7) << 1], 1);
        break;
      case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f:
        if (c.os32) r[op & 7] = dec(c, r[op & 7], 2);
        else c.reg16[(op & 7) << 1] = dec(c, c.reg16[(op & 7) << 1], 1);
        break;
      case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
        if (c.os32) push32(c, r[op & 7]);
        else push16(c, c.reg16[(op & 7) << 1]);
        break;
      case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
        if (c.os32) {
          const v = pop32(c);
          r[op & 7] = v;
        } else {
          const v = pop16(c);
          c.reg16[(op & 7) << 1] = v;
        }
        break;
      case 0x60: pusha(c); break;
      case 0x61: popa(c); break;
      case 0x62: bound(c); break;
      case 0x63: arpl(c); break;
      case 0x68: pushV(c, fetchImm(c)); break;
      case 0x6a: pushV(c, sext8(fetch8(c), vsz(c))); break;
      case 0x69: case 0x6b: {
        const m = fetch8(c);
        const sz = vsz(c);
        const a = readRm(c, m, sz);
        const b = op === 0x69 ? fetchImm(c) : sext8(fetch8(c), sz);
        setReg(c, sz, (m >> 3) & 7, imulTrunc(c, a, b, sz));
        break;
      }
      case 0x6c: case 0x6d: case 0x6e: case 0x6f:
      case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:
        if (!stringOp(c, op)) break seq;
        break;
      case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
      case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
        const d = fetchS8(c);
        if (cond(c, op & 15) !== 0) {
          c.cyc += BRANCH_TAKEN;
          jumpNear(c, curEip(c) + d);
          break seq;
        }
        break;
      }
      case 0x80: case 0x82: grp1(c, 0); break;
      case 0x81: grp1(c, 1); break;
      case 0x83: grp1(c, 2); break;
      case 0x84: case 0x85: {
        const sz = op === 0x84 ? 0 : vsz(c);
        const m = fetch8(c);
        const a = readRm(c, m, sz);
        logicFlags(c, a & getReg(c, sz, (m >> 3) & 7), sz);
        break;
      }
      case 0x86: case 0x87: {
        const sz = op === 0x86 ? 0 : vsz(c);
        const m = fetch8(c);
        const g = (m >> 3) & 7;
        if (m >= 0xc0) {
          const t = getReg(c, sz, m & 7);
          setReg(c, sz, m & 7, getReg(c, sz, g));
          setReg(c, sz, g, t);
        } else {
          decodeEa(c, m);
          const lin = rmwLin(c, sz);
          const t = readW(c, sz, lin);
          writeLin(c, sz, lin, getReg(c, sz, g));
          setReg(c, sz, g, t);
          c.cyc += MEM_RMW;
        }
        break;
      }
      case 0x88: {
        const m = fetch8(c);
        if (m >= 0xc0) c.reg8[R8[m & 7]] = c.reg8[R8[(m >> 3) & 7]];
        else {
          decodeEa(c, m);
          writeMem(c, 0, c.eaSeg, c.ea, c.reg8[R8[(m >> 3) & 7]]);
        }
        break;
      }
      case 0x89: {
        const m = fetch8(c);
        if (c.os32) {
          if (m >= 0xc0) r[m & 7] = r[(m >> 3) & 7];
          else {
            decodeEa(c, m);
            wr32(c, segW(c, c.eaSeg, c.ea, 3), r[(m >> 3) & 7]);
          }
        } else if (m >= 0xc0) c.reg16[(m & 7) << 1] = c.reg16[((m >> 3) & 7) << 1];
        else {
          decodeEa(c, m);
          writeMem(c, 1, c.eaSeg, c.ea, c.reg16[((m >> 3) & 7) << 1]);
        }
        break;
      }
      case 0x8a: {
        const m = fetch8(c);
        c.reg8[R8[(m >> 3) & 7]] = readRm(c, m, 0);
        break;
      }
      case 0x8b: {
        const m = fetch8(c);
        if (c.os32) {
          if (m >= 0xc0) r[(m >> 3) & 7] = r[m & 7];
          else {
            decodeEa(c, m);
            r[(m >> 3) & 7] = rd32(c, segR(c, c.eaSeg, c.ea, 3));
          }
        } else c.reg16[((m >> 3) & 7) << 1] = readRm(c, m, 1);
        break;
      }
      case 0x8c: {
        const m = fetch8(c);
        const sr = (m >> 3) & 7;
        if (sr > 5) c.fault(Vec.UD);
        if (m >= 0xc0) setReg(c, vsz(c), m & 7, c.segSel[sr]);
        else {
          decodeEa(c, m);
          writeMem(c, 1, c.eaSeg, c.ea, c.segSel[sr]);
        }
        break;
      }
      case 0x8d: {
        const m = fetch8(c);
        if (m >= 0xc0) c.fault(Vec.UD);
        decodeEa(c, m);
        if (c.os32) r[(m >> 3) & 7] = c.ea;
        else c.reg16[((m >> 3) & 7) << 1] = c.ea;
        break;
      }
      case 0x8e: {
        const m = fetch8(c);
        const sr = (m >> 3) & 7;
        if (sr === S.CS || sr > 5) c.fault(Vec.UD);
        loadSegment(c, sr, readRm(c, m, 1));
        if (sr === S.SS) c.shadow = c.ssShadow = c.blockEnd = true;
        break;
      }
      case 0x8f: {
        const m = fetch8(c);
        if (((m >> 3) & 7) !== 0) c.fault(Vec.UD);
        const sz = vsz(c);
        const v = sz === 2 ? peek32(c, 0) : peek16(c, 0);
        addSp(c, sz === 2 ? 4 : 2); // the address uses the incremented ESP
        if (m < 0xc0) decodeEa(c, m);
        writeRm(c, m, sz, v);
        break;
      }
      case 0x90:
        break;
      case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
        if (c.os32) {
          const t = r[0];
          r[0] = r[op & 7];
          r[op & 7] = t;
        } else {
          const t = c.reg16[0];
          c.reg16[0] = c.reg16[(op & 7) << 1];
          c.reg16[(op & 7) << 1] = t;
        }
        break;
      case 0x98:
        if (c.os32) r[0] = (c.reg16[0] << 16) >> 16;
        else c.reg16[0] = (c.reg8[0] << 24) >> 24;
        break;
      case 0x99:
        if (c.os32) r[2] = r[0] >> 31;
        else c.reg16[4] = (c.reg16[0] & 0x8000) !== 0 ? 0xffff : 0;
        break;
      case 0x9a: {
        const o = fetchImm(c);
        const sel = fetch16(c);
        c.eip = curEip(c);
        farCall(c, sel, o, c.os32);
        c.winLen = 0;
        c.ipEnd = 0;
        break seq;
      }
      case 0x9b: // WAIT: #NM when MP and TS are both set, #MF for a pending unmasked x87 exception
        if (c.hasFpu) fwait(c);
        else if ((c.cr0 & (CR0.MP | CR0.TS)) === (CR0.MP | CR0.TS)) c.fault(Vec.NM);
        break;
      case 0x9c: {
        const fl = c.getEflags();
        if (c.vm86 && (fl & F.IOPL) !== F.IOPL) c.fault(Vec.GP, 0);
        if (c.os32) push32(c, fl & ~(F.VM | F.RF));
        else push16(c, fl);
        break;
      }
      case 0x9d: popf(c); break;
      case 0x9e:
        materialize(c);
        c.flags = (c.flags & ~0xd5) | (c.reg8[1] & 0xd5);
        break;
      case 0x9f:
        c.reg8[1] = (c.getEflags() & 0xd5) | 2;
        break;
      case 0xa0: case 0xa1: case 0xa2: case 0xa3: {
        const o = c.as32 ? fetch32(c) : fetch16(c);
        const seg = c.segOvr >= 0 ? c.segOvr : S.DS;
        const sz = (op & 1) === 0 ? 0 : vsz(c);
        if (op < 0xa2) setReg(c, sz, 0, readMem(c, sz, seg, o));
        else writeMem(c, sz, seg, o, getReg(c, sz, 0));
        break;
      }
      case 0xa8: logicFlags(c, c.reg8[0] & fetch8(c), 0); break;
      case 0xa9:
        if (c.os32) logicFlags(c, r[0] & fetch32(c), 2);
        else logicFlags(c, c.reg16[0] & fetch16(c), 1);
        break;
      case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
        c.reg8[R8[op & 7]] = fetch8(c);
        break;
      case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        if (c.os32) r[op & 7] = fetch32(c);
        else c.reg16[(op & 7) << 1] = fetch16(c);
        break;
      case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        const sz = (op & 1) === 0 ? 0 : vsz(c);
        const m = fetch8(c);
        const o = (m >> 3) & 7;
        if (m >= 0xc0) {
          const n = (op <= 0xc1 ? fetch8(c) : op <= 0xd1 ? 1 : c.reg8[4]) & 31;
          if (o === 2 || o === 3) c.cyc += n;
          setReg(c, sz, m & 7, shift(c, o, getReg(c, sz, m & 7), n, sz));
        } else {
          decodeEa(c, m);
          const n = (op <= 0xc1 ? fetch8(c) : op <= 0xd1 ? 1 : c.reg8[4]) & 31;
          const lin = rmwLin(c, sz);
          const v = readW(c, sz, lin);
          writeLin(c, sz, lin, shift(c, o, v, n, sz));
          c.cyc += MEM_RMW;
        }
        break;
      }
      case 0xc2: case 0xc3: {
        const n = op === 0xc2 ? fetch16(c) : 0;
        const t = c.os32 ? peek32(c, 0) : peek16(c, 0);
        jumpNear(c, t);
        addSp(c, (c.os32 ? 4 : 2) + n);
        break seq;
      }
      case 0xc4: case 0xc5: loadFarPointer(c, op === 0xc4 ? S.ES : S.DS); break;
      case 0xc6: case 0xc7: {
        const sz = op === 0xc6 ? 0 : vsz(c);
        const m = fetch8(c);
        if (((m >> 3) & 7) !== 0) c.fault(Vec.UD);
        if (m >= 0xc0) setReg(c, sz, m & 7, sz === 0 ? fetch8(c) : fetchImm(c));
        else {
          decodeEa(c, m);
          writeMem(c, sz, c.eaSeg, c.ea, sz === 0 ? fetch8(c) : fetchImm(c));
        }
        break;
      }
      case 0xc8: enter(c); break;
      case 0xc9: {
        const bp = c.stack32 ? r[5] : c.reg16[10];
        const v = c.os32 ? rd32(c, segR(c, S.SS, bp, 3)) : readM16(c, S.SS, bp);
        if (c.stack32) r[4] = (bp + (c.os32 ? 4 : 2)) | 0;
        else c.reg16[8] = bp + (c.os32 ? 4 : 2);
        if (c.os32) r[5] = v;
        else c.reg16[10] = v;
        break;
      }
      case 0xca: case 0xcb: {
        const n = op === 0xca ? fetch16(c) : 0;
        farReturn(c, c.os32, n);
        c.winLen = 0;
        c.ipEnd = 0;
        break seq;
      }
      case 0xcc:
        c.eip = curEip(c);
        deliverInterrupt(c, 3, IntKind.Int3);
        c.winLen = 0;
        c.ipEnd = 0;
        break seq;
      case 0xcd: {
        const n = fetch8(c);
        c.eip = curEip(c);
        deliverInterrupt(c, n, IntKind.Software);
        c.winLen = 0;
        c.ipEnd = 0;
        break seq;
      }
      case 0xce:
        if (getOF(c) !== 0) {
          c.eip = curEip(c);
          deliverInterrupt(c, 4, IntKind.Into);
          c.winLen = 0;
          c.ipEnd = 0;
          break seq;
        }
        break;
      case 0xcf:
        c.eip = curEip(c); // a task return (NT) saves the EIP past the IRET
        iret(c, c.os32);
        c.winLen = 0;
        c.ipEnd = 0;
        c.blockEnd = true;
        break seq;
      case 0xd4: aam(c, fetch8(c)); break;
      case 0xd5: aad(c, fetch8(c)); break;
      case 0xd6: c.reg8[0] = getCF(c) !== 0 ? 0xff : 0; break;
      case 0xd7: {
        const o = c.as32 ? (r[3] + c.reg8[0]) | 0 : (c.reg16[6] + c.reg8[0]) & 0xffff;
        c.reg8[0] = readM8(c, c.segOvr >= 0 ? c.segOvr : S.DS, o);
        break;
      }
      case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf:
        if (c.hasFpu) x87(c, op);
        else c.fault((c.cr0 & (CR0.EM | CR0.TS)) !== 0 ? Vec.NM : Vec.UD);
        break;
      case 0xe0: case 0xe1: case 0xe2: case 0xe3: {
        const d = fetchS8(c);
        let take: boolean;
        if (op === 0xe3) take = (c.as32 ? r[1] : c.reg16[2]) === 0;
        else {
          let n: number;
          if (c.as32) n = r[1] = (r[1] - 1) | 0;
          else n = c.reg16[2] = (c.reg16[2] - 1) & 0xffff;
          take = n !== 0 && (op === 0xe2 || (op === 0xe1) === (getZF(c) !== 0));
        }
        if (take) {
          c.cyc += BRANCH_TAKEN;
          jumpNear(c, curEip(c) + d);
          break seq;
        }
        break;
      }
      case 0xe4: case 0xe5: case 0xec: case 0xed: {
        const port = op < 0xe8 ? fetch8(c) : c.reg16[4];
        const w = (op & 1) === 0 ? 1 : c.os32 ? 4 : 2;
        ioCheck(c, port, w);
        c.cyc += c.io.accessCycles;
        syncClock(c);
        if (w === 1) c.reg8[0] = c.io.in8(port);
        else if (w === 2) c.reg16[0] = c.io.in16(port);
        else r[0] = c.io.in32(port);
        c.blockEnd = true;
        break;
      }
      case 0xe6: case 0xe7: case 0xee: case 0xef: {
        const port = op < 0xe8 ? fetch8(c) : c.reg16[4];
        const w = (op & 1) === 0 ? 1 : c.os32 ? 4 : 2;
        ioCheck(c, port, w);
        c.cyc += c.io.accessCycles;
        syncClock(c);
        c.eip = curEip(c); // a port handler (hypercall) may change CPU state, EIP included
        c.blockEnd = true;
        c.winLen = 0;
        c.ipEnd = 0;
        if (w === 1) c.io.out8(port, c.reg8[0]);
        else if (w === 2) c.io.out16(port, c.reg16[0]);
        else c.io.out32(port, r[0]);
        break seq;
      }
      case 0xe8: {
        const d = fetchImm(c);
        const ret = curEip(c);
        const t = c.os32 ? (ret + d) | 0 : (ret + d) & 0xffff;
        if (t >>> 0 > c.segLimit[S.CS] >>> 0) c.fault(Vec.GP, 0);
        pushV(c, ret);
        c.eip = t;
        break seq;
      }
      case 0xe9: {
        const d = fetchImm(c);
        jumpNear(c, curEip(c) + d);
        break seq;
      }
      case 0xea: {
        const o = fetchImm(c);
        const sel = fetch16(c);
        c.eip = curEip(c);
        farJump(c, sel, o, c.os32);
        c.winLen = 0;
        c.ipEnd = 0;
        break seq;
      }
      case 0xeb: {
        const d = fetchS8(c);
        jumpNear(c, curEip(c) + d);
        break seq;
      }
      case 0xf4:
        if (c.cpl !== 0) c.fault(Vec.GP, 0);
        c.halted = true;
        c.blockEnd = true;
        break;
      case 0xf5: setCF(c, getCF(c) ^ 1); break;
      case 0xf6: grp3(c, 0); break;
      case 0xf7: grp3(c, vsz(c)); break;
      case 0xf8: setCF(c, 0); break;
      case 0xf9: setCF(c, 1); break;
      case 0xfa: case 0xfb: {
        if (c.cr0 & CR0.PE) {
          const iopl = (c.flags >> 12) & 3;
          if (c.cpl > iopl) c.fault(Vec.GP, 0);
        }
        if (op === 0xfa) c.flags &= ~F.IF;
        else if ((c.flags & F.IF) === 0) {
          c.flags |= F.IF;
          c.shadow = true;
          c.blockEnd = true;
        }
        break;
      }
      case 0xfc: c.flags &= ~F.DF; break;
      case 0xfd: c.flags |= F.DF; break;
      case 0xfe: {
        const m = fetch8(c);
        const o = (m >> 3) & 7;
        if (o > 1) c.fault(Vec.UD);
        incDecRm(c, m, 0, o);
        break;
      }
      case 0xff:
        if (!grp5(c)) break seq;
        break;
      default:
        c.fault(Vec.UD);
    }
    c.eip = (c.winEip + (c.ip - c.winPhys)) | 0;
  }
  if (c.prefixed) endPrefixes(c);
}

/**
 * Restores the per-instruction decode state (operand/address size, segment override,
 * repeat) to the defaults after an instruction that had prefixes or changed modes.
 * Between instructions the state always holds the defaults, so unprefixed
 * instructions pay nothing for it.
 */
export function endPrefixes(c: CPU): void {
  c.os32 = c.code32;
  c.as32 = c.code32;
  c.segOvr = -1;
  c.rep = 0;
  c.prefixed = false;
}

function prefixes(c: CPU, op: number): number {
  let n = 0;
  c.prefixed = true;
  let lock = false;
  for (;;) {
    switch (op) {
      case 0x26: c.segOvr = S.ES; break;
      case 0x2e: c.segOvr = S.CS; break;
      case 0x36: c.segOvr = S.SS; break;
      case 0x3e: c.segOvr = S.DS; break;
      case 0x64: c.segOvr = S.FS; break;
      case 0x65: c.segOvr = S.GS; break;
      case 0x66: c.os32 = !c.code32; break;
      case 0x67: c.as32 = !c.code32; break;
      case 0xf0: lock = true; break;
      case 0xf2: c.rep = 2; break;
      case 0xf3: c.rep = 1; break;
      default:
        if (lock) checkLock(c, op);
        return op;
    }
    if (++n >= 15) c.fault(Vec.GP, 0);
    op = fetch8(c);
  }
}

/** LOCK is legal only on the memory-destination forms of the RMW instructions; else #UD. */
function checkLock(c: CPU, op: number): void {
  const code = c.code, winEip = c.winEip, winPhys = c.winPhys, winLen = c.winLen, ip = c.ip, ipEnd = c.ipEnd;
  const winTbl = c.winTbl;
  let m: number;
  let ok: boolean;
  if (op === 0x0f) {
    const op2 = fetch8(c);
    m = fetch8(c);
    const g = (m >> 3) & 7;
    ok = op2 === 0xab || op2 === 0xb3 || op2 === 0xbb || op2 === 0xb0 || op2 === 0xb1 || op2 === 0xc0 ||
      op2 === 0xc1 || (op2 === 0xba && g >= 5) || (op2 === 0xc7 && g === 1);
  } else {
    m = fetch8(c);
    const g = (m >> 3) & 7;
    ok = (op < 0x38 && (op & 6) === 0) || (op >= 0x80 && op <= 0x83 && g !== 7) || op === 0x86 || op === 0x87 ||
      ((op === 0xf6 || op === 0xf7) && (g === 2 || g === 3)) || ((op === 0xfe || op === 0xff) && g < 2);
  }
  if (!ok || m >= 0xc0) c.fault(Vec.UD);
  c.code = code;
  c.winEip = winEip;
  c.winPhys = winPhys;
  c.winLen = winLen;
  c.ip = ip;
  c.ipEnd = ipEnd;
  c.winTbl = winTbl;
}

function aluEvGv(c: CPU, o: number): void {
  const m = fetch8(c);
  const g = (m >> 3) & 7;
  if (c.os32) {
    const r = c.regs;
    if (m >= 0xc0) {
      if (o === 7) sub32(c, r[m & 7], r[g]);
      else r[m & 7] = alu(c, o, r[m & 7], r[g], 2);
      return;
    }
    decodeEa(c, m);
    if (o === 7) {
      sub32(c, rd32(c, segR(c, c.eaSeg, c.ea, 3)), r[g]);
      c.cyc += MEM_READ;
      return;
    }
    const lin = segW(c, c.eaSeg, c.ea, 3);
    wr32(c, lin, alu(c, o, rdW32(c, lin), r[g], 2));
    c.cyc += MEM_RMW;
    return;
  }
  aluRmReg(c, m, o, 1);
}

function aluEbGb(c: CPU, o: number): void {
  aluRmReg(c, fetch8(c), o, 0);
}

function aluRmReg(c: CPU, m: number, o: number, sz: number): void {
  const g = (m >> 3) & 7;
  if (m >= 0xc0) {
    const v = alu(c, o, getReg(c, sz, m & 7), getReg(c, sz, g), sz);
    if (o !== 7) setReg(c, sz, m & 7, v);
    return;
  }
  decodeEa(c, m);
  if (o === 7) {
    alu(c, 7, readMem(c, sz, c.eaSeg, c.ea), getReg(c, sz, g), sz);
    c.cyc += MEM_READ;
    return;
  }
  const lin = rmwLin(c, sz);
  writeLin(c, sz, lin, alu(c, o, readW(c, sz, lin), getReg(c, sz, g), sz));
  c.cyc += MEM_RMW;
}

function aluGvEv(c: CPU, o: number): void {
  const m = fetch8(c);
  const g = (m >> 3) & 7;
  if (c.os32) {
    const r = c.regs;
    let b: number;
    if (m >= 0xc0) b = r[m & 7];
    else {
      decodeEa(c, m);
      b = rd32(c, segR(c, c.eaSeg, c.ea, 3));
      c.cyc += MEM_READ;
    }
    if (o === 7) sub32(c, r[g], b);
    else r[g] = alu(c, o, r[g], b, 2);
    return;
  }
  const b = readRm(c, m, 1);
  if (m < 0xc0) c.cyc += MEM_READ;
  const v = alu(c, o, c.reg16[g << 1], b, 1);
  if (o !== 7) c.reg16[g << 1] = v;
}

/** Group 1: ALU r/m, imm. form 0: Eb,Ib  1: Ev,Iv  2: Ev,Ib sign-extended. */
function grp1(c: CPU, form: number): void {
  const m = fetch8(c);
  const o = (m >> 3) & 7;
  if (form !== 0 && m >= 0xc0 && c.os32) { // 32-bit register destination (hot)
    const r = c.regs;
    const b = form === 1 ? fetch32(c) : fetchS8(c);
    if (o === 7) sub32(c, r[m & 7], b);
    else r[m & 7] = alu(c, o, r[m & 7], b, 2);
    return;
  }
  const sz = form === 0 ? 0 : vsz(c);
  if (m >= 0xc0) {
    const b = form === 1 ? fetchImm(c) : form === 2 ? sext8(fetch8(c), sz) : fetch8(c);
    const v = alu(c, o, getReg(c, sz, m & 7), b, sz);
    if (o !== 7) setReg(c, sz, m & 7, v);
    return;
  }
  decodeEa(c, m);
  const b = form === 1 ? fetchImm(c) : form === 2 ? sext8(fetch8(c), sz) : fetch8(c);
  if (o === 7) {
    alu(c, 7, readMem(c, sz, c.eaSeg, c.ea), b, sz);
    c.cyc += MEM_READ;
    return;
  }
  const lin = rmwLin(c, sz);
  writeLin(c, sz, lin, alu(c, o, readW(c, sz, lin), b, sz));
  c.cyc += MEM_RMW;
}

function incDecRm(c: CPU, m: number, sz: number, o: number): void {
  if (m >= 0xc0) {
    const a = getReg(c, sz, m & 7);
    setReg(c, sz, m & 7, o === 0 ? inc(c, a, sz) : dec(c, a, sz));
    return;
  }
  decodeEa(c, m);
  const lin = rmwLin(c, sz);
  const a = readW(c, sz, lin);
  writeLin(c, sz, lin, o === 0 ? inc(c, a, sz) : dec(c, a, sz));
  c.cyc += MEM_RMW;
}

/** Group 3: TEST NOT NEG MUL IMUL DIV IDIV on r/m. */
function grp3(c: CPU, sz: number): void {
  const m = fetch8(c);
  const o = (m >> 3) & 7;
  if (o === 0 || o === 1) {
    const a = readRm(c, m, sz);
    logicFlags(c, a & (sz === 0 ? fetch8(c) : sz === 1 ? fetch16(c) : fetch32(c)), sz);
    return;
  }
  if (o === 2 || o === 3) {
    if (m >= 0xc0) {
      const a = getReg(c, sz, m & 7);
      setReg(c, sz, m & 7, o === 2 ? ~a & MASK[sz] : neg(c, a, sz));
      return;
    }
    decodeEa(c, m);
    const lin = rmwLin(c, sz);
    const a = readW(c, sz, lin);
    writeLin(c, sz, lin, o === 2 ? ~a & MASK[sz] : neg(c, a, sz));
    c.cyc += MEM_RMW;
    return;
  }
  const v = readRm(c, m, sz);
  if (o < 6) {
    c.cyc += sz === 0 ? 12 : sz === 1 ? 12 : 12;
    multiply(c, v, sz, o === 5);
  } else {
    c.cyc += sz === 0 ? 15 : sz === 1 ? 23 : 39;
    divide(c, v, sz, o === 7);
  }
}

/** Group 5. Returns false when it transferred control (EIP set). */
function grp5(c: CPU): boolean {
  const m = fetch8(c);
  const o = (m >> 3) & 7;
  const sz = vsz(c);
  switch (o) {
    case 0:
    case 1:
      incDecRm(c, m, sz, o);
      return true;
    case 2: {
      const t = readRm(c, m, sz);
      const ret = curEip(c);
      if ((c.os32 ? t : t & 0xffff) >>> 0 > c.segLimit[S.CS] >>> 0) c.fault(Vec.GP, 0);
      pushV(c, ret);
      c.cyc += 4;
      c.eip = c.os32 ? t : t & 0xffff;
      return false;
    }
    case 4:
      jumpNear(c, readRm(c, m, sz));
      c.cyc += 4;
      return false;
    case 3:
    case 5: {
      if (m >= 0xc0) c.fault(Vec.UD);
      decodeEa(c, m);
      const o2 = readMem(c, sz, c.eaSeg, c.ea);
      const sel = readMem(c, 1, c.eaSeg, (c.ea + (sz === 2 ? 4 : 2)) | 0);
      c.eip = curEip(c);
      c.cyc += 17;
      if (o === 3) farCall(c, sel, o2, c.os32);
      else farJump(c, sel, o2, c.os32);
      c.winLen = 0;
      c.ipEnd = 0;
      return false;
    }
    case 6:
      pushV(c, readRm(c, m, sz));
      c.cyc += 3;
      return true;
    default:
      return c.fault(Vec.UD);
  }
}

function pusha(c: CPU): void {
  const r = c.regs;
  if (c.os32) {
    const sp = r[4];
    for (let i = 0; i < 8; i++) push32(c, i === 4 ? sp : r[i]);
  } else {
    const sp = c.reg16[8];
    for (let i = 0; i < 8; i++) push16(c, i === 4 ? sp : c.reg16[i << 1]);
  }
}

/** POPA's eight values, read before any register changes (no allocation per instruction). */
const popaVals = new Int32Array(8);

function popa(c: CPU): void {
  const sz = c.os32 ? 4 : 2;
  const v = popaVals;
  for (let i = 7; i >= 0; i--) v[i] = sz === 4 ? peek32(c, (7 - i) * 4) : peek16(c, (7 - i) * 2);
  addSp(c, 8 * sz);
  for (let i = 0; i < 8; i++) if (i !== 4) setReg(c, sz === 4 ? 2 : 1, i, v[i]);
}

function bound(c: CPU): void {
  const m = fetch8(c);
  if (m >= 0xc0) c.fault(Vec.UD);
  decodeEa(c, m);
  const g = (m >> 3) & 7;
  if (c.os32) {
    const lo = readM32(c, c.eaSeg, c.ea);
    const hi = readM32(c, c.eaSeg, (c.ea + 4) | 0);
    const v = c.regs[g];
    if (v < lo || v > hi) c.fault(Vec.BR);
  } else {
    const lo = (readM16(c, c.eaSeg, c.ea) << 16) >> 16;
    const hi = (readM16(c, c.eaSeg, (c.ea + 2) & (c.as32 ? -1 : 0xffff)) << 16) >> 16;
    const v = (c.reg16[g << 1] << 16) >> 16;
    if (v < lo || v > hi) c.fault(Vec.BR);
  }
}

function arpl(c: CPU): void {
  if (!c.pmode) c.fault(Vec.UD);
  const m = fetch8(c);
  const src = c.reg16[((m >> 3) & 7) << 1];
  const dst = readRm(c, m, 1);
  if ((dst & 3) < (src & 3)) {
    writeRm(c, m, 1, (dst & ~3) | (src & 3));
    setZF(c, true);
  } else setZF(c, false);
}

function popf(c: CPU): void {
  const old = c.getEflags();
  const iopl = (old >> 12) & 3;
  if (c.vm86 && iopl !== 3) c.fault(Vec.GP, 0);
  const v = c.os32 ? peek32(c, 0) : peek16(c, 0);
  let mask = 0x244dd5; // CF PF AF ZF SF TF DF OF NT AC ID
  if (c.cpl === 0) mask |= F.IOPL;
  if (c.cpl <= iopl) mask |= F.IF;
  if (!c.os32) mask &= 0xffff;
  addSp(c, c.os32 ? 4 : 2);
  c.setEflags((old & ~mask) | (v & mask));
}

/**
 * ENTER imm16, imm8 (Intel SDM vol. 2A, ENTER): pushes (E)BP; FrameTemp is ESP after
 * that push for a 32-bit operand, SP for a 16-bit one; nesting level L > 1 copies L - 1
 * frame pointers read at (E)BP (EBP or BP by SS.B) minus multiples of the operand size;
 * L > 0 then pushes FrameTemp. ESP/SP (by SS.B) drops by imm16 only after a write check
 * at the final stack pointer, and (E)BP takes FrameTemp last, so a fault leaves EBP
 * unchanged (the run loop restores ESP).
 */
function enter(c: CPU): void {
  const size = fetch16(c);
  const level = fetch8(c) & 31;
  const r = c.regs;
  const s32 = c.stack32;
  const o32 = c.os32;
  const w = o32 ? 4 : 2;
  let p = s32 ? r[5] : c.reg16[10];
  pushV(c, o32 ? r[5] : c.reg16[10]);
  const frame = o32 ? r[4] : c.reg16[8];
  if (level > 0) {
    for (let i = 1; i < level; i++) {
      p = s32 ? (p - w) | 0 : (p - w) & 0xffff;
      pushV(c, o32 ? readM32(c, S.SS, p) : readM16(c, S.SS, p));
    }
    pushV(c, frame);
    c.cyc += 3 * level;
  }
  const sp = s32 ? (r[4] - size) | 0 : (c.reg16[8] - size) & 0xffff;
  probeStackWrite(c, sp, w - 1);
  if (s32) r[4] = sp;
  else c.reg16[8] = sp;
  if (o32) r[5] = frame;
  else c.reg16[10] = frame;
}
