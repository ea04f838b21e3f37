// Memory access for the core: code fetch through the code window, ModRM effective
// addresses, segment checks (limits, rights, null selectors), linear reads and
// writes with the TLB fast path, and the stack. Everything here may fault
// (cpu.fault throws CPU_FAULT); nothing allocates.

import type { CPU } from "./cpu.ts";
import { Vec, Attr } from "./defs.ts";
import { translate } from "./mmu.ts";
import { tableFor } from "./icache.ts";
import { PageKind } from "../memory/physmem.ts";

// ---------------------------------------------------------------- guest time

/**
 * Adds the cycles charged so far in this block (cpu.cyc) to clock.cycles. Called before
 * anything that looks at the time (port I/O, RDTSC) and by the run loop after each block.
 */
export function syncClock(c: CPU): void {
  const n = c.cyc;
  c.clock.cycles += n;
  c.cycLimit -= n;
  c.cyc = 0;
}

// ---------------------------------------------------------------- code fetch

/**
 * Points the code window at the page holding CS:eip (CS limit check, translation with
 * the CPL's privilege, #PF/#GP on failure). Sets ip to eip's byte.
 */
export function setWindow(c: CPU, eip: number): void {
  // Every field set here stays a small integer (int32) so V8 keeps the fetch path in
  // integer registers.
  const off = eip >>> 0;
  const lim = c.segLimit[1 /* CS */] >>> 0;
  if (off > lim) c.fault(Vec.GP, 0);
  const lin = (c.segBase[1 /* CS */] + off) | 0;
  const pa = translate(c, lin, false, c.user);
  const po = lin & 0xfff;
  const winEip = off - po;
  let len = 4096;
  if (lim - winEip + 1 < len) len = (lim - winEip + 1) | 0;
  const mem = c.mem;
  const ppage = (pa / 4096) >>> 0;
  let base: number;
  const kind = mem.pageKind[ppage];
  if (kind === PageKind.Ram && pa < mem.ramSize && pa < 0x8000_0000) {
    c.code = mem.ram;
    base = ppage << 12;
    // 16-bit code and windows cut short by the CS limit run uncached, so records are all
    // 32-bit decodes and always fit their window (a code-size change resets the window)
    c.winTbl = c.useDecodedCache && len === 4096 && c.code32 ? tableFor(c, ppage) : -1;
  } else if (kind === PageKind.Rom) {
    c.code = mem.rom;
    base = mem.pageAux[ppage] | 0;
    c.winTbl = -1;
  } else {
    c.winTbl = -1;
    const s = c.scratch;
    for (let i = 0; i < 4096; i++) s[i] = mem.read8(ppage * 4096 + i);
    c.code = s;
    base = 0;
  }
  c.winEip = winEip | 0;
  c.winPhys = base;
  c.winLen = len;
  c.ip = (base + po) | 0;
  c.ipEnd = (base + len) | 0;
}

/** EIP of the next byte to fetch. */
export function curEip(c: CPU): number {
  return (c.winEip + (c.ip - c.winPhys)) | 0;
}

function fetchCross(c: CPU): number {
  setWindow(c, (c.winEip + (c.ip - c.winPhys)) | 0);
  return c.code[c.ip++];
}

export function fetch8(c: CPU): number {
  if (c.ip < c.ipEnd) return c.code[c.ip++];
  return fetchCross(c);
}

export function fetchS8(c: CPU): number {
  return (fetch8(c) << 24) >> 24;
}

export function fetch16(c: CPU): number {
  const p = c.ip;
  if (p + 1 < c.ipEnd) {
    c.ip = p + 2;
    return c.code[p] | (c.code[p + 1] << 8);
  }
  const lo = fetch8(c);
  return lo | (fetch8(c) << 8);
}

export function fetch32(c: CPU): number {
  const p = c.ip;
  if (p + 3 < c.ipEnd) {
    c.ip = p + 4;
    const b = c.code;
    return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  }
  const lo = fetch16(c);
  return (lo | (fetch16(c) << 16)) | 0;
}

/** Immediate of the operand size: 16-bit zero-extended or 32-bit int32. */
export function fetchImm(c: CPU): number {
  return c.os32 ? fetch32(c) : fetch16(c);
}

// ---------------------------------------------------------------- effective addresses

/** Decodes the memory operand of ModRM byte `m` (mod != 3): sets cpu.ea and cpu.eaSeg. */
export function decodeEa(c: CPU, m: number): void {
  if (c.as32) ea32(c, m);
  else ea16(c, m);
}

