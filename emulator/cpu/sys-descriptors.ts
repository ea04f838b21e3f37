// Descriptor tables and segment-register caches: fetching a GDT/LDT entry,
// decoding it, the protected-mode checks for data and stack segment loads,
// and the ways a cache is filled (real mode, virtual-8086 mode, null, descriptor).
//
// Nothing here allocates: a fetched descriptor lands in the shared `desc`
// scratch record, which the caller copies into locals before the next fetch.
//
// An unusable cache (null selector in protected mode) has segAttr = 0: its P bit
// is clear, and the core raises #GP(0) (#SS(0) for SS) on any access through it.

import type { CPU } from "./cpu.ts";
import { Vec, S, Attr } from "./defs.ts";

/** Access-byte bits (the descriptor's byte 5). */
export const enum Acc {
  A = 0x01, RW = 0x02, DC = 0x04, CODE = 0x08, S = 0x10, DPL = 0x60, P = 0x80,
}

/** System descriptor types (access byte & 0x1f, S bit clear). */
export const enum SysType {
  Tss16 = 0x01, Ldt = 0x02, Tss16Busy = 0x03, CallGate16 = 0x04, TaskGate = 0x05,
  IntGate16 = 0x06, TrapGate16 = 0x07, Tss32 = 0x09, Tss32Busy = 0x0b, CallGate32 = 0x0c,
  IntGate32 = 0x0e, TrapGate32 = 0x0f,
}

/** The last descriptor fetched by fetchDescriptor: its two dwords and its linear address. */
export const desc = { lo: 0, hi: 0, addr: 0 };

/**
 * Reads the GDT or LDT entry named by `sel` into `desc`. Returns false (reading
 * nothing) when the entry lies beyond the table limit or the LDT is null.
 * May fault #PF through readSys32.
 */
export function fetchDescriptor(cpu: CPU, sel: number): boolean {
  const index = sel & 0xfff8;
  let base: number;
  let limit: number;
  if (sel & 4) {
    if ((cpu.ldtSel & 0xfffc) === 0) return false;
    base = cpu.ldtBase;
    limit = cpu.ldtLimit >>> 0;
  } else {
    base = cpu.gdtBase;
    limit = cpu.gdtLimit >>> 0;
  }
  if (index + 7 > limit) return false;
  const addr = (base + index) >>> 0;
  desc.lo = cpu.readSys32(addr);
  desc.hi = cpu.readSys32((addr + 4) >>> 0);
  desc.addr = addr;
  return true;
}

/** Base address of a segment descriptor (signed 32-bit, as segBase stores it). */
export function descBase(lo: number, hi: number): number {
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) | 0;
}

/** Byte-granular limit of a segment descriptor (signed 32-bit; `>>> 0` for the unsigned value). */
export function descLimit(lo: number, hi: number): number {
  const raw = (lo & 0xffff) | (hi & 0xf0000);
  return hi & 0x800000 ? (raw << 12) | 0xfff : raw;
}

/** The cache attribute word (see Attr): access byte, AVL, D/B and G. */
export function descAttr(hi: number): number {
  return (hi >>> 8) & 0xf0ff;
}

/** Sets the accessed bit of the descriptor at `addr` (high dword `hi`) in memory if it is clear. */
export function setAccessed(cpu: CPU, addr: number, hi: number): void {
  if ((hi & 0x100) === 0) cpu.writeSys8((addr + 5) >>> 0, ((hi >>> 8) & 0xff) | Acc.A);
}

/** Fills segment cache `seg` directly. */
export function setSegment(cpu: CPU, seg: number, sel: number, base: number, limit: number, attr: number): void {
  cpu.segSel[seg] = sel;
  cpu.segBase[seg] = base;
  cpu.segLimit[seg] = limit;
  cpu.segAttr[seg] = attr;
}

/** Real-mode load: base = sel << 4; the limit and attributes stay as they were (as on hardware). */
export function loadRealSegment(cpu: CPU, seg: number, sel: number): void {
  sel &= 0xffff;
  cpu.segSel[seg] = sel;
  cpu.segBase[seg] = sel << 4;
}

/** Attributes of every segment in virtual-8086 mode: present, DPL 3, read/write data, accessed. */
export const V86_ATTR = Acc.P | Acc.DPL | Acc.S | Acc.RW | Acc.A;

/** Virtual-8086-mode load: base = sel << 4, limit 0xFFFF, DPL 3 data. */
export function loadV86Segment(cpu: CPU, seg: number, sel: number): void {
  sel &= 0xffff;
  setSegment(cpu, seg, sel, sel << 4, 0xffff, V86_ATTR);
}

/** Marks `seg` unusable (null selector in protected mode), keeping `sel` as the visible selector. */
export function loadNullSegment(cpu: CPU, seg: number, sel: number): void {
  setSegment(cpu, seg, sel & 0xffff, 0, 0, 0);
}

/**
 * Protected-mode load of a data segment register (seg ≠ CS) with every check of
 * the manual, at privilege `cpl`. Check failures raise `badVec` (Vec.GP for MOV/POP,
 * Vec.TS during a task switch) with the selector as error code (+ `ext`); a
 * not-present descriptor raises #SS (SS) or #NP (others). A null selector is legal
 * for DS/ES/FS/GS and leaves the cache unusable. Sets the accessed bit in memory
 * before committing, so a fault leaves the register unchanged.
 */
