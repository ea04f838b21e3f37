// The decoded-instruction cache. Instructions are decoded once (decode.ts) into a
// fixed-size record and kept per *physical* code page, so the cache survives CR3
// loads and needs no linear-address bookkeeping; the code fetch itself still goes
// through the code window (access.ts setWindow: CS limit, TLB, #PF) exactly as the
// plain interpreter does, which keeps page-walk cycles identical.
//
// Layout: `cpu.icache.rec` is one Int32Array of IC_TABLES tables; a table holds one
// record of IC_STRIDE ints for each of the 4096 byte offsets of its page (record k of
// table t starts at ((t << 12) | k) * IC_STRIDE). Word 0 of a record is 0 until it is
// decoded; only 32-bit code whose window is a whole page is cached (access.ts
// setWindow). `icache.table[page]` is table + 1 of a RAM page (0: none). Tables come
// from a free list, then round-robin (the evicted page simply loses its records).
//
// Invalidation: a page that owns a table is marked in mem.codePages, and the TLB
// entries pointing at it lose Tlb.NC, so the fast write paths (which require NC)
// fall to the slow path, which writes through PhysicalMemory and calls onCodeWrite;
// that drops the page's table and forces the next fetch to re-translate and
// re-decode (self-modifying code, including the page being executed, is seen at the
// next instruction, as in the plain interpreter). A page rewritten too often stops
// being cached (IC_SMC_LIMIT) until the table ring wraps around.
//
// Compiled regions (jit.ts) sit on the same structure: `regions` and `hits` have one slot
// per record, are keyed by physical address like the records, and are cleared with
// them when a table is handed to another page.

import type { CPU } from "./cpu.ts";
import { Tlb } from "./mmu.ts";
import type { Region } from "./jit.ts";

/** Ints per decoded record: [handler | len << 8 | mode bits | cycles << 16, operands, immediate, displacement]. */
export const IC_STRIDE = 4;
/** Tables (pages) the cache holds at most: 64 KiB each, so at most 8 MiB (touched only when used). */
export const IC_TABLES = 128;
/** Invalidations of one page after which it runs uncached. */
const IC_SMC_LIMIT = 32;

/** Cache state kept on the CPU. */
export class ICache {
  readonly rec = new Int32Array(IC_TABLES * 4096 * IC_STRIDE);
  /** Per RAM page: table + 1, or 0. */
  readonly table: Int32Array;
  /** Per table: the RAM page it holds, or -1. */
  readonly owner = new Int32Array(IC_TABLES).fill(-1);
  readonly free = new Int32Array(IC_TABLES);
  freeCount = IC_TABLES;
  next = 0;
  /** Per RAM page: invalidations since the ring last wrapped. */
  readonly smc: Uint8Array;
  /** Per record slot ((table << 12) | offset): the compiled region entered there (jit.ts), or null. */
  regions: (Region | null)[] = [];
  /** Per record slot: entries counted towards compiling (NOT_COMPILABLE: never). */
  hits = new Uint16Array(0);
  /** Per record slot: the source bytes of its region (0: none). */
  regionBytes = new Int32Array(0);
  /** Per record slot: 1 when its region ran since the last eviction (enterRegion sets it). */
  regionUsed = new Uint8Array(0);
  /** Per record slot: the most cycles its region can charge before its first cycle check (it is entered only that far below the limit). */
  regionMost = new Int32Array(0);
  /** Per record slot: thresholds its entry has waited beyond the first (jit.ts runRegion). */
  regionDefer = new Uint8Array(0);
  /** Per record slot: runs of its region counted so far towards judging it (judgeRegion). */
  regionRuns = new Uint16Array(0);
  /** Per record slot: instructions those runs retired. */
  regionInsns = new Uint32Array(0);
  /** Source bytes of the regions held (bounds the host memory they hold, jit.ts JIT_CACHE_BYTES). */
  compiledBytes = 0;
  /** Regions compiled since the CPU was made. */
  compiledRegions = 0;

