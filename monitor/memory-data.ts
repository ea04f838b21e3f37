// The data behind the monitor's memory views: one process's page-table walk,
// a frame's struct page, the page states of an address space and the owner of
// every physical frame, as plain data and typed arrays. The monitor's `walk`
// and `frame` text are formatters of these (kernel-commands.ts); the web
// page's memory pictures draw the same data (web/worker/memory-snapshot.ts).
// Reads guest memory through the machine, so looking never charges guest cycles.

import type { Kernel } from "../kernel/kernel.ts";
import type { Task } from "../kernel/proc/task.ts";
import type { VmArea } from "../kernel/mm/vma.ts";
import { VM_WRITE } from "../kernel/mm/vma.ts";
import { PG } from "../kernel/mm/page.ts";
import { isSwapPte, swapPteSlot } from "../kernel/mm/swap.ts";
import { vmaName, vmaPermString } from "../kernel/mm/maps.ts";
import type { PhysicalMemory } from "../emulator/memory/physmem.ts";
import { findTask, vmaFlagWords, vmaShort } from "./kernel-view.ts";

/** The struct page flag names the monitor prints, in its order. */
export const PAGE_FLAG_NAMES: readonly (readonly [string, number])[] = [
  ["RESERVED", PG.RESERVED], ["ANON", PG.ANON], ["PAGETABLE", PG.PAGETABLE], ["PGD", PG.PGD], ["DIRTY", PG.DIRTY],
  ["UPTODATE", PG.UPTODATE], ["KERNEL", PG.KERNEL], ["CACHE", PG.CACHE], ["STORE", PG.STORE],
];

/** One frame's struct page as data (inRam false: pfn beyond RAM, the other fields 0). */
export interface PageData {
  pfn: number;
  inRam: boolean;
  count: number;
  mapcount: number;
  pins: number;
  flags: number;
  flagNames: string[];
  /** The page's mapping: "anonmm", "file", or null. */
  owner: "anonmm" | "file" | null;
  index: number;
  free: boolean;
  zeroPage: boolean;
}

/** Frame pfn's struct page fields (any pfn; beyond RAM gives inRam false). */
export function pageData(k: Kernel, pfn: number): PageData {
  const fr = k.mmctx.frames;
  if (pfn < 0 || pfn >= fr.nframes) {
    return { pfn, inRam: false, count: 0, mapcount: 0, pins: 0, flags: 0, flagNames: [], owner: null, index: 0, free: false, zeroPage: false };
  }
  const f = fr.flags[pfn];
  const m = fr.mapping[pfn];
  return {
    pfn,
    inRam: true,
    count: fr.count[pfn],
    mapcount: fr.mapcount[pfn],
    pins: fr.pins[pfn],
    flags: f,
    flagNames: PAGE_FLAG_NAMES.filter(([, b]) => f & b).map(([n]) => n),
    owner: m ? (m.kind === "anon" ? "anonmm" : "file") : null,
    index: fr.index[pfn],
    free: fr.count[pfn] === 0 && !(f & PG.RESERVED),
    zeroPage: pfn === k.mmctx.zeroPfn,
  };
}

/** The walk of one virtual address in one process, every value raw (the monitor's `walk`). */
export interface WalkData {
  pid: number;
  comm: string;
  pgd: number;
  va: number;
  pdi: number;
  pdeAddr: number;
  pde: number;
  /** PTE index, address and value; null when the PDE is not present or maps a 4 MiB page. */
  pti: number | null;
  pteAddr: number | null;
  pte: number | null;
  /** The frame the walk ends at, or -1. */
  pfn: number;
  /** The frame's struct page when the PTE is present. */
  page: PageData | null;
  /** The swap entry when the PTE is a swap entry. */
  swap: { slot: number; users: number; cachedPfn: number } | null;
  /** The area holding va ("start-end perms name" and flag words), or null. */
  vma: { text: string; flags: string[] } | null;
  /** The next area when va is in none. */
  nextVma: string | null;
}

/** The task pid with an address space, or null (no such task, or a kernel thread). */
export function taskWithMm(k: Kernel, pid: number): Task | null {
  const t = findTask(k, pid);
  return t && t.mm ? t : null;
}

