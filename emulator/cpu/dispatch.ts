// The executor: runs instructions from the decoded-instruction cache, and the compiled
// blocks made from it.
//
//   - Code fetch is unchanged from the byte interpreter: CS:EIP goes through the code
//     window (access.ts setWindow: CS limit, TLB with the CPL's rights, #PF/#GP, page
//     walk cycles), so guest-visible effects and cycle counts do not depend on caching.
//   - The window's physical RAM page owns a table of decoded records (icache.ts); the
//     record of the byte at EIP is looked up by page offset, decoded on a miss
//     (decode.ts), and executed by the switch below, generated from the fast forms'
//     templates (forms.ts) by tools/gen-dispatch.ts. Records stay valid across CR3 and
//     paging changes (they are physical) and are dropped per page by writes
//     (mem.codePages / onCodeWrite, TLB NC bit). Forms without a template are recorded
//     as H.Legacy and run through exec.ts execOne.
//   - Each template replicates the byte interpreter (exec.ts) for its form exactly:
//     same reads/writes in the same order, same lazy flags, same cycle extras. An access
//     that misses its inline fast path (TLB, alignment, segment) before the instruction
//     did anything hands the whole instruction to execOne, from one place in the loop.
//     Forms few programs use much run in runRare, behind one call, so that V8 does not
//     optimize this loop again when a program first uses one of them.
//   - Per instruction the loop charges cycles and honours cpu.cycLimit and
//     cpu.blockEnd, so interrupts and clock events land on the same instruction
//     boundaries in every mode. Inside one window EIP is kept in a local and stored when
//     the run leaves the window; forms that can fault store the restart point
//     (instrEip/instrEsp) first, the others need none.
//   - Where the loop starts at an instruction (after a transfer, a window change or an
//     uncached instruction) it counts entries (icache.ts RegionTable.hits); a hot entry
//     is compiled (jit.ts) and from then on runs as one JavaScript function, which
//     leaves at the same points.
//   - Only 32-bit code in whole-page windows is cached; 16-bit code, ROM/MMIO code and
//     windows cut short by the CS limit run through execOne.

import type { CPU } from "./cpu.ts";
import { setWindow, segR, rd32, readM8, readM32, writeM32, push32, peek32, addSp } from "./access.ts";
import { alu, sub32, shift, shiftDouble, imulTrunc, multiply, divide } from "./alu.ts";
import { cond, getCF } from "./flags.ts";
import { R8, jumpNear } from "./operands.ts";
import { execOne } from "./exec.ts";
import { decodeAt } from "./decode.ts";
import { MEM_READ, MEM_RMW, BRANCH_TAKEN } from "./timing.ts";
import { runRegion } from "./jit.ts";

/**
 * Executes instructions from CS:EIP until cpu.cyc reaches cpu.cycLimit or one sets
 * cpu.blockEnd; adds the number retired to cpu.retired (also when an instruction
 * faults: CPU_FAULT propagates and the run loop restores EIP/ESP from instrEip/instrEsp).
 */