  constructor(ramPages: number) {
    this.table = new Int32Array(ramPages);
    this.smc = new Uint8Array(ramPages);
    for (let i = 0; i < IC_TABLES; i++) this.free[i] = IC_TABLES - 1 - i;
  }
}

/** Allocates the compiler's per-slot tables (10.5 MiB) on its first use. */
export function enableRegions(ic: ICache): void {
  if (ic.hits.length !== 0) return;
  ic.regions = new Array<Region | null>(IC_TABLES * 4096).fill(null);
  ic.hits = new Uint16Array(IC_TABLES * 4096);
  ic.regionBytes = new Int32Array(IC_TABLES * 4096);
  ic.regionUsed = new Uint8Array(IC_TABLES * 4096);
  ic.regionRuns = new Uint16Array(IC_TABLES * 4096);
  ic.regionInsns = new Uint32Array(IC_TABLES * 4096);
  ic.regionMost = new Int32Array(IC_TABLES * 4096);
  ic.regionDefer = new Uint8Array(IC_TABLES * 4096);
}

/** Runs after which a region is judged (judgeRegion). */
export const JUDGE_RUNS = 512;
/** Instructions per run below which a region costs more to enter than it saves. */
const MIN_RUN = 6;

/**
 * Counts a run of the region at `slot` that retired `got` instructions; after
 * JUDGE_RUNS runs, a region that retires fewer than MIN_RUN instructions a run (a
 * two-instruction PIC thunk, a short call between pages) is dropped for good: its
 * entry is left to the interpreter, which runs such code faster than a call into a
 * compiled function does. The caller counts only while regionRuns[slot] < JUDGE_RUNS.
 */
export function judgeRegion(ic: ICache, slot: number, got: number): void {
  const runs = ++ic.regionRuns[slot];
  const insns = (ic.regionInsns[slot] += got);
  if (runs === JUDGE_RUNS && insns < JUDGE_RUNS * MIN_RUN) {
    dropSlots(ic, slot, slot + 1);
    ic.hits[slot] = NOT_COMPILABLE;
  }
}

/**
 * Runs region `f`, held at `slot`, from cpu.eip (the dispatcher's entry: the current
 * window holds it), then, while it leaves to the entry of another region of the page,
 * that one; each only when the cycles it can charge before its first check stay below
 * the limit. Marks each used and judges its first runs. Returns the instructions they
 * retired, or, when none ran, -2 (too near the limit) or what `f` returned.
 */
export function enterRegion(c: CPU, slot: number, f: Region): number {
  const ic = c.icache;
  let total = 0;
  for (;;) {
    if (c.cyc + ic.regionMost[slot] >= c.cycLimit) return total > 0 ? total : -2;
    ic.regionUsed[slot] = 1;
    const got = f(c);
    if (got < 0) return total > 0 ? total : got;
    if (ic.regionRuns[slot] < JUDGE_RUNS) judgeRegion(ic, slot, got);
    total += got;
    const off = (c.eip - c.winEip) | 0;
    if (off >>> 0 >= c.winLen) return total;
    slot = (c.winTbl << 12) | off;
    const next = ic.regions[slot];
    if (next === null) return total;
    f = next;
  }
}

/** Entries into a cached instruction after which its region is compiled (CPU.jitThreshold). */
export const JIT_THRESHOLD = 1000;
/** A `hits` value that is never reached by counting: the entry has no fast form. */
export const NOT_COMPILABLE = 0xffff;

/** Records region `f` of `bytes` source bytes, which can charge `most` cycles before its first check, at `slot`. */
export function holdRegion(ic: ICache, slot: number, f: Region, bytes: number, most: number): void {
  ic.regions[slot] = f;
  ic.regionMost[slot] = most;
  ic.compiledBytes += bytes - ic.regionBytes[slot]; // (a restored snapshot keeps sizes, not functions)
  ic.regionBytes[slot] = bytes;
  ic.regionUsed[slot] = 1;
}

