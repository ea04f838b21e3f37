// The swap area: a RAM-backed block device of `swap=SIZE` bytes (kernel
// command line) divided into page slots, with a use count per slot (Linux
// swap_map). A swapped-out anonymous page leaves a swap entry in each PTE
// that mapped it: a non-present, non-zero PTE holding the slot number
// (slot << 8; slot 0 is never used, as Linux keeps it for the header). Fork
// duplicates entries (swap_duplicate), zap frees them (swap_free), the fault
// path reads the page back (doSwapPage, in fault.ts). A slot still held by
// other PTEs keeps the frame it was read into in the swap cache, so every mm
// that touches the slot maps that one frame (copy-on-write) instead of
// reading its own copy; the cache lets go when the slot is freed.

import { panic } from "../panic.ts";
import type { PhysMem } from "../arch/phys.ts";
import { PAGE_SIZE } from "./config.ts";

const SLOT_SHIFT = 8;

/** True if a PTE value is a swap entry (not present, not none). */
export function isSwapPte(pte: number): boolean {
  return pte !== 0 && (pte & 1) === 0;
}

/** The slot of a swap-entry PTE. */
export function swapPteSlot(pte: number): number {
  return pte >>> SLOT_SHIFT;
}

/** The PTE value for a slot. */
export function swapEntryPte(slot: number): number {
  return (slot << SLOT_SHIFT) >>> 0;
}

/**
 * The largest swap area: its store is one Uint8Array, and Node 20's typed
 * arrays hold at most 2^32 bytes (buffer.constants.MAX_LENGTH); one limit
 * on every host keeps a run the same everywhere. The host commits the pages
 * only as they are written.
 */
export const MAX_SWAP_BYTES = 4 * 1024 ** 3;

/** Parses a size like 8M, 512K, 1G or plain bytes; NaN when malformed. */
export function parseSize(text: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text);
  if (!m) return NaN;
  const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as "" | "k" | "m" | "g"];
  return Number(m[1]) * mult;
}

export class SwapArea {
  /** Usable slots are 1..nslots. */
  readonly nslots: number;
  /** References per slot (one per swap-entry PTE; 0 = free). */
  readonly swapMap: Int32Array;
  private readonly store: Uint8Array;
  private readonly freeSlots: Int32Array;
  private nfree = 0;
  /** The swap cache: slot -> frame holding its contents (-1 none). The cache holds one reference. */
  private readonly cachePfn: Int32Array;
  /** Frame -> slot for the frames in the swap cache. */
  readonly cachedSlot = new Map<number, number>();
  /** Drops the cache's reference to a frame (set by the context: putPage). */
  onCacheDrop: (pfn: number) => void = () => {};

  /** bytes: size of the device (rounded down to pages); 0 = no swap. */
  constructor(bytes: number) {
    if (!(bytes >= 0 && bytes <= MAX_SWAP_BYTES)) panic(`SwapArea: size ${bytes} outside 0..MAX_SWAP_BYTES`);
    this.nslots = Math.max(0, Math.floor(bytes / PAGE_SIZE) - 1);
    this.swapMap = new Int32Array(this.nslots + 1);
    this.store = new Uint8Array((this.nslots + 1) * PAGE_SIZE);
    this.freeSlots = new Int32Array(this.nslots);
    for (let s = this.nslots; s >= 1; s--) this.freeSlots[this.nfree++] = s;
    this.cachePfn = new Int32Array(this.nslots + 1).fill(-1);
  }

  /** The frame caching slot's contents, or -1 (Linux lookup_swap_cache). */
  lookupSwapCache(slot: number): number {
    return this.cachePfn[slot];
  }

  /** Records that frame pfn holds slot's contents; the caller gave the cache a reference. */
  addToSwapCache(slot: number, pfn: number): void {
    if (this.cachePfn[slot] >= 0 || this.swapMap[slot] <= 0) panic("addToSwapCache: slot cached or free");
    this.cachePfn[slot] = pfn;
    this.cachedSlot.set(pfn, slot);
  }

  /** Forgets slot's cached frame and drops the cache's reference to it. */
  deleteFromSwapCache(slot: number): void {
    const pfn = this.cachePfn[slot];
    if (pfn < 0) return;
    this.cachePfn[slot] = -1;
    this.cachedSlot.delete(pfn);
    this.onCacheDrop(pfn);
  }

  get freeCount(): number {
    return this.nfree;
  }
  get usedCount(): number {
    return this.nslots - this.nfree;
  }

  /** Takes a free slot with use count 1 (Linux get_swap_page); -1 when the area is full. */
  getSwapPage(): number {
    if (this.nfree === 0) return -1;
    const s = this.freeSlots[--this.nfree];
    if (this.swapMap[s] !== 0) panic("getSwapPage: free slot in use");
    this.swapMap[s] = 1;
    return s;
  }

  /** One more PTE holds the slot (Linux swap_duplicate). */
  swapDuplicate(slot: number): void {
    if (slot < 1 || slot > this.nslots || this.swapMap[slot] <= 0) panic(`swapDuplicate: bad swap entry ${slot}`);
    this.swapMap[slot]++;
  }

  /** Drops one reference; the slot is free at 0 (Linux swap_free). */
  swapFree(slot: number): void {
    if (slot < 1 || slot > this.nslots || this.swapMap[slot] <= 0) panic(`swapFree: bad swap entry ${slot}`);
    if (--this.swapMap[slot] > 0) return;
    this.deleteFromSwapCache(slot);
    this.freeSlots[this.nfree++] = slot;
  }

  /** Writes frame pa to slot (the block device's write). */
  writePage(slot: number, mem: PhysMem, pa: number): void {
    this.store.set(mem.readBytes(pa, PAGE_SIZE), slot * PAGE_SIZE);
  }

  /** Reads slot into frame pa. */
  readPage(slot: number, mem: PhysMem, pa: number): void {
    mem.writeBytes(pa, this.store.subarray(slot * PAGE_SIZE, slot * PAGE_SIZE + PAGE_SIZE));
  }
}