export function runInstructions(c: CPU): void {
  // cycLimit only changes inside instructions that also end the block (port I/O, RDTSC)
  const limit = c.cycLimit;
  const ic = c.icache;
  const rec = ic.rec;
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
      if (c.useJit) {
        // the block compiler's step at an entry: counted here; at the threshold (where a
        // region is held, too) and at a page's first entry, jit.ts runRegion takes it
        // (every entry runs the same operations, so V8 has seen them all before it
        // optimizes this loop)
        const rt = ic.regions[t];
        const hits = rt === null ? -1 : rt.hits[off];
        if (hits !== c.jitThreshold && hits >= 0) {
          if (hits < c.jitThreshold) rt!.hits[off] = hits + 1;
        } else if (runRegion(c, t, off) === 0) continue;
      }
      // Sequential instructions of this window: EIP lives in `eip` and is stored to
      // cpu.eip when the run leaves the window (faults restore it from instrEip).
      for (;;) {
        const k = ((t << 12) | off) << 2; // IC_STRIDE = 4
        let w0 = rec[k];
        if (w0 === 0) w0 = decodeAt(c, (c.winPhys + off) | 0, k);
        const h = w0 & 0xff;
        miss: if (h !== 1 /* H.Legacy */) {
          // fast handlers save the restart point (instrEip/instrEsp) only when they can fault;
          // those that transfer control set cpu.eip and continue the outer loop
          c.cyc += (w0 >> 16) & 0xff;
          const len = (w0 >> 8) & 15;
          const next = (eip + len) | 0;
          const w1 = rec[k + 1];
          switch (h) {
            // BEGIN GENERATED CASES (tools/gen-dispatch.ts from forms.ts; do not edit)
            case 2: { // MovRR
              r[(w1 & 7)] = r[((w1 >> 3) & 7)];
              break;
            }
            case 3: { // Load32
              c.instrEip = eip; c.instrEsp = r[4]; { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              r[(w1 & 7)] = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
              } else { break miss; }
              }
              break;
            }
            case 4: { // Store32
              c.instrEip = eip; c.instrEsp = r[4]; { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const v_ = r[((w1 >> 3) & 7)];
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.wmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2] = v_;
              } else { break miss; }
              }
              break;
            }
            case 10: { // TestRR
              { const v = r[(w1 & 7)] & r[((w1 >> 3) & 7)]; c.lfOp = 5; c.lfRes = v; c.lfA = 0; c.lfB = 0; c.lfSign = -2147483648; }
              break;
            }
            case 12: { // TestRI
              { const v = r[(w1 & 7)] & rec[k + 2]; c.lfOp = 5; c.lfRes = v; c.lfA = 0; c.lfB = 0; c.lfSign = -2147483648; }
              break;
            }
            case 13: { // Inc
              {
              const a = r[(w1 & 7)];
              c.lfCin = c.lfOp === 5 ? 0 : getCF(c);
              const v = (a + 1) | 0;
              r[(w1 & 7)] = v;
              c.lfOp = 6; c.lfRes = v; c.lfA = a; c.lfB = 1; c.lfSign = -2147483648;
              }
              break;
            }
            case 14: { // Dec
              {
              const a = r[(w1 & 7)];
              c.lfCin = c.lfOp === 5 ? 0 : getCF(c);
              const v = (a - 1) | 0;
              r[(w1 & 7)] = v;
              c.lfOp = 7; c.lfRes = v; c.lfA = a; c.lfB = 1; c.lfSign = -2147483648;
              }
              break;
            }
            case 15: { // Push
              c.instrEip = eip; c.instrEsp = r[4]; {
              const pv_ = r[(w1 & 7)];
              if (!c.stack32) push32(c, pv_);
              else {
              const sp_ = (r[4] - 4) | 0;
              { /*access*/
              const ea_ = sp_;
              const lin_ = (c.segBase[2] + ea_) | 0;
              const v_ = pv_;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.wmask;
              if ((c.segAttr[2] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[2] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2] = v_;
              } else { /*miss*/ writeM32(c, 2, ea_, v_); }
              }
              r[4] = sp_;
              }
              }
              break;
            }
            case 16: { // Pop
              c.instrEip = eip; c.instrEsp = r[4];
              {
              let v = 0;
              if (c.stack32) { /*access*/
              const ea_ = r[4];
              const lin_ = (c.segBase[2] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[2] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[2] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              v = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
              } else { break miss; }
              }
              else v = peek32(c, 0);
              if (c.stack32) r[4] = (r[4] + 4) | 0; else addSp(c, 4);
              r[(w1 & 7)] = v;
              }
              break;
            }
            case 17: { // PushI
              c.instrEip = eip; c.instrEsp = r[4]; {
              const pv_ = rec[k + 2];
              if (!c.stack32) push32(c, pv_);
              else {
              const sp_ = (r[4] - 4) | 0;
              { /*access*/
              const ea_ = sp_;
              const lin_ = (c.segBase[2] + ea_) | 0;
              const v_ = pv_;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.wmask;
              if ((c.segAttr[2] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[2] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2] = v_;
              } else { /*miss*/ writeM32(c, 2, ea_, v_); }
              }
              r[4] = sp_;
              }
              }
              break;
            }
            case 18: { // MovRI
              r[(w1 & 7)] = rec[k + 2];
              break;
            }
            case 19: { // Lea
              r[(w1 & 7)] = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              break;
            }
            case 20: { // Jcc
              if (cond(c, ((w1 >> 6) & 15)) !== 0) {
              c.instrEip = eip; c.instrEsp = r[4];
              c.cyc += BRANCH_TAKEN;
              {
              const j_ = (next + rec[k + 2]) | 0;
              if (!c.os32) jumpNear(c, j_);
              else {
              if (j_ >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
              c.eip = j_;
              }
              }
              n++; continue outer;
              }
              break;
            }
            case 21: { // Jmp
              c.instrEip = eip; c.instrEsp = r[4];
              {
              const j_ = (next + rec[k + 2]) | 0;
              if (!c.os32) jumpNear(c, j_);
              else {
              if (j_ >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
              c.eip = j_;
              }
              }
              n++; continue outer;
              break;
            }
            case 22: { // Call
              c.instrEip = eip; c.instrEsp = r[4];
              {
              const target = (next + rec[k + 2]) | 0;
              if (target >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
              c.eip = target;
              {
              const pv_ = next;
              if (!c.stack32) push32(c, pv_);
              else {
              const sp_ = (r[4] - 4) | 0;
              { /*access*/
              const ea_ = sp_;
              const lin_ = (c.segBase[2] + ea_) | 0;
              const v_ = pv_;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.wmask;
              if ((c.segAttr[2] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[2] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2] = v_;
              } else { /*miss*/ writeM32(c, 2, ea_, v_); }
              }
              r[4] = sp_;
              }
              }
              }
              n++; continue outer;
              break;
            }
            case 23: { // Ret
              c.instrEip = eip; c.instrEsp = r[4];
              {
              let v = 0;
              if (c.stack32) { /*access*/
              const ea_ = r[4];
              const lin_ = (c.segBase[2] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[2] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[2] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              v = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
              } else { break miss; }
              }
              else v = peek32(c, 0);
              {
              const j_ = v;
              if (!c.os32) jumpNear(c, j_);
              else {
              if (j_ >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
              c.eip = j_;
              }
              }
              if (c.stack32) r[4] = (r[4] + 4 + rec[k + 2]) | 0; else addSp(c, 4 + rec[k + 2]);
              }
              n++; continue outer;
              break;
            }
            case 24: { // MovxR
              if (((w1 & 0x800000) !== 0)) r[(w1 & 7)] = ((w1 & 0x1000000) !== 0) ? (c.reg16[((w1 >> 3) & 7) << 1] << 16) >> 16 : c.reg16[((w1 >> 3) & 7) << 1];
              else r[(w1 & 7)] = ((w1 & 0x1000000) !== 0) ? (c.reg8[R8[((w1 >> 3) & 7)]] << 24) >> 24 : c.reg8[R8[((w1 >> 3) & 7)]];
              break;
            }
            case 25: { // MovxM
              c.instrEip = eip; c.instrEsp = r[4];
              {
              let v = 0;
              if (((w1 & 0x800000) !== 0)) {
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 1 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_ && (lin_ & 0xfff) !== 0xfff) {
              const p_ = (e_ & ~0xfff) | (lin_ & 0xfff);
              v = c.ram[p_] | (c.ram[p_ + 1] << 8);
              } else { break miss; }
              }
              r[(w1 & 7)] = ((w1 & 0x1000000) !== 0) ? (v << 16) >> 16 : v;
              } else {
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && ea_ >>> 0 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_) {
              v = c.ram[(e_ & ~0xfff) | (lin_ & 0xfff)];
              } else { /*miss*/ v = readM8(c, ((w1 >> 10) & 7), ea_); }
              }
              r[(w1 & 7)] = ((w1 & 0x1000000) !== 0) ? (v << 24) >> 24 : v;
              }
              }
              break;
            }
            case 26: { // ShiftR
              {
              const cnt = (((w1 & 0x1000000) !== 0) ? c.reg8[4] : rec[k + 2]) & 31;
              if ((((w1 >> 6) & 15) & 7) === 2 || (((w1 >> 6) & 15) & 7) === 3) c.cyc += cnt;
              r[(w1 & 7)] = shift(c, ((w1 >> 6) & 15) & 7, r[(w1 & 7)], cnt, 2);
              }
              break;
            }
            case 27: { // Store8
              c.instrEip = eip; c.instrEsp = r[4]; { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const v_ = c.reg8[R8[((w1 >> 3) & 7)]];
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.wmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9e) === 0x92 && ea_ >>> 0 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_) {
              c.ram[(e_ & ~0xfff) | (lin_ & 0xfff)] = v_;
              } else { break miss; }
              }
              break;
            }
            case 28: { // Load8
              c.instrEip = eip; c.instrEsp = r[4];
              {
              let v = 0;
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && ea_ >>> 0 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_) {
              v = c.ram[(e_ & ~0xfff) | (lin_ & 0xfff)];
              } else { break miss; }
              }
              c.reg8[R8[(w1 & 7)]] = v;
              }
              break;
            }
            case 29: { // MovRR8
              c.reg8[R8[(w1 & 7)]] = c.reg8[R8[((w1 >> 3) & 7)]];
              break;
            }
            case 30: { // MovMI
              c.instrEip = eip; c.instrEsp = r[4]; { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const v_ = rec[k + 2];
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.wmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2] = v_;
              } else { break miss; }
              }
              break;
            }
            case 31: { // Nop
              break;
            }
            case 32: { // Cdq
              r[2] = r[0] >> 31;
              break;
            }
            case 35: { // Leave
              c.instrEip = eip; c.instrEsp = r[4];
              {
              const s32 = c.stack32;
              const bp = s32 ? r[5] : c.reg16[10];
              const v = rd32(c, segR(c, 2, bp, 3));
              if (s32) r[4] = (bp + 4) | 0;
              else c.reg16[8] = bp + 4;
              r[5] = v;
              }
              break;
            }
            case 36: { // ImulR
              r[(w1 & 7)] = imulTrunc(c, r[(w1 & 7)], r[((w1 >> 3) & 7)], 2);
              break;
            }
            case 37: { // ImulM
              c.instrEip = eip; c.instrEsp = r[4]; r[(w1 & 7)] = imulTrunc(c, r[(w1 & 7)], rd32(c, segR(c, ((w1 >> 10) & 7), ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0), 3)), 2);
              break;
            }
            case 38: { // AddRR
              {
              const a = r[(w1 & 7)];
              const b = r[((w1 >> 3) & 7)];
              const v = (a + b) | 0;
              r[(w1 & 7)] = v;
              c.lfOp = 1; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
              }
              break;
            }
            case 39: { // OrRR
              {
              const a = r[(w1 & 7)];
              const b = r[((w1 >> 3) & 7)];
              const v = (a | b) | 0;
              r[(w1 & 7)] = v;
              c.lfOp = 5; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
              }
              break;
            }
            case 40: { // AndRR
              {
              const a = r[(w1 & 7)];
              const b = r[((w1 >> 3) & 7)];
              const v = (a & b) | 0;
              r[(w1 & 7)] = v;
              c.lfOp = 5; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
              }
              break;
            }
            case 41: { // SubRR
              {
              const a = r[(w1 & 7)];
              const b = r[((w1 >> 3) & 7)];
              const v = (a - b) | 0;
              r[(w1 & 7)] = v;
              c.lfOp = 3; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
              }
              break;
            }
            case 42: { // XorRR
              {
              const a = r[(w1 & 7)];
              const b = r[((w1 >> 3) & 7)];
              const v = (a ^ b) | 0;
              r[(w1 & 7)] = v;
              c.lfOp = 5; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
              }
              break;
            }
            case 43: { // CmpRR
              {
              const a = r[(w1 & 7)];
              const b = r[((w1 >> 3) & 7)];
              const v = (a - b) | 0;
              c.lfOp = 3; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
              }
              break;
            }
            case 44: { // AddRI
              {
              const a = r[(w1 & 7)];
              const b = rec[k + 2];
              const v = (a + b) | 0;
              r[(w1 & 7)] = v;
              c.lfOp = 1; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
              }
              break;
            }
            case 46: { // AndRI
              {
              const a = r[(w1 & 7)];
              const b = rec[k + 2];
              const v = (a & b) | 0;
              r[(w1 & 7)] = v;
              c.lfOp = 5; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
              }
              break;
            }
            case 47: { // SubRI
              {
              const a = r[(w1 & 7)];
              const b = rec[k + 2];
              const v = (a - b) | 0;
              r[(w1 & 7)] = v;
              c.lfOp = 3; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
              }
              break;
            }
            case 49: { // CmpRI
              {
              const a = r[(w1 & 7)];
              const b = rec[k + 2];
              const v = (a - b) | 0;
              c.lfOp = 3; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
              }
              break;
            }
            case 53: { // IncDecM
              c.instrEip = eip; c.instrEsp = r[4];
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.wmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              const p_ = ((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2;
              let v_ = 0;
              {
              const a = c.ram32[p_];
              c.lfCin = c.lfOp === 5 ? 0 : getCF(c);
              v_ = (((w1 >> 6) & 15) === 0 ? a + 1 : a - 1) | 0;
              if (((w1 >> 6) & 15) === 0) { c.lfOp = 6; c.lfRes = v_; c.lfA = a; c.lfB = 1; c.lfSign = -2147483648; } else { c.lfOp = 7; c.lfRes = v_; c.lfA = a; c.lfB = 1; c.lfSign = -2147483648; }
              }
              c.ram32[p_] = v_;
              } else { break miss; }
              }
              c.cyc += MEM_RMW;
              break;
            }
            case 54: { // PushM
              c.instrEip = eip; c.instrEsp = r[4]; {
              let pm_ = 0;
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              pm_ = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
              } else { break miss; }
              }
              {
              const pv_ = pm_;
              if (!c.stack32) push32(c, pv_);
              else {
              const sp_ = (r[4] - 4) | 0;
              { /*access*/
              const ea_ = sp_;
              const lin_ = (c.segBase[2] + ea_) | 0;
              const v_ = pv_;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.wmask;
              if ((c.segAttr[2] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[2] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2] = v_;
              } else { /*miss*/ writeM32(c, 2, ea_, v_); }
              }
              r[4] = sp_;
              }
              }
              c.cyc += 3;
              }
              break;
            }
            case 55: { // TestRR8
              { const v = c.reg8[R8[(w1 & 7)]] & c.reg8[R8[((w1 >> 3) & 7)]]; c.lfOp = 5; c.lfRes = v; c.lfA = 0; c.lfB = 0; c.lfSign = 128; }
              break;
            }
            case 57: { // TestRI8
              { const v = c.reg8[R8[(w1 & 7)]] & rec[k + 2]; c.lfOp = 5; c.lfRes = v; c.lfA = 0; c.lfB = 0; c.lfSign = 128; }
              break;
            }
            case 60: { // NotR
              r[(w1 & 7)] = ~r[(w1 & 7)];
              break;
            }
            case 64: { // JmpR
              c.instrEip = eip; c.instrEsp = r[4]; {
              const j_ = r[(w1 & 7)];
              if (!c.os32) jumpNear(c, j_);
              else {
              if (j_ >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
              c.eip = j_;
              }
              } c.cyc += 4; n++; continue outer;
              break;
            }
            case 65: { // JmpM
              c.instrEip = eip; c.instrEsp = r[4]; {
              let t_ = 0;
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              t_ = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
              } else { break miss; }
              }
              {
              const j_ = t_;
              if (!c.os32) jumpNear(c, j_);
              else {
              if (j_ >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
              c.eip = j_;
              }
              }
              c.cyc += 4;
              }
              n++; continue outer;
              break;
            }
            case 66: { // CallR
              c.instrEip = eip; c.instrEsp = r[4]; {
              const t_ = r[(w1 & 7)];
              if (t_ >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
              {
              const pv_ = next;
              if (!c.stack32) push32(c, pv_);
              else {
              const sp_ = (r[4] - 4) | 0;
              { /*access*/
              const ea_ = sp_;
              const lin_ = (c.segBase[2] + ea_) | 0;
              const v_ = pv_;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.wmask;
              if ((c.segAttr[2] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[2] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2] = v_;
              } else { /*miss*/ writeM32(c, 2, ea_, v_); }
              }
              r[4] = sp_;
              }
              }
              c.cyc += 4;
              c.eip = t_;
              }
              n++; continue outer;
              break;
            }
            case 67: { // CallM
              c.instrEip = eip; c.instrEsp = r[4]; {
              let t_ = 0;
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              t_ = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
              } else { break miss; }
              }
              if (t_ >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
              {
              const pv_ = next;
              if (!c.stack32) push32(c, pv_);
              else {
              const sp_ = (r[4] - 4) | 0;
              { /*access*/
              const ea_ = sp_;
              const lin_ = (c.segBase[2] + ea_) | 0;
              const v_ = pv_;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.wmask;
              if ((c.segAttr[2] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[2] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2] = v_;
              } else { /*miss*/ writeM32(c, 2, ea_, v_); }
              }
              r[4] = sp_;
              }
              }
              c.cyc += 4;
              c.eip = t_;
              }
              n++; continue outer;
              break;
            }
            case 71: { // CmovRR
              if (cond(c, ((w1 >> 6) & 15)) !== 0) r[(w1 & 7)] = r[((w1 >> 3) & 7)];
              break;
            }
            case 73: { // SetccR
              c.reg8[R8[(w1 & 7)]] = cond(c, ((w1 >> 6) & 15));
              break;
            }
            case 79: { // CmpMR
              c.instrEip = eip; c.instrEsp = r[4]; {
              let a = 0;
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              a = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
              } else { break miss; }
              }
              {
              const a_ = a;
              const b_ = r[((w1 >> 3) & 7)];
              const v_ = (a_ - b_) | 0;
              c.lfOp = 3; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648;
              }
              c.cyc += MEM_READ;
              }
              break;
            }
            case 80: { // CmpMI
              c.instrEip = eip; c.instrEsp = r[4]; {
              let a = 0;
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              a = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
              } else { break miss; }
              }
              {
              const a_ = a;
              const b_ = rec[k + 2];
              const v_ = (a_ - b_) | 0;
              c.lfOp = 3; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648;
              }
              c.cyc += MEM_READ;
              }
              break;
            }
            case 81: { // Cmp8MR
              c.instrEip = eip; c.instrEsp = r[4]; {
              let a = 0;
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && ea_ >>> 0 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_) {
              a = c.ram[(e_ & ~0xfff) | (lin_ & 0xfff)];
              } else { break miss; }
              }
              {
              const a_ = a;
              const b_ = c.reg8[R8[((w1 >> 3) & 7)]];
              const v_ = (a_ - b_) & 0xff;
              c.lfOp = 3; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128;
              }
              c.cyc += MEM_READ;
              }
              break;
            }
            case 82: { // Cmp8MI
              c.instrEip = eip; c.instrEsp = r[4]; {
              let a = 0;
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && ea_ >>> 0 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_) {
              a = c.ram[(e_ & ~0xfff) | (lin_ & 0xfff)];
              } else { break miss; }
              }
              {
              const a_ = a;
              const b_ = rec[k + 2];
              const v_ = (a_ - b_) & 0xff;
              c.lfOp = 3; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128;
              }
              c.cyc += MEM_READ;
              }
              break;
            }
            case 83: { // CmpRM
              c.instrEip = eip; c.instrEsp = r[4];
              {
              let b = 0;
              { /*access*/
              const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
              const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
              const e_ = c.tlb[lin_ >>> 12];
              const m_ = c.rmask;
              if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
              b = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
              } else { break miss; }
              }
              c.cyc += MEM_READ;
              {
              const a_ = r[(w1 & 7)];
              const b_ = b;
              const v_ = (a_ - b_) | 0;
              c.lfOp = 3; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648;
              }
              }
              break;
            }
            // END GENERATED CASES
            default:
              if (!runRare(c, h, w1, k, eip, next)) break miss;
          }
          n++; // no fast handler sets blockEnd
          eip = next;
          off += len;
          if (off >= 4096 || c.winLen === 0 || c.cyc >= limit) {
            c.eip = eip;
            continue outer;
          }
          continue;
        }
        // No fast form (a record always fits its window: cached windows are whole pages),
        // or an access of one missed its fast path before the instruction did anything
        // (break miss, one place for every form, so a form's first miss does not
        // deoptimize this function): the byte interpreter runs the instruction from its
        // start, with its walks, faults and cycles.
        if (h !== 1) c.cyc -= (w0 >> 16) & 0xff;
        c.eip = eip;
        c.instrEip = eip;
        c.instrEsp = r[4];
        execOne(c);
        n++;
        if (c.blockEnd) break outer;
        continue outer;
      }
    }
  } finally {
    c.retired += n;
  }
}

