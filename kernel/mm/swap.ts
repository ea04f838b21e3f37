// The swap area: a RAM-backed block device of `swap=SIZE` bytes (kernel
// command line) divided into page slots, with a use count per slot (Linux
// swap_map). A swapped-out anonymous page leaves a swap entry in each PTE
// that mapped it: a non-present, non-zero PTE holding the slot number
// (slot << 8; slot 0 is never used, as Linux keeps it for the header). Fork
// duplicates entries (swap_duplicate), zap frees them (swap_free), the fault
// path reads the page back (doSwapPage, in fault.ts).

import { panic } from "../panic.ts";
import type { PhysMem } from "../arch/phys.ts";

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

  /** bytes: size of the device (rounded down to pages); 0 = no swap. */
  constructor(bytes: number) {
    this.nslots = Math.max(0, Math.floor(bytes / 4096) - 1);
    this.swapMap = new Int32Array(this.nslots + 1);
    this.store = new Uint8Array((this.nslots + 1) * 4096);
    this.freeSlots = new Int32Array(this.nslots);
    for (let s = this.nslots; s >= 1; s--) this.freeSlots[this.nfree++] = s;
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
    if (--this.swapMap[slot] === 0) this.freeSlots[this.nfree++] = slot;
  }

  /** Writes frame pa to slot (the block device's write). */
  writePage(slot: number, mem: PhysMem, pa: number): void {
    this.store.set(mem.readBytes(pa, 4096), slot * 4096);
  }

  /** Reads slot into frame pa. */
  readPage(slot: number, mem: PhysMem, pa: number): void {
    mem.writeBytes(pa, this.store.subarray(slot * 4096, slot * 4096 + 4096));
  }
}
