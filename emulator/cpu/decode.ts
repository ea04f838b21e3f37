// The decoder of the decoded-instruction cache (icache.ts): turns the bytes of one
// instruction in RAM into a record of IC_STRIDE ints that dispatch.ts executes
// without looking at the bytes again. Only the common unprefixed 32-bit forms get
// their own handler; everything else (prefixes, 16-bit code, system and string
// instructions, instructions crossing the end of the code window) is recorded as
// H.Legacy and runs through the byte interpreter (exec.ts execOne), so the two
// paths need not agree on anything but these forms.
//
// Record: w0 = handler | length << 8 | mode bit (IC_MODE32/IC_MODE16) | base cycles << 16
//         w1 = operand fields (O_*), w2 = immediate, w3 = displacement.
// The base cycles are what the interpreter charges before executing the form
// (CYC[op], plus CYC[0x0F] for two-byte opcodes); handlers add the same extras it does.

import type { CPU } from "./cpu.ts";
import { CYC } from "./timing.ts";
import { H, M, O } from "./records.ts";

/** Specialised handler of ALU operation o for the RR (ri = false) or RI form, or the generic one. */
function aluHandler(o: number, ri: boolean): number {
  const base = ri ? H.AddRI : H.AddRR;
  switch (o) {
    case 0: return base;
    case 1: return base + 1;
    case 4: return base + 2;
    case 5: return base + 3;
    case 6: return base + 4;
    case 7: return base + 5;
    default: return ri ? H.AluRI : H.AluRR;
  }
}

const DS = 3;
const SS = 2;

/** Cursor state of the decode in progress (module scratch; decoding is not reentrant). */
let p = 0;
let ram: Uint8Array = new Uint8Array(0);
let eaFields = 0;
let eaDisp = 0;
/** The segment-override prefix of the instruction being decoded (a segment number), or -1. */
let segOvr = -1;
/** The segment each segment-override prefix byte names (ES CS SS DS FS GS), -1 for other bytes. */
const OVERRIDE = new Int8Array(256).fill(-1);
[0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65].forEach((b, seg) => { OVERRIDE[b] = seg; });

function b8(): number {
  return ram[p++] | 0;
}
function s8(): number {
  return ((ram[p++] | 0) << 24) >> 24;
}
function d32(): number {
  const v = (ram[p] | 0) | ((ram[p + 1] | 0) << 8) | ((ram[p + 2] | 0) << 16) | ((ram[p + 3] | 0) << 24);
  p += 4;
  return v;
}

/** Decodes the 32-bit memory operand of ModRM m (mod != 3) into eaFields / eaDisp. */
function modrm32(m: number): void {
  const mod = m >> 6;
  const rm = m & 7;
  let f = 0;
  let disp = 0;
  let seg = DS;
  if (rm === 4) {
    const sib = b8();
    const base = sib & 7;
    const idx = (sib >> 3) & 7;
    if (base === 5 && mod === 0) disp = d32();
    else {
      f |= O.HasB | (base << O.Base);
      if (base === 4 || base === 5) seg = SS;
    }
    if (idx !== 4) f |= O.HasX | (idx << O.Idx) | ((sib >> 6) << O.Scale);
  } else if (rm === 5 && mod === 0) {
    disp = d32();
  } else {
    f |= O.HasB | (rm << O.Base);
    if (rm === 5) seg = SS;
  }
  if (mod === 1) disp = (disp + s8()) | 0;
  else if (mod === 2) disp = (disp + d32()) | 0;
  eaFields = f | ((segOvr >= 0 ? segOvr : seg) << O.Seg);
  eaDisp = disp;
}

/**
 * Decodes the instruction at physical RAM address `ip` (inside the code window, which
 * ends at cpu.ipEnd) into record `k` of cpu.icache.rec and returns its word 0.
 */