function ea32(c: CPU, m: number): void {
  const mod = m >> 6;
  const rm = m & 7;
  const r = c.regs;
  let a: number;
  let seg = 3 /* DS */;
  if (rm === 4) {
    const sib = fetch8(c);
    const base = sib & 7;
    const idx = (sib >> 3) & 7;
    if (base === 5 && mod === 0) a = fetch32(c);
    else {
      a = r[base];
      if (base === 4 || base === 5) seg = 2 /* SS */;
    }
    if (idx !== 4) a = (a + (r[idx] << (sib >> 6))) | 0;
  } else if (rm === 5 && mod === 0) {
    a = fetch32(c);
  } else {
    a = r[rm];
    if (rm === 5) seg = 2 /* SS */;
  }
  if (mod === 1) a = (a + fetchS8(c)) | 0;
  else if (mod === 2) a = (a + fetch32(c)) | 0;
  c.ea = a;
  c.eaSeg = c.segOvr >= 0 ? c.segOvr : seg;
}

function ea16(c: CPU, m: number): void {
  const mod = m >> 6;
  const w = c.reg16;
  let a: number;
  let seg = 3 /* DS */;
  switch (m & 7) {
    case 0: a = w[6] + w[12]; break; // BX+SI
    case 1: a = w[6] + w[14]; break; // BX+DI
    case 2: a = w[10] + w[12]; seg = 2 /* SS */; break; // BP+SI
    case 3: a = w[10] + w[14]; seg = 2 /* SS */; break; // BP+DI
    case 4: a = w[12]; break;
    case 5: a = w[14]; break;
    case 6:
      if (mod === 0) a = fetch16(c);
      else {
        a = w[10];
        seg = 2 /* SS */;
      }
      break;
    default: a = w[6]; break;
  }
  if (mod === 1) a += fetchS8(c);
  else if (mod === 2) a += fetch16(c);
  c.ea = a & 0xffff;
  c.eaSeg = c.segOvr >= 0 ? c.segOvr : seg;
}

// ---------------------------------------------------------------- segmentation

// Literal Attr values: this module is evaluated before cpu.ts defines its enums.
const A_P = 0x80;
const A_S = 0x10;
const A_RW = 0x02;
const READ_FAST_MASK = A_P | A_S | 0x08 | 0x04; // P S CODE DC
const WRITE_FAST_MASK = READ_FAST_MASK | A_RW;

/** Linear address of a read of len1+1 bytes at seg:off, after the segment checks. */
export function segR(c: CPU, seg: number, off: number, len1: number): number {
  if ((c.segAttr[seg] & READ_FAST_MASK) === (A_P | A_S) && (off >>> 0) + len1 <= c.segLimit[seg] >>> 0) {
    return (c.segBase[seg] + off) | 0;
  }
  return segSlow(c, seg, off, len1, false);
}

/** Linear address of a write of len1+1 bytes at seg:off, after the segment checks. */
export function segW(c: CPU, seg: number, off: number, len1: number): number {
  if (
    (c.segAttr[seg] & WRITE_FAST_MASK) === (A_P | A_S | A_RW) &&
    (off >>> 0) + len1 <= c.segLimit[seg] >>> 0
  ) {
    return (c.segBase[seg] + off) | 0;
  }
  return segSlow(c, seg, off, len1, true);
}

function segFault(c: CPU, seg: number): never {
  return c.fault(seg === 2 /* SS */ ? Vec.SS : Vec.GP, 0);
}

function segSlow(c: CPU, seg: number, off: number, len1: number, write: boolean): number {
  const attr = c.segAttr[seg];
  const o = off >>> 0;
  const lim = c.segLimit[seg] >>> 0;
  if (c.pmode) {
    if ((attr & Attr.P) === 0) segFault(c, seg); // null selector (unusable cache)
    if ((attr & Attr.CODE) !== 0) {
      if (write || (attr & Attr.RW) === 0) c.fault(Vec.GP, 0);
    } else {
      if (write && (attr & Attr.RW) === 0) c.fault(Vec.GP, 0);
      if ((attr & Attr.DC) !== 0) {
        const upper = (attr & Attr.DB) !== 0 ? 0xffffffff : 0xffff;
        if (o <= lim || o + len1 > upper) segFault(c, seg);
        return (c.segBase[seg] + off) | 0;
      }
    }
  }
  if (o + len1 > lim) segFault(c, seg);
  return (c.segBase[seg] + off) | 0;
}

// ---------------------------------------------------------------- linear access