/** Drops the regions of slots [from, to) and their entry counts. */
export function dropSlots(ic: ICache, from: number, to: number): void {
  if (ic.hits.length === 0) return;
  for (let i = from; i < to; i++) ic.compiledBytes -= ic.regionBytes[i];
  ic.regions.fill(null, from, to);
  ic.hits.fill(0, from, to);
  ic.regionBytes.fill(0, from, to);
  ic.regionRuns.fill(0, from, to);
  ic.regionInsns.fill(0, from, to);
  ic.regionDefer.fill(0, from, to);
}

/**
 * Makes room for more regions once their source passes `budget` bytes: drops the regions
 * that did not run since the last call (their entries count afresh), and all of them
 * when that leaves more than half the budget held. Hot code keeps its compiled form
 * while cold code makes way, instead of everything compiling again.
 */
export function evictRegions(ic: ICache, budget: number): void {
  if (ic.compiledBytes <= budget) return;
  const n = ic.regions.length;
  for (let i = 0; i < n; i++) {
    if (ic.regionUsed[i] === 0 && ic.regionBytes[i] !== 0) dropSlots(ic, i, i + 1);
  }
  ic.regionUsed.fill(0);
  if (ic.compiledBytes > budget / 2) dropSlots(ic, 0, n);
}

/**
 * The table index of RAM page `page` for decoding, allocating (and evicting) one when
 * needed; -1 when the page is not to be cached. Marks the page in mem.codePages and
 * clears Tlb.NC in the TLB entries mapping it.
 */
export function tableFor(c: CPU, page: number): number {
  const ic = c.icache;
  const t = ic.table[page] - 1;
  if (t >= 0) return t;
  if (ic.smc[page] >= IC_SMC_LIMIT) return -1;
  let n: number;
  if (ic.freeCount > 0) n = ic.free[--ic.freeCount];
  else {
    n = ic.next;
    if (n === c.winTbl) n = (n + 1) % IC_TABLES; // the current window's table survives (LOCK probe, page crossing)
    ic.next = (n + 1) % IC_TABLES;
    if (ic.next === 0) ic.smc.fill(0);
    const old = ic.owner[n];
    if (old >= 0) {
      ic.table[old] = 0;
      c.mem.codePages[old] = 0; // its TLB entries keep NC clear: writes just take the slow path
    }
  }
  ic.rec.fill(0, n * 4096 * IC_STRIDE, (n + 1) * 4096 * IC_STRIDE);
  dropSlots(ic, n << 12, (n + 1) << 12);
  ic.owner[n] = page;
  ic.table[page] = n + 1;
  c.mem.codePages[page] = 1;
  const tlb = c.tlb;
  const list = c.tlbList;
  const frame = page << 12;
  for (let i = 0, k = c.tlbCount; i < k; i++) {
    const e = tlb[list[i]];
    if ((e & ~0xfff) === frame) tlb[list[i]] = e & ~Tlb.NC;
  }
  return n;
}

/** PhysicalMemory.onCodeWrite: drops the records of RAM page `page`. */
export function invalidateCodePage(c: CPU, page: number): void {
  const ic = c.icache;
  c.mem.codePages[page] = 0;
  const t = ic.table[page] - 1;
  if (t < 0) return;
  ic.table[page] = 0;
  ic.owner[t] = -1;
  ic.free[ic.freeCount++] = t;
  if (ic.smc[page] < 255) ic.smc[page]++;
  if (c.winTbl === t) {
    c.winTbl = -1;
    c.winLen = 0;
    c.ipEnd = 0;
  }
}

/** Drops every record (tests, host-side bulk rewrites of guest RAM that bypass PhysicalMemory). */
export function flushCodeCache(c: CPU): void {
  const ic = c.icache;
  for (let t = 0; t < IC_TABLES; t++) {
    const p = ic.owner[t];
    if (p >= 0) invalidateCodePage(c, p);
  }
  ic.smc.fill(0);
}
