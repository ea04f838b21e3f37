// String instructions (MOVS CMPS STOS LODS SCAS INS OUTS) with REP/REPE/REPNE.
// Each iteration commits (E)SI, (E)DI and (E)CX before the next one starts, so a
// fault in the middle restarts the instruction with the remaining count, as on
// hardware. A repeated instruction runs at most REP_SLICE iterations per step and
// then leaves EIP on itself, so interrupts and the cycle budget are honoured.
//
// Fast path: with a 32-bit address size, REP MOVS/STOS/LODS/SCAS/CMPS run as many
// iterations at once as stay inside the current source and destination pages and
// segment limits, when every one of them would hit the TLB fast paths of access.ts
// (the same segment and TLB-mask tests), working on the RAM arrays directly. Such a
// chunk cannot fault, walk, or write a page holding decoded code (its TLB entries
// lack Tlb.NC), so it is exactly the per-element loop, cycles included; anything else
// (a TLB miss, a page crossing, an element straddling a page, an expand-down or
// code segment) takes the per-element path for one iteration, and 16-bit addresses
// and INS/OUTS always do.

import type { CPU } from "./cpu.ts";
import { F } from "./defs.ts";
import { alu } from "./alu.ts";
import { getZF } from "./flags.ts";
import { segW, syncClock } from "./access.ts";
import { getReg, setReg, vsz, readMem, writeMem, readW, writeLin, ioCheck } from "./operands.ts";
import { REP_MOVS, REP_STOS, REP_LODS, REP_CMPS, REP_SCAS, REP_INS, REP_OUTS } from "./timing.ts";

const REP_SLICE = 1024;

let fastEnabled = true;

/** Turns the REP fast path on or off (tests compare both; the default is on). */
export function setRepFastPath(on: boolean): void {
  fastEnabled = on;
}

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

// Literal Attr bits (P S CODE DC RW): this module is evaluated before cpu.ts defines its enums.
const A_PS = 0x80 | 0x10;
const READ_OK = A_PS | 0x08 | 0x04;
const WRITE_OK = READ_OK | 0x02;

/** Physical address of the first element, set by reach(). */
let reachPhys = 0;

/**
 * How many elements of 1 << sz bytes starting at seg:off and stepping by `d` pass the
 * fast segment checks of segR/segW (write: segW) and the TLB mask test (cpu.rmask or
 * cpu.wmask), lying wholly inside off's page; at most `max`. 0 when the first does not.
 * Sets reachPhys to the first element's physical address.
 */
function reach(c: CPU, seg: number, off: number, sz: number, d: number, write: boolean, max: number): number {
  const attr = c.segAttr[seg];
  if (write ? (attr & WRITE_OK) !== (A_PS | 0x02) : (attr & READ_OK) !== A_PS) return 0;
  const o = off >>> 0;
  const len1 = (1 << sz) - 1;
  const lim = c.segLimit[seg] >>> 0;
  if (o + len1 > lim) return 0;
  const lin = (c.segBase[seg] + off) | 0;
  const po = lin & 0xfff;
  if (po + len1 > 0xfff) return 0;
  const e = c.tlb[lin >>> 12];
  const m = write ? c.wmask : c.rmask;
  if ((e & m) !== m) return 0;
  let n: number;
  if (d > 0) {
    n = ((lim - len1 - o) >>> sz) + 1;
    const p = ((0xfff - len1 - po) >>> sz) + 1;
    if (p < n) n = p;
  } else {
    n = (o >>> sz) + 1;
    const p = (po >>> sz) + 1;
    if (p < n) n = p;
  }
  reachPhys = (e & ~0xfff) | po;
  return n < max ? n : max;
}

/** The element of 1 << sz bytes at RAM address p, as rd8/rd16/rd32 return it. */
function load(c: CPU, p: number, sz: number): number {
  const r = c.ram;
  if (sz === 0) return r[p];
  if (sz === 1) return r[p] | (r[p + 1] << 8);
  if ((p & 3) === 0) return c.ram32[p >> 2];
  return r[p] | (r[p + 1] << 8) | (r[p + 2] << 16) | (r[p + 3] << 24);
}

/** Stores the element v of 1 << sz bytes at RAM address p. */
function store(c: CPU, p: number, sz: number, v: number): void {
  const r = c.ram;
  r[p] = v;
  if (sz === 0) return;
  r[p + 1] = v >> 8;
  if (sz === 1) return;
  r[p + 2] = v >> 16;
  r[p + 3] = v >> 24;
}

/** MOVS of n elements from RAM address s to d (first elements), stepping by step, element by element. */
function moveElements(c: CPU, s: number, d: number, sz: number, step: number, n: number): void {
  if (sz === 0) {
    const r = c.ram;
    for (let i = 0; i < n; i++, s += step, d += step) r[d] = r[s];
    return;
  }
  for (let i = 0; i < n; i++, s += step, d += step) store(c, d, sz, load(c, s, sz));
}

/** How many bytes from RAM addresses s and t on are equal, at most max (forward REPE CMPS). */
function equalRun(c: CPU, s: number, t: number, max: number): number {
  const r = c.ram;
  let i = 0;
  if (((s ^ t) & 3) === 0) {
    for (; i < max && ((s + i) & 3) !== 0; i++) if (r[s + i] !== r[t + i]) return i;
    const w = c.ram32;
    for (let ws = (s + i) >> 2, wt = (t + i) >> 2; i + 4 <= max && w[ws] === w[wt]; ws++, wt++) i += 4;
  }
  while (i < max && r[s + i] === r[t + i]) i++;
  return i;
}

