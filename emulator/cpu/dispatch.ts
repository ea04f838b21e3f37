// The executor: runs a block of instructions from the decoded-instruction cache.
//
// Design (for whoever adds a basic-block compiler later):
//   - Code fetch is unchanged from the byte interpreter: CS:EIP goes through the code
//     window (access.ts setWindow: CS limit, TLB with the CPL's rights, #PF/#GP, page
//     walk cycles), so guest-visible effects and cycle counts do not depend on caching.
//   - The window's physical RAM page owns a table of decoded records (icache.ts); the
//     record of the byte at EIP is looked up by page offset, decoded on a miss
//     (decode.ts), and executed by a switch over small integer handler ids below.
//     Records stay valid across CR3/paging changes (they are physical) and are
//     dropped per page by writes (mem.codePages / onCodeWrite, TLB NC bit).
//   - Each handler replicates the byte interpreter (exec.ts) for its form exactly:
//     same reads/writes in the same order, same lazy flags, same cycle extras. Forms
//     without a handler are recorded as H.Legacy and run through exec.ts execOne.
//   - Per instruction the loop charges cycles and honours cpu.cycLimit and
//     cpu.blockEnd exactly as before, so interrupts and clock events land on the same
//     instruction boundaries. Inside one window EIP is kept in a local and stored when
//     the run leaves the window; handlers that can fault store the restart point
//     (instrEip/instrEsp) first, the others need none. Hot memory and stack paths
//     (segR/segW + TLB hit) are inlined by hand: V8's inlining budget for this one big
//     function runs out long before them.
//   - Only 32-bit code in whole-page windows is cached; 16-bit code, ROM/MMIO code and
//     windows cut short by the CS limit run through execOne.
//   A block compiler would key compiled code by physical address like the records,
//   drop it from invalidateCodePage, end blocks where this loop leaves a window, and
//   fall back to this loop when a block needs an instruction without a handler.

import type { CPU } from "./cpu.ts";
import { setWindow, segR, segW, rd8, rd16, rd32, wr8, wr32, rdW8, rdW32, push32, peek32, addSp } from "./access.ts";
import { alu, sub32, logicFlags, shift, imulTrunc } from "./alu.ts";
import { cond, getCF } from "./flags.ts";
import { R8, jumpNear } from "./operands.ts";
import { execOne } from "./exec.ts";
import { decodeAt } from "./decode.ts";
import { MEM_READ, MEM_RMW, BRANCH_TAKEN } from "./timing.ts";

/**
 * Handler ids of decoded records. They (and M, O) live here, not in decode.ts, so the
 * switch below sees literal case labels however the files are compiled (imported
 * enums become property loads when each file is transformed alone, as under vitest).
 */
export const enum H {
  Legacy = 1, MovRR, Load32, Store32, AluRR, AluMR, AluRM, AluRI, AluMI, TestRR, TestMR, TestRI, Inc, Dec,
  Push, Pop, PushI, MovRI, Lea, Jcc, Jmp, Call, Ret, MovxR, MovxM, ShiftR, Store8, Load8, MovRR8, MovMI, Nop,
  Cdq, Alu8AI, Alu8MI, Leave, ImulR, ImulM,
  // ALU forms specialised by operation (op of AluRR / AluRI: 0 ADD, 1 OR, 4 AND, 5 SUB, 6 XOR, 7 CMP)
  AddRR, OrRR, AndRR, SubRR, XorRR, CmpRR, AddRI, OrRI, AndRI, SubRI, XorRI, CmpRI,
}

/** Mode bits of w0: the code size the record was decoded for (a decoded record is never 0). */
export const enum M {
  Mode32 = 0x1000, Mode16 = 0x2000, Bits = 0x3000,
}

/** Operand fields of w1 (shifts and flag bits). Register fields take 3 bits, O.Op 4. */
export const enum O {
  D = 0, // destination register (or the only register)
  S = 3, // source register
  Op = 6, // ALU/shift operation or condition code
  Seg = 10, // segment of the memory operand
  Base = 13, // base register
  Idx = 16, // index register
  Scale = 19, // 2 bits
  HasB = 1 << 21,
  HasX = 1 << 22,
  Word = 1 << 23, // MOVZX/MOVSX: 16-bit source
  Flag = 1 << 24, // MOVSX: signed; shifts: count in CL
}

// segR / segW fast-path tests (present, data or conforming-less code, writable): see access.ts
const enum Seg {
  RdMask = 0x9c, RdOk = 0x90, WrMask = 0x9e, WrOk = 0x92,
}