/** Slow linear read of 1, 2 or 4 bytes (any page kind, page-crossing, TLB misses). */
export function rdSlow(c: CPU, lin: number, size: number, user: boolean): number {
  const po = lin & 0xfff;
  const mem = c.mem;
  if (po + size <= 4096) {
    const pa = translate(c, lin, false, user);
    return size === 1 ? mem.read8(pa) : size === 2 ? mem.read16(pa) : mem.read32(pa);
  }
  const pa1 = translate(c, lin, false, user);
  const pa2 = translate(c, (lin | 0xfff) + 1, false, user);
  const first = 4096 - po;
  let v = 0;
  for (let i = 0; i < size; i++) v |= mem.read8(i < first ? pa1 + i : pa2 + i - first) << (8 * i);
  return size === 4 ? v | 0 : v;
}

/** Slow linear write; both pages of a crossing write are translated before any byte is written. */
export function wrSlow(c: CPU, lin: number, size: number, v: number, user: boolean): void {
  const po = lin & 0xfff;
  const mem = c.mem;
  if (po + size <= 4096) {
    const pa = translate(c, lin, true, user);
    if (size === 1) mem.write8(pa, v);
    else if (size === 2) mem.write16(pa, v);
    else mem.write32(pa, v);
    return;
  }
  const pa1 = translate(c, lin, true, user);
  const pa2 = translate(c, (lin | 0xfff) + 1, true, user);
  const first = 4096 - po;
  for (let i = 0; i < size; i++) mem.write8(i < first ? pa1 + i : pa2 + i - first, v >>> (8 * i));
}

/** Read-for-write probe: checks write permission (sets D) before reading; for RMW operands. */
function probeW(c: CPU, lin: number, size: number): void {
  const po = lin & 0xfff;
  translate(c, lin, true, c.user);
  if (po + size > 4096) translate(c, (lin | 0xfff) + 1, true, c.user);
}

export function rd8(c: CPU, lin: number): number {
  const e = c.tlb[lin >>> 12];
  const m = c.rmask;
  if ((e & m) === m) return c.ram[(e & ~0xfff) | (lin & 0xfff)];
  return rdSlow(c, lin, 1, c.user);
}

export function rd16(c: CPU, lin: number): number {
  const e = c.tlb[lin >>> 12];
  const m = c.rmask;
  if ((e & m) === m && (lin & 0xfff) !== 0xfff) {
    const p = (e & ~0xfff) | (lin & 0xfff);
    return c.ram[p] | (c.ram[p + 1] << 8);
  }
  return rdSlow(c, lin, 2, c.user);
}

export function rd32(c: CPU, lin: number): number {
  const e = c.tlb[lin >>> 12];
  const m = c.rmask;
  if ((e & m) === m && (lin & 0xfff) <= 0xffc) {
    const p = (e & ~0xfff) | (lin & 0xfff);
    if ((p & 3) === 0) return c.ram32[p >> 2];
    const r = c.ram;
    return r[p] | (r[p + 1] << 8) | (r[p + 2] << 16) | (r[p + 3] << 24);
  }
  return rdSlow(c, lin, 4, c.user);
}

export function wr8(c: CPU, lin: number, v: number): void {
  const e = c.tlb[lin >>> 12];
  const m = c.wmask;
  if ((e & m) === m) {
    c.ram[(e & ~0xfff) | (lin & 0xfff)] = v;
    return;
  }
  wrSlow(c, lin, 1, v, c.user);
}

export function wr16(c: CPU, lin: number, v: number): void {
  const e = c.tlb[lin >>> 12];
  const m = c.wmask;
  if ((e & m) === m && (lin & 0xfff) !== 0xfff) {
    const p = (e & ~0xfff) | (lin & 0xfff);
    c.ram[p] = v;
    c.ram[p + 1] = v >> 8;
    return;
  }
  wrSlow(c, lin, 2, v, c.user);
}

export function wr32(c: CPU, lin: number, v: number): void {
  const e = c.tlb[lin >>> 12];
  const m = c.wmask;
  if ((e & m) === m && (lin & 0xfff) <= 0xffc) {
    const p = (e & ~0xfff) | (lin & 0xfff);
    if ((p & 3) === 0) {
      c.ram32[p >> 2] = v;
      return;
    }
    const r = c.ram;
    r[p] = v;
    r[p + 1] = v >> 8;
    r[p + 2] = v >> 16;
    r[p + 3] = v >> 24;
    return;
  }
  wrSlow(c, lin, 4, v, c.user);
}