/**
 * Runs up to `max` (>= 1) iterations of REP string opcode `op` (not INS/OUTS; 32-bit
 * address size) directly on RAM, as far as reach() allows for every operand. Commits
 * ESI/EDI and, for CMPS/SCAS/LODS, the flags or accumulator of the last iteration;
 * CMPS/SCAS stop after the first iteration that ends the repeat. Returns the number
 * of iterations done (0: none, the caller takes the per-element path). Never faults.
 */
function fastRun(c: CPU, op: number, sz: number, d: number, seg: number, max: number): number {
  const r = c.regs;
  switch (op) {
    case 0xa4: case 0xa5: { // MOVS
      let n = reach(c, seg, r[6], sz, d, false, max);
      if (n === 0) return 0;
      const s = reachPhys;
      n = reach(c, 0 /* ES */, r[7], sz, d, true, n);
      if (n === 0) return 0;
      const t = reachPhys;
      const bytes = n << sz;
      const sLo = d > 0 ? s : s - bytes - d;
      const tLo = d > 0 ? t : t - bytes - d;
      // the element order matters only when a write lands on a source element still to be read
      if (d > 0 ? tLo > sLo && tLo < sLo + bytes : tLo < sLo && tLo + bytes > sLo) moveElements(c, s, t, sz, d, n);
      else c.ram.copyWithin(tLo, sLo, sLo + bytes);
      r[6] = (r[6] + n * d) | 0;
      r[7] = (r[7] + n * d) | 0;
      return n;
    }
    case 0xaa: case 0xab: { // STOS
      const n = reach(c, 0 /* ES */, r[7], sz, d, true, max);
      if (n === 0) return 0;
      const bytes = n << sz;
      const lo = d > 0 ? reachPhys : reachPhys - bytes - d;
      const v = getReg(c, sz, 0);
      if (sz === 0) c.ram.fill(v, lo, lo + bytes);
      else if (sz === 2 && (lo & 3) === 0) c.ram32.fill(v, lo >> 2, (lo >> 2) + n);
      else {
        store(c, lo, sz, v);
        for (let done = 1 << sz; done < bytes; ) {
          const k = done < bytes - done ? done : bytes - done;
          c.ram.copyWithin(lo + done, lo, lo + k);
          done += k;
        }
      }
      r[7] = (r[7] + n * d) | 0;
      return n;
    }
    case 0xac: case 0xad: { // LODS
      const n = reach(c, seg, r[6], sz, d, false, max);
      if (n === 0) return 0;
      setReg(c, sz, 0, load(c, reachPhys + (n - 1) * d, sz));
      r[6] = (r[6] + n * d) | 0;
      return n;
    }
    case 0xae: case 0xaf: { // SCAS
      const n = reach(c, 0 /* ES */, r[7], sz, d, false, max);
      if (n === 0) return 0;
      const a = getReg(c, sz, 0);
      const whileEq = c.rep === 1;
      let p = reachPhys;
      let i = 0;
      let b: number;
      for (;;) {
        b = load(c, p, sz);
        i++;
        if ((a === b) !== whileEq || i === n) break;
        p += d;
      }
      alu(c, 7, a, b, sz);
      r[7] = (r[7] + i * d) | 0;
      return i;
    }
    case 0xa6: case 0xa7: { // CMPS
      let n = reach(c, seg, r[6], sz, d, false, max);
      if (n === 0) return 0;
      let s = reachPhys;
      n = reach(c, 0 /* ES */, r[7], sz, d, false, n);
      if (n === 0) return 0;
      let t = reachPhys;
      const whileEq = c.rep === 1;
      let i = 0;
      let a: number;
      let b: number;
      if (whileEq && d > 0) {
        const eq = equalRun(c, s, t, n << sz) >> sz;
        i = eq < n ? eq + 1 : n;
        a = load(c, s + (i - 1) * d, sz);
        b = load(c, t + (i - 1) * d, sz);
      } else for (;;) {
        a = load(c, s, sz);
        b = load(c, t, sz);
        i++;
        if ((a === b) !== whileEq || i === n) break;
        s += d;
        t += d;
      }
      alu(c, 7, a, b, sz);
      r[6] = (r[6] + i * d) | 0;
      r[7] = (r[7] + i * d) | 0;
      return i;
    }
    default:
      return 0;
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
  const fast = fastEnabled && c.as32 && !io;
  const cost = iterCost(op);
  let budget = io ? 1 : REP_SLICE;
  for (;;) {
    const n = c.as32 ? c.regs[1] : c.reg16[2];
    if (n === 0) return true;
    let k = 0;
    if (fast) k = fastRun(c, op, sz, d, seg, (n >>> 0) < budget ? n >>> 0 : budget);
    if (k === 0) {
      once(c, op, sz, d, seg);
      k = 1;
    }
    if (c.as32) c.regs[1] = (n - k) | 0;
    else c.reg16[2] = n - 1;
    c.cyc += cost * k;
    if (cmp && (getZF(c) !== 0) !== (c.rep === 1)) return true;
    if (n >>> 0 === k) return true;
    budget -= k;
    if (budget === 0) {
      c.eip = c.instrEip;
      return false;
    }
  }
}
