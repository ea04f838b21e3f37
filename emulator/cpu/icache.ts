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
// Compiled regions (jit.ts) sit on the same structure: a table's RegionTable has one slot
// per record, keyed by physical address like the records, and goes with them when the
// table is handed to another page. It is made when the compiler first counts an entry
// of the table, so a CPU holds region state only for the pages its hot code is on.

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
  /** Per table: the compiler's state for its entries (jit.ts), made at the first one counted; null: none. */
  readonly regions: (RegionTable | null)[] = new Array<RegionTable | null>(IC_TABLES).fill(null);
  /** Source bytes of the regions held (bounds the host memory they hold, jit.ts JIT_CACHE_BYTES). */
  compiledBytes = 0;
  /** Regions compiled since the CPU was made. */
  compiledRegions = 0;
  /** Instructions retired by compiled regions since the CPU was made (jit.ts runRegion). */
  compiledRetired = 0;

  constructor(ramPages: number) {
    this.table = new Int32Array(ramPages);
    this.smc = new Uint8Array(ramPages);
    for (let i = 0; i < IC_TABLES; i++) this.free[i] = IC_TABLES - 1 - i;
  }
}

/** The compiler's state for the 4096 entries of one table (jit.ts runRegion). */
export class RegionTable {
  /** The compiled region entered at each offset, or null. */
  readonly fn = new Array<Region | null>(4096).fill(null);
  /** Entries counted towards compiling (NOT_COMPILABLE: never). */
  readonly hits = new Uint16Array(4096);
  /**
   * The source bytes of the region held (0: none); a region held at several of its
   * cases (jit.ts hold) counts them at each, so the bound they are kept under errs on
   * the safe side.
   */
  readonly bytes = new Int32Array(4096);
  /** 1 when the region ran since the last eviction (jit.ts runRegion sets it). */
  readonly used = new Uint8Array(4096);
  /** The most cycles the region can charge before its first cycle check (it is entered only that far below the limit). */
  readonly most = new Int32Array(4096);
  /** Thresholds the entry has waited beyond the first (jit.ts runRegion). */
  readonly defer = new Uint8Array(4096);
  /** Runs left that the region makes with a lowered limit (jit.ts youngRun). */
  readonly young = new Uint8Array(4096);
  /** Source bytes of the regions held. */
  held = 0;
}

/** The region state of table `t`, made when it has none. */
export function regionTable(ic: ICache, t: number): RegionTable {
  return ic.regions[t] ?? (ic.regions[t] = new RegionTable());
}

/** Entries into a cached instruction after which its region is compiled (CPU.jitThreshold). */
export const JIT_THRESHOLD = 1000;
/**
 * Instructions a CPU retires before it compiles anything (CPU.jitWarmup), about a tenth of
 * a second of interpreting: a run shorter than this (a command, a fork benchmark's guest)
 * is interpreted whole, since the regions it could compile would run too few times to
 * repay compiling them (`npm run bench -- --no-native`, its cases' wall times summed, two
 * runs each: 7% and 12% over --no-jit at 4 million, 0% and 4% at 12 million).
 */
export const JIT_WARMUP = 12_000_000;
/**
 * Runs of a newly compiled region that leave at its first cycle check (jit.ts youngRun).
 * V8 allocates a function's feedback only after it has run about eight times its
 * bytecode size (Node 20's --interrupt-budget-factor-for-feedback-allocation), so short
 * runs take dozens: for bench:cpu's int kernel 16 were too few and 32 enough. This is
 * twice that.
 */
export const YOUNG_RUNS = 64;
/** A `hits` value that is never reached by counting: the entry has no fast form. */
export const NOT_COMPILABLE = 0xffff;

/**
 * Records region `f` of `bytes` source bytes, which can charge `most` cycles before its
 * first check and makes its next `young` runs short (jit.ts youngRun), at offset `off` of `rt`.
 */
export function holdRegion(ic: ICache, rt: RegionTable, off: number, f: Region, bytes: number, most: number, young = 0): void {
  rt.fn[off] = f;
  rt.most[off] = most;
  const more = bytes - rt.bytes[off]; // (replacing what the offset held)
  rt.held += more;
  ic.compiledBytes += more;
  rt.bytes[off] = bytes;
  rt.used[off] = 1;
  rt.young[off] = young;
}

/** Drops the region at offset `off` of `rt` and its entry's counts. */
export function dropRegion(ic: ICache, rt: RegionTable, off: number): void {
  rt.held -= rt.bytes[off];
  ic.compiledBytes -= rt.bytes[off];
  rt.fn[off] = null;
  rt.hits[off] = 0;
  rt.bytes[off] = 0;
  rt.defer[off] = 0;
}

/** Drops table `t`'s regions and counts. */
function dropTable(ic: ICache, t: number): void {
  const rt = ic.regions[t];
  if (rt === null) return;
  ic.compiledBytes -= rt.held;
  ic.regions[t] = null;
}

/** Drops every region and count (a restored snapshot, whose regions were host functions). */
export function dropAllRegions(ic: ICache): void {
  for (let t = 0; t < IC_TABLES; t++) dropTable(ic, t);
}

/**
 * Makes room for more regions once their source passes `budget` bytes: drops the regions
 * that did not run since the last call (their entries count afresh), and all of them
 * when that leaves more than half the budget held. Hot code keeps its compiled form
 * while cold code makes way, instead of everything compiling again.
 */
export function evictRegions(ic: ICache, budget: number): void {
  if (ic.compiledBytes <= budget) return;
  for (const rt of ic.regions) {
    if (rt === null) continue;
    for (let i = 0; i < 4096; i++) {
      if (rt.used[i] === 0 && rt.bytes[i] !== 0) dropRegion(ic, rt, i);
    }
    rt.used.fill(0);
  }
  if (ic.compiledBytes > budget / 2) dropAllRegions(ic);
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
  dropTable(ic, n);
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
