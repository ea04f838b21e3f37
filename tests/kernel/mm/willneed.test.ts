// mincore and MADV_WILLNEED over swap: pages reclaimed to swap are not
// resident; WILLNEED reads them into the swap cache (resident again, no
// mapping yet), so the next touch is a minor swap-in fault; nothing leaks.

import { afterEach, describe, expect, it } from "vitest";
import { Errno } from "../../../kernel/errno.ts";
import { checkFrames } from "../../../kernel/mm/check.ts";
import { MM_DESIGNS } from "../../../kernel/mm/designs.ts";
import { exitMm } from "../../../kernel/mm/memory.ts";
import { doMincore } from "../../../kernel/mm/mincore.ts";
import { doMmap, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from "../../../kernel/mm/mmap.ts";
import { MADV_WILLNEED, sysMadvise } from "../../../kernel/mm/mprotect.ts";
import { SwapArea } from "../../../kernel/mm/swap.ts";
import { shrinkMemory } from "../../../kernel/mm/vmscan.ts";
import { makeHarness, read32U, write32U, type Harness } from "./helpers.ts";

const PAGES = 8;

describe.each(MM_DESIGNS)("mm=%s: mincore and MADV_WILLNEED", (design) => {
  let h: Harness;
  afterEach(() => {
    expect(checkFrames(h.ctx)).toEqual([]);
  });

  it("swapped pages are brought back into the swap cache, then mapped by a minor fault", () => {
    h = makeHarness(design);
    h.ctx.swap = new SwapArea(1 << 20);
    h.ctx.swap.onCacheDrop = (pfn) => h.ctx.frames.putPage(pfn); // as the kernel wires it (mm-devices.ts)
    const free0 = h.ctx.frames.freeCount;
    const mm = h.newMm();
    const a = doMmap(mm, null, 0, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    for (let i = 0; i < PAGES; i++) write32U(h, mm, a + i * 4096, 0x100 + i);
    expect(doMincore(mm, a, PAGES * 4096)).toEqual(new Uint8Array(PAGES).fill(1));
    for (let round = 0; round < 4 && h.ctx.swap.usedCount < PAGES; round++) shrinkMemory(h.ctx, 1 << 20);
    expect(h.ctx.swap.usedCount).toBe(PAGES);
    expect(doMincore(mm, a, PAGES * 4096)).toEqual(new Uint8Array(PAGES));
    const swapins = h.ctx.counters.pswpin;
    expect(sysMadvise(mm, a + 2 * 4096, 3 * 4096, MADV_WILLNEED)).toBe(0);
    expect(h.ctx.counters.pswpin).toBe(swapins + 3);
    expect(Array.from(doMincore(mm, a, PAGES * 4096) as Uint8Array)).toEqual([0, 0, 1, 1, 1, 0, 0, 0]);
    expect(checkFrames(h.ctx)).toEqual([]);
    // The touch finds the page in the swap cache: no second read.
    expect(read32U(h, mm, a + 3 * 4096)).toBe(0x103);
    expect(h.ctx.counters.pswpin).toBe(swapins + 3);
    expect(h.ctx.counters.faults["swap-in"]).toBeGreaterThan(0);
    for (let i = 0; i < PAGES; i++) expect(read32U(h, mm, a + i * 4096)).toBe(0x100 + i);
    exitMm(mm);
    expect(h.ctx.swap.usedCount).toBe(0);
    expect(h.ctx.frames.freeCount).toBe(free0);
  });

  it("mincore refuses unaligned starts and unmapped ranges", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    const a = doMmap(mm, null, 0, 2 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
    expect(doMincore(mm, a + 1, 4096)).toBe(-Errno.EINVAL);
    expect(doMincore(mm, a, 3 * 4096)).toBe(-Errno.ENOMEM);
    expect(doMincore(mm, a, 2 * 4096)).toEqual(new Uint8Array(2));
    expect(read32U(h, mm, a)).toBe(0);
    expect(doMincore(mm, a, 2 * 4096)).toEqual(Uint8Array.of(1, 0)); // the zero page is resident
    exitMm(mm);
  });
});