/** Walks va in task t's page tables (t must have an mm). */
export function walkData(k: Kernel, mem: PhysicalMemory, t: Task, va: number): WalkData {
  const mm = t.mm!;
  va >>>= 0;
  const pdi = va >>> 22;
  const pdeAddr = mm.pgd + pdi * 4;
  const pde = mem.read32(pdeAddr) >>> 0;
  const out: WalkData = {
    pid: t.pid, comm: t.comm, pgd: mm.pgd, va, pdi, pdeAddr, pde, pti: null, pteAddr: null, pte: null,
    pfn: -1, page: null, swap: null, vma: null, nextVma: null,
  };
  if (pde & 1 && !(pde & 0x80)) {
    const pti = (va >>> 12) & 0x3ff;
    const pteAddr = ((pde & ~0xfff) >>> 0) + pti * 4;
    const pte = mem.read32(pteAddr) >>> 0;
    out.pti = pti;
    out.pteAddr = pteAddr;
    out.pte = pte;
    if (pte & 1) {
      out.pfn = pte >>> 12;
      out.page = pageData(k, out.pfn);
    } else if (isSwapPte(pte)) {
      const slot = swapPteSlot(pte), sw = k.mmctx.swap;
      out.swap = { slot, users: sw.swapMap[slot], cachedPfn: sw.lookupSwapCache(slot) };
    }
  } else if (pde & 0x80) {
    out.pfn = ((pde & 0xffc00000) + (va & 0x3ff000)) >>> 12;
  }
  const v = mm.vmas[mm.searchIndex(va)];
  if (v && v.vmStart <= va) out.vma = { text: vmaShort(mm, v), flags: vmaFlagWords(v) };
  else if (v) out.nextVma = vmaShort(mm, v);
  return out;
}

/** What the address-space picture colours a page by. */
export const enum PageState {
  None = 0,
  PresentRO = 1,
  PresentRW = 2,
  CowShared = 3,
  File = 4,
  Swapped = 5,
  ZeroPage = 6,
}

/** Names of PageState values, by value. */
export const PAGE_STATE_NAMES: readonly string[] = ["not present", "present read-only", "present writable", "COW-shared", "file-backed", "swapped", "zero page"];

/**
 * The state of the page a PTE maps inside area v: swapped (swap entry),
 * not present, the zero page, file-backed (a page-cache frame), COW-shared
 * (an anonymous frame mapped more than once, or write-protected in a
 * writable area), else present writable or read-only by the PTE's R/W bit.
 */
export function pageStateOf(k: Kernel, v: VmArea, pte: number): PageState {
  if (!(pte & 1)) return pte !== 0 && isSwapPte(pte) ? PageState.Swapped : PageState.None;
  const pfn = pte >>> 12;
  const ctx = k.mmctx;
  if (pfn === ctx.zeroPfn) return PageState.ZeroPage;
  const fr = ctx.frames;
  if (pfn < fr.nframes) {
    const f = fr.flags[pfn];
    if (f & PG.CACHE) return PageState.File;
    if (f & PG.ANON && (fr.mapcount[pfn] > 1 || (!(pte & 2) && v.vmFlags & VM_WRITE))) return PageState.CowShared;
  }
  return pte & 2 ? PageState.PresentRW : PageState.PresentRO;
}

/** One area of an address-space snapshot; its cells are states[firstCell .. firstCell+cells-1]. */
export interface AreaData {
  start: number;
  end: number;
  perms: string;
  name: string;
  flags: string[];
  firstCell: number;
  cells: number;
  /** Pages one cell stands for (1 unless the area is larger than the per-area cap). */
  pagesPerCell: number;
}

/** A process's address space: its areas and one state, PTE and frame per cell. */
export interface AddressSpaceData {
  pid: number;
  comm: string;
  pgd: number;
  areas: AreaData[];
  /** PageState per cell (for a multi-page cell: the highest state among its pages). */
  states: Uint8Array;
  /** The PTE of the cell's first page (or of the page that gave its state). */
  ptes: Uint32Array;
  /** The user PDEs (0..767) and the kernel PDEs (768..1023). */
  pdes: Uint32Array;
  /** Per user PDE: 1 where its page table is shared with another address space (sharedpt: the table's frame has more than one reference). */
  sharedTables: Uint8Array;
}