export function decodeAt(c: CPU, ip: number, k: number): number {
  const rec = c.icache.rec;
  ram = c.ram;
  p = ip;
  let h = H.Legacy;
  let w1 = 0;
  let imm = 0;
  let disp = 0;
  let cyc = 0;
  if (c.code32) {
    let op = b8();
    segOvr = -1;
    while (OVERRIDE[op] >= 0) { // segment overrides (a prefix adds no cycles: exec.ts prefixes)
      segOvr = OVERRIDE[op];
      op = b8();
    }
    cyc = CYC[op];
    let m = 0;
    switch (op) {
      case 0x01: case 0x09: case 0x11: case 0x19: case 0x21: case 0x29: case 0x31: case 0x39:
      case 0x03: case 0x0b: case 0x13: case 0x1b: case 0x23: case 0x2b: case 0x33: case 0x3b: {
        m = b8();
        const g = (m >> 3) & 7;
        const o = (op >> 3) << O.Op;
        const toReg = (op & 2) !== 0;
        if (m >= 0xc0) {
          h = aluHandler(op >> 3, false);
          w1 = o | (toReg ? g | ((m & 7) << O.S) : (m & 7) | (g << O.S));
        } else {
          modrm32(m);
          h = op >> 3 !== 7 ? (toReg ? H.AluRM : H.AluMR) : toReg ? H.CmpRM : H.CmpMR;
          w1 = o | eaFields | (toReg ? g : g << O.S);
          disp = eaDisp;
        }
        break;
      }
      case 0x00: case 0x08: case 0x10: case 0x18: case 0x20: case 0x28: case 0x30: case 0x38:
      case 0x02: case 0x0a: case 0x12: case 0x1a: case 0x22: case 0x2a: case 0x32: case 0x3a: {
        m = b8();
        const g = (m >> 3) & 7;
        const o = (op >> 3) << O.Op;
        const toReg = (op & 2) !== 0;
        if (m >= 0xc0) {
          h = H.Alu8RR;
          w1 = o | (toReg ? g | ((m & 7) << O.S) : (m & 7) | (g << O.S));
        } else {
          modrm32(m);
          h = toReg ? H.Alu8RM : op >> 3 === 7 ? H.Cmp8MR : H.Alu8MR;
          w1 = o | eaFields | (toReg ? g : g << O.S);
          disp = eaDisp;
        }
        break;
      }
      case 0x04: case 0x0c: case 0x14: case 0x1c: case 0x24: case 0x2c: case 0x34: case 0x3c:
        h = H.Alu8RI;
        w1 = (op >> 3) << O.Op;
        imm = b8();
        break;
      case 0x05: case 0x0d: case 0x15: case 0x1d: case 0x25: case 0x2d: case 0x35: case 0x3d:
        h = aluHandler(op >> 3, true);
        w1 = (op >> 3) << O.Op;
        imm = d32();
        break;
      case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
        h = H.Inc;
        w1 = op & 7;
        break;
      case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f:
        h = H.Dec;
        w1 = op & 7;
        break;
      case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
        h = H.Push;
        w1 = op & 7;
        break;
      case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
        h = H.Pop;
        w1 = op & 7;
        break;
      case 0x68:
        h = H.PushI;
        imm = d32();
        break;
      case 0x6a:
        h = H.PushI;
        imm = s8();
        break;
      case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
      case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f:
        h = H.Jcc;
        w1 = (op & 15) << O.Op;
        imm = s8();
        break;
      case 0x80: {
        m = b8();
        if (m >= 0xc0) {
          h = H.Alu8RI;
          w1 = (m & 7) | (((m >> 3) & 7) << O.Op);
          imm = b8();
          break;
        }
        modrm32(m);
        h = ((m >> 3) & 7) === 7 ? H.Cmp8MI : H.Alu8MI;
        w1 = eaFields | (((m >> 3) & 7) << O.Op);
        disp = eaDisp;
        imm = b8();
        break;
      }
      case 0x81: case 0x83: {
        m = b8();
        const o = ((m >> 3) & 7) << O.Op;
        if (m >= 0xc0) {
          h = aluHandler((m >> 3) & 7, true);
          w1 = o | (m & 7);
        } else {
          modrm32(m);
          h = ((m >> 3) & 7) === 7 ? H.CmpMI : H.AluMI;
          w1 = o | eaFields;
          disp = eaDisp;
        }
        imm = op === 0x81 ? d32() : s8();
        break;
      }
      case 0x84: {
        m = b8();
        const g = (m >> 3) & 7;
        if (m >= 0xc0) {
          h = H.TestRR8;
          w1 = (m & 7) | (g << O.S);
        } else {
          modrm32(m);
          h = H.TestMR8;
          w1 = eaFields | (g << O.S);
          disp = eaDisp;
        }
        break;
      }
      case 0x85: {
        m = b8();
        const g = (m >> 3) & 7;
        if (m >= 0xc0) {
          h = H.TestRR;
          w1 = (m & 7) | (g << O.S);
        } else {
          modrm32(m);
          h = H.TestMR;
          w1 = eaFields | (g << O.S);
          disp = eaDisp;
        }
        break;
      }
      case 0x88: case 0x8a: {
        m = b8();
        const g = (m >> 3) & 7;
        if (m >= 0xc0) {
          h = H.MovRR8;
          w1 = op === 0x88 ? (m & 7) | (g << O.S) : g | ((m & 7) << O.S);
        } else {
          modrm32(m);
          h = op === 0x88 ? H.Store8 : H.Load8;
          w1 = eaFields | (op === 0x88 ? g << O.S : g);
          disp = eaDisp;
        }
        break;
      }
      case 0x89: case 0x8b: {
        m = b8();
        const g = (m >> 3) & 7;
        if (m >= 0xc0) {
          h = H.MovRR;
          w1 = op === 0x89 ? (m & 7) | (g << O.S) : g | ((m & 7) << O.S);
        } else {
          modrm32(m);
          h = op === 0x89 ? H.Store32 : H.Load32;
          w1 = eaFields | (op === 0x89 ? g << O.S : g);
          disp = eaDisp;
        }
        break;
      }
      case 0x8d: {
        m = b8();
        if (m >= 0xc0) break;
        modrm32(m);
        h = H.Lea;
        w1 = eaFields | ((m >> 3) & 7);
        disp = eaDisp;
        break;
      }
      case 0x90:
        h = H.Nop;
        break;
      case 0x66: { // operand size: the 16-bit MOVs, ALU r16 (and AX) with an immediate, XCHG AX, AX (a NOP)
        const op2 = b8();
        cyc = CYC[op2]; // a prefix adds no cycles (exec.ts prefixes)
        if (op2 === 0x90) h = H.Nop;
        else if (op2 === 0x81 || op2 === 0x83) {
          m = b8();
          if (m < 0xc0) break;
          h = H.Alu16RI;
          w1 = (m & 7) | (((m >> 3) & 7) << O.Op);
          imm = op2 === 0x81 ? b8() | (b8() << 8) : s8() & 0xffff; // (exec.ts grp1: fetchImm, sext8)
        }
        else if ((op2 & 0xc7) === 0x05) { // ADD ... CMP AX, imm16
          h = H.Alu16RI;
          w1 = ((op2 >> 3) & 7) << O.Op;
          imm = b8() | (b8() << 8);
        }
        else if (op2 === 0x89 || op2 === 0x8b) {
          m = b8();
          const g = (m >> 3) & 7;
          if (m >= 0xc0) {
            h = H.MovRR16;
            w1 = op2 === 0x89 ? (m & 7) | (g << O.S) : g | ((m & 7) << O.S);
          } else {
            modrm32(m);
            h = op2 === 0x89 ? H.Store16 : H.Load16;
            w1 = eaFields | (op2 === 0x89 ? g << O.S : g);
            disp = eaDisp;
          }
        }
        break;
      }
      case 0x99:
        h = H.Cdq;
        break;
      case 0xa1: case 0xa3: // MOV EAX, moffs32 and back
        h = op === 0xa1 ? H.Load32 : H.Store32;
        w1 = (segOvr >= 0 ? segOvr : DS) << O.Seg;
        disp = d32();
        break;
      case 0xa9:
        h = H.TestRI;
        imm = d32();
        break;
      case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        h = H.MovRI;
        w1 = op & 7;
        imm = d32();
        break;
      case 0xc1: case 0xd1: case 0xd3: {
        m = b8();
        if (m < 0xc0) break;
        h = H.ShiftR;
        w1 = (m & 7) | (((m >> 3) & 7) << O.Op) | (op === 0xd3 ? O.Flag : 0);
        imm = op === 0xc1 ? b8() : 1;
        break;
      }
      case 0xc2:
        h = H.Ret;
        imm = b8() | (b8() << 8);
        break;
      case 0xc3:
        h = H.Ret;
        break;
      case 0xc7: {
        m = b8();
        if (((m >> 3) & 7) !== 0) break;
        if (m >= 0xc0) {
          h = H.MovRI;
          w1 = m & 7;
        } else {
          modrm32(m);
          h = H.MovMI;
          w1 = eaFields;
          disp = eaDisp;
        }
        imm = d32();
        break;
      }
      case 0xc9:
        h = H.Leave;
        break;
      case 0xff: {
        m = b8();
        const g = (m >> 3) & 7;
        if (g === 0 || g === 1) {
          if (m >= 0xc0) {
            h = g === 0 ? H.Inc : H.Dec;
            w1 = m & 7;
          } else {
            modrm32(m);
            h = H.IncDecM;
            w1 = eaFields | (g << O.Op);
            disp = eaDisp;
          }
        } else if (g === 6 && m < 0xc0) {
          modrm32(m);
          h = H.PushM;
          w1 = eaFields;
          disp = eaDisp;
        } else if (g === 2 || g === 4) {
          if (m >= 0xc0) {
            h = g === 4 ? H.JmpR : H.CallR;
            w1 = m & 7;
          } else {
            modrm32(m);
            h = g === 4 ? H.JmpM : H.CallM;
            w1 = eaFields;
            disp = eaDisp;
          }
        }
        break;
      }
      case 0xe8:
        h = H.Call;
        imm = d32();
        break;
      case 0xe9:
        h = H.Jmp;
        imm = d32();
        break;
      case 0xeb:
        h = H.Jmp;
        imm = s8();
        break;
      case 0xa8:
        h = H.TestRI8; // (AL: $D 0)
        imm = b8();
        break;
      case 0xfc: case 0xfd:
        h = H.SetDF;
        w1 = (op & 1) << O.Op;
        break;
      case 0xf6: {
        m = b8();
        if (((m >> 3) & 7) > 1) break;
        if (m >= 0xc0) {
          h = H.TestRI8;
          w1 = m & 7;
        } else {
          modrm32(m);
          h = H.TestMI8;
          w1 = eaFields;
          disp = eaDisp;
        }
        imm = b8();
        break;
      }
      case 0xf7: { // group 3: TEST imm32 (/0 /1), NOT, NEG, MUL, IMUL, DIV, IDIV
        m = b8();
        const g = (m >> 3) & 7;
        if (m >= 0xc0) {
          h = g <= 1 ? H.TestRI : g === 2 ? H.NotR : g === 3 ? H.NegR : g <= 5 ? H.MulR : H.DivR;
          w1 = (m & 7) | (g >= 4 && (g & 1) !== 0 ? O.Flag : 0); // IMUL, IDIV: signed
        } else if (g <= 1) {
          modrm32(m);
          h = H.TestMI;
          w1 = eaFields;
          disp = eaDisp;
        } else break;
        if (g <= 1) imm = d32();
        break;
      }
      case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
        h = H.MovR8I;
        w1 = op & 7;
        imm = b8();
        break;
      case 0xc6: {
        m = b8();
        if (((m >> 3) & 7) !== 0) break;
        if (m >= 0xc0) {
          h = H.MovR8I;
          w1 = m & 7;
        } else {
          modrm32(m);
          h = H.MovM8I;
          w1 = eaFields;
          disp = eaDisp;
        }
        imm = b8();
        break;
      }
      case 0x0f: {
        const op2 = b8();
        cyc += CYC[0x100 + op2];
        if (op2 >= 0x80 && op2 <= 0x8f) {
          h = H.Jcc;
          w1 = (op2 & 15) << O.Op;
          imm = d32();
        } else if (op2 === 0xb6 || op2 === 0xb7 || op2 === 0xbe || op2 === 0xbf) {
          m = b8();
          const g = (m >> 3) & 7;
          const f = ((op2 & 1) !== 0 ? O.Word : 0) | (op2 >= 0xbe ? O.Flag : 0);
          if (m >= 0xc0) {
            h = H.MovxR;
            w1 = f | g | ((m & 7) << O.S);
          } else {
            modrm32(m);
            h = H.MovxM;
            w1 = f | g | eaFields;
            disp = eaDisp;
          }
        } else if (op2 >= 0x40 && op2 <= 0x4f) {
          m = b8();
          const g = (m >> 3) & 7;
          if (m >= 0xc0) {
            h = H.CmovRR;
            w1 = g | ((m & 7) << O.S) | ((op2 & 15) << O.Op);
          } else {
            modrm32(m);
            h = H.CmovRM;
            w1 = g | eaFields | ((op2 & 15) << O.Op);
            disp = eaDisp;
          }
        } else if (op2 >= 0x90 && op2 <= 0x9f) {
          m = b8();
          if (m >= 0xc0) {
            h = H.SetccR;
            w1 = (m & 7) | ((op2 & 15) << O.Op);
          }
        } else if (op2 === 0xa4 || op2 === 0xa5 || op2 === 0xac || op2 === 0xad) {
          m = b8();
          if (m >= 0xc0) {
            h = H.ShiftDR;
            w1 = (m & 7) | (((m >> 3) & 7) << O.S) | ((op2 < 0xa8 ? 1 : 0) << O.Op) | ((op2 & 1) !== 0 ? O.Flag : 0);
            if ((op2 & 1) === 0) imm = b8();
          }
        } else if (op2 === 0xaf) {
          m = b8();
          const g = (m >> 3) & 7;
          if (m >= 0xc0) {
            h = H.ImulR;
            w1 = g | ((m & 7) << O.S);
          } else {
            modrm32(m);
            h = H.ImulM;
            w1 = g | eaFields;
            disp = eaDisp;
          }
        }
        break;
      }
      default:
        break;
    }
  }
  let len = p - ip;
  if (h === H.Legacy || p > c.ipEnd || len > 15) {
    h = H.Legacy;
    len = 0;
    cyc = 0;
  }
  const w0 = h | (len << 8) | (c.code32 ? M.Mode32 : M.Mode16) | (cyc << 16);
  rec[k] = w0;
  rec[k + 1] = w1;
  rec[k + 2] = imm;
  rec[k + 3] = disp;
  return w0;
}