/**
 * Runs fast form `h` of the record at rec[k..] (of EIP `eip`, the next instruction at
 * `next`) where the loop does not run it itself (tools/gen-dispatch.ts RARE), after the
 * loop charged its base cycles; none transfers control. Returns false when an access
 * missed before anything happened (the loop runs the instruction through execOne).
 */
function runRare(c: CPU, h: number, w1: number, k: number, eip: number, next: number): boolean {
  const r = c.regs;
  const rec = c.icache.rec;
  switch (h) {
    // BEGIN GENERATED RARE CASES (tools/gen-dispatch.ts from forms.ts; do not edit)
    case 5: { // AluRR
      if (((w1 >> 6) & 15) === 7) sub32(c, r[(w1 & 7)], r[((w1 >> 3) & 7)]);
      else r[(w1 & 7)] = alu(c, ((w1 >> 6) & 15), r[(w1 & 7)], r[((w1 >> 3) & 7)], 2);
      break;
    }
    case 6: { // AluMR
      c.instrEip = eip; c.instrEsp = r[4];
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.wmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
      const p_ = ((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2;
      let v_ = 0;
      {
      const a_ = c.ram32[p_];
      const b_ = r[((w1 >> 3) & 7)];
      if (((w1 >> 6) & 15) === 0) { v_ = (a_ + b_) | 0; c.lfOp = 1; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 5 || ((w1 >> 6) & 15) === 7) { v_ = (a_ - b_) | 0; c.lfOp = 3; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 4) { v_ = (a_ & b_) | 0; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 1) { v_ = (a_ | b_) | 0; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 6) { v_ = (a_ ^ b_) | 0; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else v_ = alu(c, ((w1 >> 6) & 15), a_, b_, 2);
      }
      c.ram32[p_] = v_;
      } else { return false; }
      }
      c.cyc += MEM_RMW;
      break;
    }
    case 7: { // AluRM
      c.instrEip = eip; c.instrEsp = r[4];
      {
      let b = 0;
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.rmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
      b = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
      } else { return false; }
      }
      c.cyc += MEM_READ;
      let v = 0;
      {
      const a_ = r[(w1 & 7)];
      const b_ = b;
      if (((w1 >> 6) & 15) === 0) { v = (a_ + b_) | 0; c.lfOp = 1; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 5 || ((w1 >> 6) & 15) === 7) { v = (a_ - b_) | 0; c.lfOp = 3; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 4) { v = (a_ & b_) | 0; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 1) { v = (a_ | b_) | 0; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 6) { v = (a_ ^ b_) | 0; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else v = alu(c, ((w1 >> 6) & 15), a_, b_, 2);
      }
      r[(w1 & 7)] = v;
      }
      break;
    }
    case 8: { // AluRI
      if (((w1 >> 6) & 15) === 7) sub32(c, r[(w1 & 7)], rec[k + 2]);
      else r[(w1 & 7)] = alu(c, ((w1 >> 6) & 15), r[(w1 & 7)], rec[k + 2], 2);
      break;
    }
    case 9: { // AluMI
      c.instrEip = eip; c.instrEsp = r[4];
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.wmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
      const p_ = ((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2;
      let v_ = 0;
      {
      const a_ = c.ram32[p_];
      const b_ = rec[k + 2];
      if (((w1 >> 6) & 15) === 0) { v_ = (a_ + b_) | 0; c.lfOp = 1; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 5 || ((w1 >> 6) & 15) === 7) { v_ = (a_ - b_) | 0; c.lfOp = 3; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 4) { v_ = (a_ & b_) | 0; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 1) { v_ = (a_ | b_) | 0; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else if (((w1 >> 6) & 15) === 6) { v_ = (a_ ^ b_) | 0; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = -2147483648; }
      else v_ = alu(c, ((w1 >> 6) & 15), a_, b_, 2);
      }
      c.ram32[p_] = v_;
      } else { return false; }
      }
      c.cyc += MEM_RMW;
      break;
    }
    case 11: { // TestMR
      c.instrEip = eip; c.instrEsp = r[4]; {
      let v = 0;
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.rmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
      v = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
      } else { return false; }
      }
      v &= r[((w1 >> 3) & 7)];
      c.lfOp = 5; c.lfRes = v; c.lfA = 0; c.lfB = 0; c.lfSign = -2147483648;
      }
      break;
    }
    case 33: { // Alu8RI
      {
      let v = 0;
      {
      const a_ = c.reg8[R8[(w1 & 7)]];
      const b_ = rec[k + 2];
      if (((w1 >> 6) & 15) === 0) { v = (a_ + b_) & 0xff; c.lfOp = 1; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 5 || ((w1 >> 6) & 15) === 7) { v = (a_ - b_) & 0xff; c.lfOp = 3; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 4) { v = (a_ & b_) & 0xff; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 1) { v = (a_ | b_) & 0xff; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 6) { v = (a_ ^ b_) & 0xff; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else v = alu(c, ((w1 >> 6) & 15), a_, b_, 0);
      }
      if (((w1 >> 6) & 15) !== 7) c.reg8[R8[(w1 & 7)]] = v;
      }
      break;
    }
    case 34: { // Alu8MI
      c.instrEip = eip; c.instrEsp = r[4];
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.wmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9e) === 0x92 && ea_ >>> 0 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_) {
      const p_ = (e_ & ~0xfff) | (lin_ & 0xfff);
      let v_ = 0;
      {
      const a_ = c.ram[p_];
      const b_ = rec[k + 2];
      if (((w1 >> 6) & 15) === 0) { v_ = (a_ + b_) & 0xff; c.lfOp = 1; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 5 || ((w1 >> 6) & 15) === 7) { v_ = (a_ - b_) & 0xff; c.lfOp = 3; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 4) { v_ = (a_ & b_) & 0xff; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 1) { v_ = (a_ | b_) & 0xff; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 6) { v_ = (a_ ^ b_) & 0xff; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else v_ = alu(c, ((w1 >> 6) & 15), a_, b_, 0);
      }
      c.ram[p_] = v_;
      } else { return false; }
      }
      c.cyc += MEM_RMW;
      break;
    }
    case 45: { // OrRI
      {
      const a = r[(w1 & 7)];
      const b = rec[k + 2];
      const v = (a | b) | 0;
      r[(w1 & 7)] = v;
      c.lfOp = 5; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
      }
      break;
    }
    case 48: { // XorRI
      {
      const a = r[(w1 & 7)];
      const b = rec[k + 2];
      const v = (a ^ b) | 0;
      r[(w1 & 7)] = v;
      c.lfOp = 5; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
      }
      break;
    }
    case 50: { // Alu8RR
      {
      let v = 0;
      {
      const a_ = c.reg8[R8[(w1 & 7)]];
      const b_ = c.reg8[R8[((w1 >> 3) & 7)]];
      if (((w1 >> 6) & 15) === 0) { v = (a_ + b_) & 0xff; c.lfOp = 1; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 5 || ((w1 >> 6) & 15) === 7) { v = (a_ - b_) & 0xff; c.lfOp = 3; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 4) { v = (a_ & b_) & 0xff; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 1) { v = (a_ | b_) & 0xff; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 6) { v = (a_ ^ b_) & 0xff; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else v = alu(c, ((w1 >> 6) & 15), a_, b_, 0);
      }
      if (((w1 >> 6) & 15) !== 7) c.reg8[R8[(w1 & 7)]] = v;
      }
      break;
    }
    case 51: { // Alu8MR
      c.instrEip = eip; c.instrEsp = r[4];
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.wmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9e) === 0x92 && ea_ >>> 0 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_) {
      const p_ = (e_ & ~0xfff) | (lin_ & 0xfff);
      let v_ = 0;
      {
      const a_ = c.ram[p_];
      const b_ = c.reg8[R8[((w1 >> 3) & 7)]];
      if (((w1 >> 6) & 15) === 0) { v_ = (a_ + b_) & 0xff; c.lfOp = 1; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 5 || ((w1 >> 6) & 15) === 7) { v_ = (a_ - b_) & 0xff; c.lfOp = 3; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 4) { v_ = (a_ & b_) & 0xff; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 1) { v_ = (a_ | b_) & 0xff; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 6) { v_ = (a_ ^ b_) & 0xff; c.lfOp = 5; c.lfRes = v_; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else v_ = alu(c, ((w1 >> 6) & 15), a_, b_, 0);
      }
      c.ram[p_] = v_;
      } else { return false; }
      }
      c.cyc += MEM_RMW;
      break;
    }
    case 52: { // Alu8RM
      c.instrEip = eip; c.instrEsp = r[4];
      {
      let b = 0;
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.rmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && ea_ >>> 0 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_) {
      b = c.ram[(e_ & ~0xfff) | (lin_ & 0xfff)];
      } else { return false; }
      }
      c.cyc += MEM_READ;
      let v = 0;
      {
      const a_ = c.reg8[R8[(w1 & 7)]];
      const b_ = b;
      if (((w1 >> 6) & 15) === 0) { v = (a_ + b_) & 0xff; c.lfOp = 1; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 5 || ((w1 >> 6) & 15) === 7) { v = (a_ - b_) & 0xff; c.lfOp = 3; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 4) { v = (a_ & b_) & 0xff; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 1) { v = (a_ | b_) & 0xff; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else if (((w1 >> 6) & 15) === 6) { v = (a_ ^ b_) & 0xff; c.lfOp = 5; c.lfRes = v; c.lfA = a_; c.lfB = b_; c.lfSign = 128; }
      else v = alu(c, ((w1 >> 6) & 15), a_, b_, 0);
      }
      if (((w1 >> 6) & 15) !== 7) c.reg8[R8[(w1 & 7)]] = v;
      }
      break;
    }
    case 56: { // TestMR8
      c.instrEip = eip; c.instrEsp = r[4]; {
      let v = 0;
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.rmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && ea_ >>> 0 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_) {
      v = c.ram[(e_ & ~0xfff) | (lin_ & 0xfff)];
      } else { return false; }
      }
      v &= c.reg8[R8[((w1 >> 3) & 7)]];
      c.lfOp = 5; c.lfRes = v; c.lfA = 0; c.lfB = 0; c.lfSign = 128;
      }
      break;
    }
    case 58: { // TestMI8
      c.instrEip = eip; c.instrEsp = r[4]; {
      let v = 0;
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.rmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && ea_ >>> 0 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_) {
      v = c.ram[(e_ & ~0xfff) | (lin_ & 0xfff)];
      } else { return false; }
      }
      v &= rec[k + 2];
      c.lfOp = 5; c.lfRes = v; c.lfA = 0; c.lfB = 0; c.lfSign = 128;
      }
      break;
    }
    case 59: { // TestMI
      c.instrEip = eip; c.instrEsp = r[4]; {
      let v = 0;
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.rmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
      v = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
      } else { return false; }
      }
      v &= rec[k + 2];
      c.lfOp = 5; c.lfRes = v; c.lfA = 0; c.lfB = 0; c.lfSign = -2147483648;
      }
      break;
    }
    case 61: { // NegR
      {
      const a = 0;
      const b = r[(w1 & 7)];
      const v = (a - b) | 0;
      r[(w1 & 7)] = v;
      c.lfOp = 3; c.lfRes = v; c.lfA = a; c.lfB = b; c.lfSign = -2147483648;
      }
      break;
    }
    case 62: { // MovR8I
      c.reg8[R8[(w1 & 7)]] = rec[k + 2];
      break;
    }
    case 63: { // MovM8I
      c.instrEip = eip; c.instrEsp = r[4]; { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const v_ = rec[k + 2];
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.wmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9e) === 0x92 && ea_ >>> 0 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_) {
      c.ram[(e_ & ~0xfff) | (lin_ & 0xfff)] = v_;
      } else { return false; }
      }
      break;
    }
    case 68: { // MovRR16
      c.reg16[(w1 & 7) << 1] = c.reg16[((w1 >> 3) & 7) << 1];
      break;
    }
    case 69: { // Load16
      c.instrEip = eip; c.instrEsp = r[4]; {
      let v = 0;
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.rmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 1 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_ && (lin_ & 0xfff) !== 0xfff) {
      const p_ = (e_ & ~0xfff) | (lin_ & 0xfff);
      v = c.ram[p_] | (c.ram[p_ + 1] << 8);
      } else { return false; }
      }
      c.reg16[(w1 & 7) << 1] = v;
      }
      break;
    }
    case 70: { // Store16
      c.instrEip = eip; c.instrEsp = r[4]; { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const v_ = c.reg16[((w1 >> 3) & 7) << 1];
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.wmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9e) === 0x92 && (ea_ >>> 0) + 1 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (e_ & m_) === m_ && (lin_ & 0xfff) !== 0xfff) {
      const p_ = (e_ & ~0xfff) | (lin_ & 0xfff);
      c.ram[p_] = v_;
      c.ram[p_ + 1] = v_ >> 8;
      } else { return false; }
      }
      break;
    }
    case 72: { // CmovRM
      c.instrEip = eip; c.instrEsp = r[4]; {
      let v = 0;
      c.cyc += MEM_READ;
      { /*access*/
      const ea_ = ((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + ((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0);
      const lin_ = (c.segBase[((w1 >> 10) & 7)] + ea_) | 0;
      const e_ = c.tlb[lin_ >>> 12];
      const m_ = c.rmask;
      if ((c.segAttr[((w1 >> 10) & 7)] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[((w1 >> 10) & 7)] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
      v = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
      } else { /*miss*/ v = readM32(c, ((w1 >> 10) & 7), ea_); }
      }
      if (cond(c, ((w1 >> 6) & 15)) !== 0) r[(w1 & 7)] = v;
      }
      break;
    }
    case 74: { // MulR
      c.cyc += 12; multiply(c, r[(w1 & 7)], 2, ((w1 & 0x1000000) !== 0));
      break;
    }
    case 75: { // DivR
      c.instrEip = eip; c.instrEsp = r[4]; c.cyc += 39; divide(c, r[(w1 & 7)], 2, ((w1 & 0x1000000) !== 0));
      break;
    }
    case 76: { // ShiftDR
      r[(w1 & 7)] = shiftDouble(c, ((w1 >> 6) & 15) === 1, r[(w1 & 7)], r[((w1 >> 3) & 7)], (((w1 & 0x1000000) !== 0) ? c.reg8[4] : rec[k + 2]) & 31, 2);
      break;
    }
    case 77: { // Alu16RI
      {
      const v = alu(c, ((w1 >> 6) & 15), c.reg16[(w1 & 7) << 1], rec[k + 2], 1);
      if (((w1 >> 6) & 15) !== 7) c.reg16[(w1 & 7) << 1] = v;
      }
      break;
    }
    case 78: { // SetDF
      if (((w1 >> 6) & 15) === 0) c.flags &= ~0x400; else c.flags |= 0x400;
      break;
    }
    // END GENERATED RARE CASES
    default:
      throw new Error(`dispatch: handler ${h} missing`);
  }
  return true;
}
