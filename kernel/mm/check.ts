// The frame accounting self-check: recounts every reference the page tables,
// page caches, file stores and kernel pins hold and compares with struct
// page. Runnable from tests and the monitor; returns the violations found
// (empty = sound).

import { PAGE_SHIFT, PGDIR_SIZE, PTRS_PER_PTE, USER_PTRS_PER_PGD, PAGE_SIZE } from "./config.ts";
import type { MmContext } from "./context.ts";
import { PG } from "./page.ts";
import { pdePresent, pdeTable, ptePresent, pteWrite } from "./pgtable.ts";
import { isZeroPte } from "./fault-decision.ts";
import { vmNormalPage } from "./memory.ts";
import { Anonmm } from "./rmap.ts";
import { swapPteSlot } from "./swap.ts";
import { AddressSpace } from "./filemap.ts";
import { filePagesIfAny } from "./store-frames.ts";

const hex = (n: number): string => "0x" + (n >>> 0).toString(16);

/**
 * Checks, for every mm in ctx.mms and every frame: count == PTE references
 * (one per distinct page table) + page-cache slots + kernel pins; mapcount ==
 * PTE mappings; every user PTE lies inside an area of each mm whose directory
 * points at its table; no free frame is mapped or cached; page tables are
 * referenced exactly by their count of PDEs; page directories belong to one
 * mm; rss matches the normal pages mapped; areas are sorted and disjoint;
 * every swap slot's use count equals the swap-entry PTEs holding it (so after
 * all processes exit no slot stays in use); every frame of a file store
 * (ramfs/tmpfs data) is held by exactly one store slot, carries PG.STORE, and
 * if cached is the cache page of the same index; the stores hold as many
 * frames as the allocator recorded.
 */