export function loadProtectedSegment(cpu: CPU, seg: number, sel: number, cpl: number, badVec: number, ext: number): void {
  sel &= 0xffff;
  const code = (sel & 0xfffc) | ext;
  if ((sel & 0xfffc) === 0) {
    if (seg === S.SS) cpu.fault(badVec, ext);
    loadNullSegment(cpu, seg, sel);
    return;
  }
  if (!fetchDescriptor(cpu, sel)) cpu.fault(badVec, code);
  const lo = desc.lo;
  const hi = desc.hi;
  const addr = desc.addr;
  const acc = (hi >>> 8) & 0xff;
  const dpl = (acc >>> 5) & 3;
  const rpl = sel & 3;
  if (seg === S.SS) {
    if (rpl !== cpl || (acc & (Acc.S | Acc.CODE | Acc.RW)) !== (Acc.S | Acc.RW) || dpl !== cpl) cpu.fault(badVec, code);
    if ((acc & Acc.P) === 0) cpu.fault(Vec.SS, code);
  } else {
    if ((acc & Acc.S) === 0) cpu.fault(badVec, code);
    if ((acc & Acc.CODE) !== 0 && (acc & Acc.RW) === 0) cpu.fault(badVec, code); // execute-only code
    const conformingCode = (acc & (Acc.CODE | Acc.DC)) === (Acc.CODE | Acc.DC);
    if (!conformingCode && (dpl < cpl || dpl < rpl)) cpu.fault(badVec, code);
    if ((acc & Acc.P) === 0) cpu.fault(Vec.NP, code);
  }
  setAccessed(cpu, addr, hi);
  setSegment(cpu, seg, sel, descBase(lo, hi), descLimit(lo, hi), descAttr(hi) | Acc.A);
}

/**
 * Checks a descriptor already in `lo/hi` as the stack segment `sel` for privilege
 * level `dpl` (the inner stack of a gate or task). Failures raise #TS(sel + ext),
 * not present #SS(sel + ext). Does not fetch; the caller fetched.
 */
export function checkInnerStack(cpu: CPU, sel: number, hi: number, dpl: number, ext: number): void {
  const acc = (hi >>> 8) & 0xff;
  const code = (sel & 0xfffc) | ext;
  if ((sel & 3) !== dpl || ((acc >>> 5) & 3) !== dpl || (acc & (Acc.S | Acc.CODE | Acc.RW)) !== (Acc.S | Acc.RW)) {
    cpu.fault(Vec.TS, code);
  }
  if ((acc & Acc.P) === 0) cpu.fault(Vec.SS, code);
}

/**
 * True when the `bytes` bytes a push of that size below `esp` (push = true) or a pop
 * at `esp` (push = false) touches lie inside the stack segment described by
 * `limit`/`attr` (expand-up or expand-down, 16- or 32-bit by the B bit). The frame is
 * made of `unit`-byte elements. On a 16-bit stack every push and pop moves SP modulo
 * 64K (Intel SDM vol. 2, PUSH/POP Operation: SP <- SP - size), so a frame may wrap from
 * offset 0 to 0xffff; it fits when every offset it uses is inside an expand-up limit,
 * including the bytes of an element that straddles 0xffff when SP is not aligned to
 * `unit` (such an element is not split: its bytes continue past 0xffff).
 */
export function stackFits(limit: number, attr: number, esp: number, bytes: number, push: boolean, unit = 1): boolean {
  const big = (attr & Attr.DB) !== 0;
  const mask = big ? 0xffffffff : 0xffff;
  const low = ((push ? esp - bytes : esp) & mask) >>> 0;
  const high = ((low + bytes - 1) & mask) >>> 0;
  const lim = limit >>> 0;
  const down = (attr & (Acc.CODE | Acc.DC)) === Acc.DC;
  if (high >= low) return down ? low > lim : high <= lim;
  return !big && !down && lim >= 0xffff + (low & (unit - 1));
}

/**
 * Checks that `bytes` can be popped, in `unit`-byte elements, from the current SS:ESP;
 * #SS(0) otherwise (protected mode only).
 */
export function checkPop(cpu: CPU, esp: number, bytes: number, unit = 1): void {
  if (!stackFits(cpu.segLimit[S.SS], cpu.segAttr[S.SS], esp, bytes, false, unit)) cpu.fault(Vec.SS, 0);
}

/**
 * After a return to an outer privilege level: DS, ES, FS and GS holding data or
 * non-conforming code segments more privileged than `cpl` become null.
 */
export function nullInvalidDataSegments(cpu: CPU, cpl: number): void {
  for (let i = 0; i < OUTER_SEGS.length; i++) {
    const seg = OUTER_SEGS[i];
    const attr = cpu.segAttr[seg];
    if ((attr & Acc.P) === 0) continue;
    const conformingCode = (attr & (Acc.CODE | Acc.DC)) === (Acc.CODE | Acc.DC);
    if (!conformingCode && ((attr >>> 5) & 3) < cpl) loadNullSegment(cpu, seg, 0);
  }
}

/** ES DS FS GS (literal: cpu.ts's enums are not evaluated yet when this module loads). */
const OUTER_SEGS: readonly number[] = [0, 3, 4, 5];