/**
 * Snapshot of task t's address space (t must have an mm): every area, each
 * page one cell (an area over maxCellsPerArea pages is shown in groups of
 * pages per cell). Reads only page tables and struct pages.
 */
export function addressSpaceData(k: Kernel, mem: PhysicalMemory, t: Task, maxCellsPerArea = 8192): AddressSpaceData {
  const mm = t.mm!;
  const areas: AreaData[] = [];
  let total = 0;
  for (const v of mm.vmas) {
    const pages = (v.vmEnd - v.vmStart) / 4096;
    const ppc = pages > maxCellsPerArea ? Math.ceil(pages / maxCellsPerArea) : 1;
    const cells = Math.ceil(pages / ppc);
    areas.push({ start: v.vmStart, end: v.vmEnd, perms: vmaPermString(v), name: vmaName(mm, v), flags: vmaFlagWords(v), firstCell: total, cells, pagesPerCell: ppc });
    total += cells;
  }
  const states = new Uint8Array(total);
  const ptes = new Uint32Array(total);
  const pdes = new Uint32Array(1024);
  const sharedTables = new Uint8Array(1024);
  for (let i = 0; i < 1024; i++) {
    const pde = (pdes[i] = mem.read32(mm.pgd + i * 4) >>> 0);
    if (i < 768 && pde & 1 && !(pde & 0x80) && k.mmctx.frames.count[pde >>> 12] > 1) sharedTables[i] = 1;
  }
  for (let a = 0; a < areas.length; a++) {
    const area = areas[a], v = mm.vmas[a];
    for (let c = 0; c < area.cells; c++) {
      const cell = area.firstCell + c;
      let best = -1;
      for (let p = 0; p < area.pagesPerCell; p++) {
        const va = area.start + (c * area.pagesPerCell + p) * 4096;
        if (va >= area.end) break;
        const pde = pdes[va >>> 22];
        const pte = pde & 1 && !(pde & 0x80) ? mem.read32(((pde & ~0xfff) >>> 0) + ((va >>> 12) & 0x3ff) * 4) >>> 0 : 0;
        const s = pageStateOf(k, v, pte);
        if (s > best) {
          best = s;
          ptes[cell] = pte;
        }
      }
      states[cell] = best < 0 ? 0 : best;
    }
  }
  return { pid: t.pid, comm: t.comm, pgd: mm.pgd, areas, states, ptes, pdes, sharedTables };
}

/** Who owns a physical frame, for the physical memory picture. */
export const enum FrameOwner {
  Free = 0,
  Reserved = 1,
  Kernel = 2,
  PageTable = 3,
  Anon = 4,
  PageCache = 5,
  SwapCache = 6,
  FileStore = 7,
  Other = 8,
}

/** Names of FrameOwner values, by value. */
export const FRAME_OWNER_NAMES: readonly string[] = ["free", "reserved (kernel image, boot)", "kernel", "page table", "anon", "file / page cache", "swap cache", "tmpfs/ramfs data", "other"];

/**
 * The owner of every frame of RAM (index pfn), into out when it is long
 * enough (else a new array). Precedence: reserved, free, page table or page
 * directory, swap cache, anon, page cache, file store, kernel, other.
 */
export function frameOwners(k: Kernel, out?: Uint8Array): Uint8Array {
  const fr = k.mmctx.frames;
  const n = fr.nframes;
  const res = out && out.length >= n ? out : new Uint8Array(n);
  const swapCached = k.mmctx.swap.cachedSlot;
  for (let pfn = 0; pfn < n; pfn++) {
    const f = fr.flags[pfn];
    let o: FrameOwner;
    if (f & PG.RESERVED) o = FrameOwner.Reserved;
    else if (fr.count[pfn] === 0) o = FrameOwner.Free;
    else if (f & (PG.PAGETABLE | PG.PGD)) o = FrameOwner.PageTable;
    else if (swapCached.size > 0 && swapCached.has(pfn)) o = FrameOwner.SwapCache;
    else if (f & PG.ANON) o = FrameOwner.Anon;
    else if (f & PG.CACHE) o = FrameOwner.PageCache;
    else if (f & PG.STORE) o = FrameOwner.FileStore;
    else if (f & PG.KERNEL || fr.pins[pfn] > 0) o = FrameOwner.Kernel;
    else o = FrameOwner.Other;
    res[pfn] = o;
  }
  return res;
}