export function checkFrames(ctx: MmContext): string[] {
  const out: string[] = [];
  const frames = ctx.frames;
  const n = frames.nframes;
  const refs = new Int32Array(n);
  const maps = new Int32Array(n);
  const tableRefs = new Int32Array(n);
  const pgdRefs = new Int32Array(n);
  const tableSeen = new Uint8Array(n);
  const slotRefs = new Int32Array(ctx.swap.nslots + 1);
  const bad = (msg: string): void => {
    if (out.length < 100) out.push(msg);
  };

  for (const mm of ctx.mms) {
    if (mm.users <= 0) bad(`mm ${hex(mm.pgd)}: live mm with ${mm.users} users`);
    const pgdPfn = mm.pgd >>> PAGE_SHIFT;
    pgdRefs[pgdPfn]++;
    if (!(frames.flags[pgdPfn] & PG.PGD)) bad(`mm ${hex(mm.pgd)}: pgd frame not marked PGD`);
    let last = 0;
    for (const v of mm.vmas) {
      if (v.vmStart < last || v.vmStart >= v.vmEnd) bad(`mm ${hex(mm.pgd)}: areas unsorted/overlapping at ${hex(v.vmStart)}`);
      if (v.vmMm !== mm) bad(`mm ${hex(mm.pgd)}: area ${hex(v.vmStart)} belongs to another mm`);
      last = v.vmEnd;
    }
    // The MMU sets accessed/dirty bits in the PDEs it walks: compare everything else.
    const AD = ~0x60;
    for (let idx = 768; idx < 1024; idx++) {
      if ((ctx.mem.read32(mm.pgd + idx * 4) & AD) !== (ctx.mem.read32(ctx.masterPgdPa + idx * 4) & AD)) {
        bad(`mm ${hex(mm.pgd)}: kernel PDE ${idx} differs from the master directory`);
      }
    }
    let rss = 0, tables = 0;
    for (let idx = 0; idx < USER_PTRS_PER_PGD; idx++) {
      const pde = ctx.mem.read32(mm.pgd + idx * 4);
      if (!pdePresent(pde)) continue;
      tables++;
      const table = pdeTable(pde);
      const tpfn = table >>> PAGE_SHIFT;
      if (tpfn >= n || !(frames.flags[tpfn] & PG.PAGETABLE)) {
        bad(`mm ${hex(mm.pgd)}: PDE ${idx} points at ${hex(table)}, not a page table`);
        continue;
      }
      tableRefs[tpfn]++;
      const first = tableSeen[tpfn] === 0;
      tableSeen[tpfn] = 1;
      for (let i = 0; i < PTRS_PER_PTE; i++) {
        const pte = ctx.mem.read32(table + i * 4);
        if (pte === 0) continue;
        const va = idx * PGDIR_SIZE + i * PAGE_SIZE;
        const vma = mm.findVma(va);
        if (!vma || vma.vmStart > va) {
          bad(`mm ${hex(mm.pgd)}: PTE for ${hex(va)} outside every area`);
          continue;
        }
        if (!ptePresent(pte)) {
          const slot = swapPteSlot(pte);
          if (slot < 1 || slot > ctx.swap.nslots) bad(`mm ${hex(mm.pgd)}: non-present PTE ${hex(pte)} at ${hex(va)} is no swap entry`);
          else if (first) slotRefs[slot]++;
          continue;
        }
        const page = vmNormalPage(ctx, vma, va, pte);
        if (page < 0) {
          if (isZeroPte(ctx, vma, page, pte) && pteWrite(pte)) bad(`mm ${hex(mm.pgd)}: the zero page is writable at ${hex(va)}`);
          continue;
        }
        rss++;
        const owner = frames.mapping[page];
        if (frames.flags[page] & PG.ANON) {
          if (!(owner instanceof Anonmm) || owner.head !== mm.anonmm?.head || frames.index[page] !== va / PAGE_SIZE) {
            bad(`frame ${page}: anonymous page at ${hex(va)} not reachable through its mm's anonmm bundle`);
          }
        } else if (frames.flags[page] & PG.CACHE) {
          if (!vma.vmFile || owner !== vma.vmFile.mapping || frames.index[page] !== (va - vma.vmStart) / PAGE_SIZE + vma.vmPgoff) {
            bad(`frame ${page}: file page at ${hex(va)} not reachable through its file's i_mmap`);
          }
        }
        if (frames.count[page] === 0) bad(`frame ${page}: free but mapped at ${hex(va)} in mm ${hex(mm.pgd)}`);
        if (first) {
          refs[page]++;
          maps[page]++;
        }
      }
    }
    if (tables !== mm.nrPtes) bad(`mm ${hex(mm.pgd)}: nrPtes ${mm.nrPtes} but ${tables} page tables`);
    if (rss !== mm.rss) bad(`mm ${hex(mm.pgd)}: rss ${mm.rss} (file ${mm.fileRss} anon ${mm.anonRss}) but ${rss} pages mapped`);
  }
  for (const as of ctx.mappings) {
    for (const [index, pfn] of as.pages) {
      if (frames.count[pfn] === 0) bad(`frame ${pfn}: free but in a page cache at index ${index}`);
      else if (!(frames.flags[pfn] & PG.CACHE)) bad(`frame ${pfn}: cached but not marked CACHE`);
      refs[pfn]++;
    }
  }
  const stores = filePagesIfAny(ctx);
  const storeRefs = new Int32Array(n);
  let storePages = 0;
  for (const [store, held] of stores?.owners ?? []) {
    let seen = 0;
    store.forEachPage((index, pfn) => {
      seen++;
      if (!frames.isNormal(pfn)) {
        bad(`file store page ${index}: ${pfn} is not a frame`);
        return;
      }
      storeRefs[pfn]++;
      refs[pfn]++;
      if (frames.count[pfn] === 0) bad(`frame ${pfn}: free but in a file store at index ${index}`);
      else if (!(frames.flags[pfn] & PG.STORE)) bad(`frame ${pfn}: in a file store but not marked STORE`);
      if (frames.flags[pfn] & PG.CACHE) {
        const as = frames.mapping[pfn];
        if (frames.index[pfn] !== index || !(as instanceof AddressSpace) || as.findPage(index) !== pfn) {
          bad(`frame ${pfn}: file store page ${index} cached at another index or in no page cache`);
        }
      }
    });
    if (seen !== held) bad(`file store holds ${seen} frames but the allocator recorded ${held}`);
    storePages += seen;
  }
  if (stores !== undefined && storePages !== stores.nrPages) bad(`file stores hold ${storePages} frames but the allocator counts ${stores.nrPages}`);
  for (const [pfn, slot] of ctx.swap.cachedSlot) {
    if (ctx.swap.swapMap[slot] <= 0) bad(`frame ${pfn}: in the swap cache for free slot ${slot}`);
    if (ctx.swap.lookupSwapCache(slot) !== pfn) bad(`frame ${pfn}: swap cache maps slot ${slot} elsewhere`);
    refs[pfn]++;
  }
  let free = 0;
  for (let pfn = frames.firstPfn; pfn < n; pfn++) {
    const f = frames.flags[pfn];
    const count = frames.count[pfn];
    if (count === 0) {
      free++;
      if (refs[pfn] || tableRefs[pfn] || pgdRefs[pfn]) bad(`frame ${pfn}: free but referenced`);
      continue;
    }
    if (f & PG.PAGETABLE) {
      if (count !== tableRefs[pfn]) bad(`page table ${pfn}: count ${count} but ${tableRefs[pfn]} PDEs point at it`);
      continue;
    }
    if (f & PG.PGD) {
      if (pgdRefs[pfn] !== 1 || count !== 1) bad(`pgd ${pfn}: count ${count}, used by ${pgdRefs[pfn]} mms`);
      continue;
    }
    if (((f & PG.STORE) !== 0) !== (storeRefs[pfn] === 1)) bad(`frame ${pfn}: STORE flag but ${storeRefs[pfn]} file stores hold it`);
    const want = refs[pfn] + frames.pins[pfn];
    if (count !== want) bad(`frame ${pfn}: count ${count} but ${refs[pfn]} references + ${frames.pins[pfn]} pins`);
    if (frames.mapcount[pfn] !== maps[pfn]) bad(`frame ${pfn}: mapcount ${frames.mapcount[pfn]} but ${maps[pfn]} PTEs`);
  }
  if (free !== frames.freeCount) bad(`free list holds ${frames.freeCount} frames but ${free} have count 0`);
  let freeSlots = 0;
  for (let s = 1; s <= ctx.swap.nslots; s++) {
    if (ctx.swap.swapMap[s] !== slotRefs[s]) bad(`swap slot ${s}: use count ${ctx.swap.swapMap[s]} but ${slotRefs[s]} PTEs hold it`);
    if (ctx.swap.swapMap[s] === 0) freeSlots++;
  }
  if (freeSlots !== ctx.swap.freeCount) bad(`swap: ${ctx.swap.freeCount} slots on the free list but ${freeSlots} unused`);
  if (!ctx.mem.readBytes(ctx.zeroPfn * PAGE_SIZE, PAGE_SIZE).every((b) => b === 0)) bad("the shared zero page is not all zeros");
  return out;
}