/** Effective address of a decoded 32-bit memory operand. */
function eaOf(r: Int32Array, w1: number, disp: number): number {
  let a = disp;
  if ((w1 & O.HasB) !== 0) a = (a + r[(w1 >> O.Base) & 7]) | 0;
  if ((w1 & O.HasX) !== 0) a = (a + (r[(w1 >> O.Idx) & 7] << ((w1 >> O.Scale) & 3))) | 0;
  return a;
}

/**
 * Executes instructions from CS:EIP until cpu.cyc reaches cpu.cycLimit or one sets
 * cpu.blockEnd; adds the number retired to cpu.retired (also when an instruction
 * faults: CPU_FAULT propagates and the run loop restores EIP/ESP from instrEip/instrEsp).
 */
export function runInstructions(c: CPU): void {
  // cycLimit only changes inside instructions that also end the block (port I/O, RDTSC)
  const limit = c.cycLimit;
  const rec = c.icache.rec;
  const r = c.regs;
  let n = 0;
  try {
    outer: while (c.cyc < limit) {
      let eip = c.eip;
      let off = (eip - c.winEip) | 0; // in [0, winLen) once the window holds EIP
      if (off >>> 0 >= c.winLen) {
        c.instrEip = eip; // the fetch may fault (#PF, #GP on the CS limit)
        c.instrEsp = r[4];
        setWindow(c, eip);
        off = (eip - c.winEip) | 0;
      }
      const t = c.winTbl;
      if (t < 0) {
        c.instrEip = eip;
        c.instrEsp = r[4];
        execOne(c);
        n++;
        if (c.blockEnd) break;
        continue;
      }
      // Sequential instructions of this window: EIP lives in `eip` and is stored to
      // cpu.eip when the run leaves the window (faults restore it from instrEip).
      for (;;) {
        const k = ((t << 12) | off) << 2; // IC_STRIDE = 4
        let w0 = rec[k];
        if (w0 === 0) w0 = decodeAt(c, (c.winPhys + off) | 0, k);
        const h = w0 & 0xff;
        if (h === H.Legacy) { // (a record always fits its window: cached windows are whole pages)
          c.eip = eip;
          c.instrEip = eip;
          c.instrEsp = r[4];
          execOne(c);
          n++;
          if (c.blockEnd) break outer;
          continue outer;
        }
        // fast handlers save the restart point (instrEip/instrEsp) only when they can fault;
        // those that transfer control set cpu.eip and continue the outer loop
        c.cyc += (w0 >> 16) & 0xff;
        const len = (w0 >> 8) & 15;
        const next = (eip + len) | 0;
        const w1 = rec[k + 1];
        switch (h) {
          case H.MovRR:
            r[w1 & 7] = r[(w1 >> O.S) & 7];
            break;
          case H.Load32: { // segR + rd32 with their fast paths inlined
            c.instrEip = eip;
            c.instrEsp = r[4];
            const seg = (w1 >> O.Seg) & 7;
            let ea = rec[k + 3];
            if ((w1 & O.HasB) !== 0) ea = (ea + r[(w1 >> O.Base) & 7]) | 0;
            if ((w1 & O.HasX) !== 0) ea = (ea + (r[(w1 >> O.Idx) & 7] << ((w1 >> O.Scale) & 3))) | 0;
            const lin = (c.segAttr[seg] & Seg.RdMask) === Seg.RdOk && (ea >>> 0) + 3 <= c.segLimit[seg] >>> 0
              ? (c.segBase[seg] + ea) | 0 : segR(c, seg, ea, 3);
            const e = c.tlb[lin >>> 12];
            const m = c.rmask;
            r[w1 & 7] = (lin & 3) === 0 && (e & m) === m ? c.ram32[((e & ~0xfff) | (lin & 0xfff)) >> 2] : rd32(c, lin);
            break;
          }
          case H.Store32: { // segW + wr32 with their fast paths inlined
            c.instrEip = eip;
            c.instrEsp = r[4];
            const seg = (w1 >> O.Seg) & 7;
            let ea = rec[k + 3];
            if ((w1 & O.HasB) !== 0) ea = (ea + r[(w1 >> O.Base) & 7]) | 0;
            if ((w1 & O.HasX) !== 0) ea = (ea + (r[(w1 >> O.Idx) & 7] << ((w1 >> O.Scale) & 3))) | 0;
            const lin = (c.segAttr[seg] & Seg.WrMask) === Seg.WrOk && (ea >>> 0) + 3 <= c.segLimit[seg] >>> 0
              ? (c.segBase[seg] + ea) | 0 : segW(c, seg, ea, 3);
            const v = r[(w1 >> O.S) & 7];
            const e = c.tlb[lin >>> 12];
            const m = c.wmask;
            if ((lin & 3) === 0 && (e & m) === m) c.ram32[((e & ~0xfff) | (lin & 0xfff)) >> 2] = v;
            else wr32(c, lin, v);
            break;
          }
          case H.AluRR: {
            const o = (w1 >> O.Op) & 15;
            const d = w1 & 7;
            if (o === 7) sub32(c, r[d], r[(w1 >> O.S) & 7]);
            else r[d] = alu(c, o, r[d], r[(w1 >> O.S) & 7], 2);
            break;
          }
          case H.AluMR: {
            c.instrEip = eip;
            c.instrEsp = r[4];
            const o = (w1 >> O.Op) & 15;
            const seg = (w1 >> O.Seg) & 7;
            const ea = eaOf(r, w1, rec[k + 3]);
            if (o === 7) {
              sub32(c, rd32(c, segR(c, seg, ea, 3)), r[(w1 >> O.S) & 7]);
              c.cyc += MEM_READ;
            } else {
              const lin = segW(c, seg, ea, 3);
              wr32(c, lin, alu(c, o, rdW32(c, lin), r[(w1 >> O.S) & 7], 2));
              c.cyc += MEM_RMW;
            }
            break;
          }
          case H.AluRM: {
            c.instrEip = eip;
            c.instrEsp = r[4];
            const o = (w1 >> O.Op) & 15;
            const d = w1 & 7;
            const b = rd32(c, segR(c, (w1 >> O.Seg) & 7, eaOf(r, w1, rec[k + 3]), 3));
            c.cyc += MEM_READ;
            if (o === 7) sub32(c, r[d], b);
            else r[d] = alu(c, o, r[d], b, 2);
            break;
          }
          case H.AluRI: {
            const o = (w1 >> O.Op) & 15;
            const d = w1 & 7;
            if (o === 7) sub32(c, r[d], rec[k + 2]);
            else r[d] = alu(c, o, r[d], rec[k + 2], 2);
            break;
          }
          case H.AluMI: {
            c.instrEip = eip;
            c.instrEsp = r[4];
            const o = (w1 >> O.Op) & 15;
            const seg = (w1 >> O.Seg) & 7;
            const ea = eaOf(r, w1, rec[k + 3]);
            if (o === 7) {
              alu(c, 7, rd32(c, segR(c, seg, ea, 3)), rec[k + 2], 2);
              c.cyc += MEM_READ;
            } else {
              const lin = segW(c, seg, ea, 3);
              wr32(c, lin, alu(c, o, rdW32(c, lin), rec[k + 2], 2));
              c.cyc += MEM_RMW;
            }
            break;
          }
          case H.Alu8AI: {
            const o = (w1 >> O.Op) & 15;
            const v = alu(c, o, c.reg8[0], rec[k + 2], 0);
            if (o !== 7) c.reg8[0] = v;
            break;
          }
          case H.Alu8MI: {
            c.instrEip = eip;
            c.instrEsp = r[4];
            const o = (w1 >> O.Op) & 15;
            const seg = (w1 >> O.Seg) & 7;
            const ea = eaOf(r, w1, rec[k + 3]);
            if (o === 7) {
              alu(c, 7, rd8(c, segR(c, seg, ea, 0)), rec[k + 2], 0);
              c.cyc += MEM_READ;
            } else {
              const lin = segW(c, seg, ea, 0);
              wr8(c, lin, alu(c, o, rdW8(c, lin), rec[k + 2], 0));
              c.cyc += MEM_RMW;
            }
            break;
          }
          case H.TestRR: case H.TestRI: { // logicFlags inlined
            const v = r[w1 & 7] & (h === H.TestRR ? r[(w1 >> O.S) & 7] : rec[k + 2]);
            c.lfOp = 5; // Lf.Logic
            c.lfRes = v;
            c.lfA = 0;
            c.lfB = 0;
            c.lfSign = -2147483648;
            break;
          }
          case H.TestMR:
            c.instrEip = eip;
            c.instrEsp = r[4];
            logicFlags(c, rd32(c, segR(c, (w1 >> O.Seg) & 7, eaOf(r, w1, rec[k + 3]), 3)) & r[(w1 >> O.S) & 7], 2);
            break;
          case H.Inc: case H.Dec: { // alu.ts inc/dec inlined; CF after a logic op is 0
            const d = w1 & 7;
            const a = r[d];
            c.lfCin = c.lfOp === 5 /* Lf.Logic */ ? 0 : getCF(c);
            const v = h === H.Inc ? (a + 1) | 0 : (a - 1) | 0;
            r[d] = v;
            c.lfOp = h === H.Inc ? 6 /* Lf.Inc */ : 7 /* Lf.Dec */;
            c.lfRes = v;
            c.lfA = a;
            c.lfB = 1;
            c.lfSign = -2147483648;
            break;
          }
          case H.Push: case H.PushI: case H.Call: {
            c.instrEip = eip;
            c.instrEsp = r[4];
            let v: number;
            if (h === H.Call) {
              const target = (next + rec[k + 2]) | 0;
              if (target >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
              c.eip = target;
              v = next;
            } else v = h === H.Push ? r[w1 & 7] : rec[k + 2];
            if (!c.stack32) push32(c, v);
            else { // push32 with the segW / wr32 fast paths inlined
              const sp = (r[4] - 4) | 0;
              const lin = (c.segAttr[2] & Seg.WrMask) === Seg.WrOk && (sp >>> 0) + 3 <= c.segLimit[2] >>> 0
                ? (c.segBase[2] + sp) | 0 : segW(c, 2, sp, 3);
              const e = c.tlb[lin >>> 12];
              const m = c.wmask;
              if ((lin & 3) === 0 && (e & m) === m) c.ram32[((e & ~0xfff) | (lin & 0xfff)) >> 2] = v;
              else wr32(c, lin, v);
              r[4] = sp;
            }
            if (h === H.Call) {
              n++;
              continue outer;
            }
            break;
          }
          case H.Pop: case H.Ret: {
            c.instrEip = eip;
            c.instrEsp = r[4];
            let v: number;
            if (c.stack32) { // peek32 with the segR / rd32 fast paths inlined
              const sp = r[4];
              const lin = (c.segAttr[2] & Seg.RdMask) === Seg.RdOk && (sp >>> 0) + 3 <= c.segLimit[2] >>> 0
                ? (c.segBase[2] + sp) | 0 : segR(c, 2, sp, 3);
              const e = c.tlb[lin >>> 12];
              const m = c.rmask;
              v = (lin & 3) === 0 && (e & m) === m ? c.ram32[((e & ~0xfff) | (lin & 0xfff)) >> 2] : rd32(c, lin);
            } else v = peek32(c, 0);
            if (h === H.Pop) {
              addSp(c, 4);
              r[w1 & 7] = v;
            } else {
              jumpNear(c, v);
              addSp(c, 4 + rec[k + 2]);
              n++;
              continue outer;
            }
            break;
          }
          case H.MovRI:
            r[w1 & 7] = rec[k + 2];
            break;
          case H.Lea: {
            let ea = rec[k + 3];
            if ((w1 & O.HasB) !== 0) ea = (ea + r[(w1 >> O.Base) & 7]) | 0;
            if ((w1 & O.HasX) !== 0) ea = (ea + (r[(w1 >> O.Idx) & 7] << ((w1 >> O.Scale) & 3))) | 0;
            r[w1 & 7] = ea;
            break;
          }
          case H.Jcc:
            if (cond(c, (w1 >> O.Op) & 15) !== 0) {
              c.instrEip = eip;
              c.instrEsp = r[4];
              c.cyc += BRANCH_TAKEN;
              jumpNear(c, next + rec[k + 2]);
              n++;
              continue outer;
            }
            break;
          case H.Jmp:
            c.instrEip = eip;
            c.instrEsp = r[4];
            jumpNear(c, next + rec[k + 2]);
            n++;
            continue outer;
          case H.MovxR: {
            const s = (w1 >> O.S) & 7;
            let v: number;
            if ((w1 & O.Word) !== 0) {
              v = c.reg16[s << 1];
              if ((w1 & O.Flag) !== 0) v = (v << 16) >> 16;
            } else {
              v = c.reg8[R8[s]];
              if ((w1 & O.Flag) !== 0) v = (v << 24) >> 24;
            }
            r[w1 & 7] = v;
            break;
          }
          case H.MovxM: {
            c.instrEip = eip;
            c.instrEsp = r[4];
            const seg = (w1 >> O.Seg) & 7;
            const ea = eaOf(r, w1, rec[k + 3]);
            let v: number;
            if ((w1 & O.Word) !== 0) {
              v = rd16(c, segR(c, seg, ea, 1));
              if ((w1 & O.Flag) !== 0) v = (v << 16) >> 16;
            } else {
              v = rd8(c, segR(c, seg, ea, 0));
              if ((w1 & O.Flag) !== 0) v = (v << 24) >> 24;
            }
            r[w1 & 7] = v;
            break;
          }
          case H.ShiftR: {
            const o = (w1 >> O.Op) & 7;
            const cnt = ((w1 & O.Flag) !== 0 ? c.reg8[4] : rec[k + 2]) & 31;
            if (o === 2 || o === 3) c.cyc += cnt;
            r[w1 & 7] = shift(c, o, r[w1 & 7], cnt, 2);
            break;
          }
          case H.Store8:
            c.instrEip = eip;
            c.instrEsp = r[4];
            wr8(c, segW(c, (w1 >> O.Seg) & 7, eaOf(r, w1, rec[k + 3]), 0), c.reg8[R8[(w1 >> O.S) & 7]]);
            break;
          case H.Load8:
            c.instrEip = eip;
            c.instrEsp = r[4];
            c.reg8[R8[w1 & 7]] = rd8(c, segR(c, (w1 >> O.Seg) & 7, eaOf(r, w1, rec[k + 3]), 0));
            break;
          case H.MovRR8:
            c.reg8[R8[w1 & 7]] = c.reg8[R8[(w1 >> O.S) & 7]];
            break;
          case H.MovMI:
            c.instrEip = eip;
            c.instrEsp = r[4];
            wr32(c, segW(c, (w1 >> O.Seg) & 7, eaOf(r, w1, rec[k + 3]), 3), rec[k + 2]);
            break;
          case H.Nop:
            break;
          case H.Cdq:
            r[2] = r[0] >> 31;
            break;
          case H.Leave: {
            c.instrEip = eip;
            c.instrEsp = r[4];
            const s32 = c.stack32;
            const bp = s32 ? r[5] : c.reg16[10];
            const v = rd32(c, segR(c, 2, bp, 3));
            if (s32) r[4] = (bp + 4) | 0;
            else c.reg16[8] = bp + 4;
            r[5] = v;
            break;
          }
          case H.ImulR: {
            const d = w1 & 7;
            r[d] = imulTrunc(c, r[d], r[(w1 >> O.S) & 7], 2);
            break;
          }
          case H.ImulM: {
            c.instrEip = eip;
            c.instrEsp = r[4];
            const d = w1 & 7;
            const b = rd32(c, segR(c, (w1 >> O.Seg) & 7, eaOf(r, w1, rec[k + 3]), 3));
            r[d] = imulTrunc(c, r[d], b, 2);
            break;
          }
          case H.AddRR: case H.AddRI: {
            const d = w1 & 7;
            const a = r[d];
            const b = h === H.AddRR ? r[(w1 >> O.S) & 7] : rec[k + 2];
            const v = (a + b) | 0;
            r[d] = v;
            c.lfOp = 1; // Lf.Add
            c.lfRes = v;
            c.lfA = a;
            c.lfB = b;
            c.lfSign = -2147483648;
            break;
          }
          case H.SubRR: case H.SubRI: case H.CmpRR: case H.CmpRI: {
            const d = w1 & 7;
            const a = r[d];
            const b = h === H.SubRR || h === H.CmpRR ? r[(w1 >> O.S) & 7] : rec[k + 2];
            const v = (a - b) | 0;
            if (h === H.SubRR || h === H.SubRI) r[d] = v;
            c.lfOp = 3; // Lf.Sub
            c.lfRes = v;
            c.lfA = a;
            c.lfB = b;
            c.lfSign = -2147483648;
            break;
          }
          case H.AndRR: case H.AndRI: case H.OrRR: case H.OrRI: case H.XorRR: case H.XorRI: {
            const d = w1 & 7;
            const a = r[d];
            const b = h === H.AndRR || h === H.OrRR || h === H.XorRR ? r[(w1 >> O.S) & 7] : rec[k + 2];
            const v = h === H.AndRR || h === H.AndRI ? a & b : h === H.OrRR || h === H.OrRI ? a | b : a ^ b;
            r[d] = v;
            c.lfOp = 5; // Lf.Logic
            c.lfRes = v;
            c.lfA = a;
            c.lfB = b;
            c.lfSign = -2147483648;
            break;
          }
          default:
            throw new Error(`dispatch: handler ${h} missing`);
        }
        n++; // no fast handler sets blockEnd
        eip = next;
        off += len;
        if (off >= 4096 || c.winLen === 0 || c.cyc >= limit) {
          c.eip = eip;
          continue outer;
        }
      }
    }
  } finally {
    c.retired += n;
  }
}