/** Reads for a read-modify-write: faults as a write (W=1) before reading. */
export function rdW8(c: CPU, lin: number): number {
  const e = c.tlb[lin >>> 12];
  if ((e & c.wmask) !== c.wmask) probeW(c, lin, 1);
  return rd8(c, lin);
}
export function rdW16(c: CPU, lin: number): number {
  const e = c.tlb[lin >>> 12];
  if ((e & c.wmask) !== c.wmask || (lin & 0xfff) === 0xfff) probeW(c, lin, 2);
  return rd16(c, lin);
}
export function rdW32(c: CPU, lin: number): number {
  const e = c.tlb[lin >>> 12];
  if ((e & c.wmask) !== c.wmask || (lin & 0xfff) > 0xffc) probeW(c, lin, 4);
  return rd32(c, lin);
}

// ---------------------------------------------------------------- segmented shorthands

export function readM8(c: CPU, seg: number, off: number): number { return rd8(c, segR(c, seg, off, 0)); }
export function readM16(c: CPU, seg: number, off: number): number { return rd16(c, segR(c, seg, off, 1)); }
export function readM32(c: CPU, seg: number, off: number): number { return rd32(c, segR(c, seg, off, 3)); }
export function writeM8(c: CPU, seg: number, off: number, v: number): void { wr8(c, segW(c, seg, off, 0), v); }
export function writeM16(c: CPU, seg: number, off: number, v: number): void { wr16(c, segW(c, seg, off, 1), v); }
export function writeM32(c: CPU, seg: number, off: number, v: number): void { wr32(c, segW(c, seg, off, 3), v); }

// ---------------------------------------------------------------- stack

/** Pushes a 32-bit value (stack size from SS.B); ESP commits after the write. */
export function push32(c: CPU, v: number): void {
  if (c.stack32) {
    const sp = (c.regs[4] - 4) | 0;
    wr32(c, segW(c, 2 /* SS */, sp, 3), v);
    c.regs[4] = sp;
  } else {
    const sp = (c.reg16[8] - 4) & 0xffff;
    wr32(c, segW(c, 2 /* SS */, sp, 3), v);
    c.reg16[8] = sp;
  }
}

export function push16(c: CPU, v: number): void {
  if (c.stack32) {
    const sp = (c.regs[4] - 2) | 0;
    wr16(c, segW(c, 2 /* SS */, sp, 1), v);
    c.regs[4] = sp;
  } else {
    const sp = (c.reg16[8] - 2) & 0xffff;
    wr16(c, segW(c, 2 /* SS */, sp, 1), v);
    c.reg16[8] = sp;
  }
}

/**
 * Checks that `len1 + 1` bytes at SS:`off` could be written (segment limit and rights,
 * then the pages' write permission at the CPL) without writing them: ENTER's check of
 * its final stack pointer (Intel SDM vol. 2A, ENTER, #SS(0) and #PF). May fault.
 */
export function probeStackWrite(c: CPU, off: number, len1: number): void {
  const lin = segW(c, 2 /* SS */, off, len1);
  const e = c.tlb[lin >>> 12];
  if ((e & c.wmask) !== c.wmask || (lin & 0xfff) > 0xfff - len1) probeW(c, lin, len1 + 1);
}

/** Pushes with the current operand size. */
export function pushV(c: CPU, v: number): void {
  if (c.os32) push32(c, v);
  else push16(c, v);
}

/** Reads the value `delta` bytes above the stack top without popping. */
export function peek32(c: CPU, delta: number): number {
  const sp = c.stack32 ? (c.regs[4] + delta) | 0 : (c.reg16[8] + delta) & 0xffff;
  return rd32(c, segR(c, 2 /* SS */, sp, 3));
}
export function peek16(c: CPU, delta: number): number {
  const sp = c.stack32 ? (c.regs[4] + delta) | 0 : (c.reg16[8] + delta) & 0xffff;
  return rd16(c, segR(c, 2 /* SS */, sp, 1));
}

/** Adds `n` to (E)SP according to the stack size. */
export function addSp(c: CPU, n: number): void {
  if (c.stack32) c.regs[4] = (c.regs[4] + n) | 0;
  else c.reg16[8] = (c.reg16[8] + n) & 0xffff;
}

export function pop32(c: CPU): number {
  const v = peek32(c, 0);
  addSp(c, 4);
  return v;
}
export function pop16(c: CPU): number {
  const v = peek16(c, 0);
  addSp(c, 2);
  return v;
}
