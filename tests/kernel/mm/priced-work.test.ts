// The kernel charges each unit of memory-manager work its calibrated cost
// (kernel/arch/kernel-cost.ts). A fork of a small image must charge exactly the
// units each design's walk performs; the harness's memory counts nothing for
// page clears and copies, so what is summed here is the walkers' own work.
import { afterEach, describe, expect, it } from "vitest";
import { KernelWork as W } from "../../../kernel/arch/kernel-cost.ts";
import { checkFrames } from "../../../kernel/mm/check.ts";
import type { MmDesignName } from "../../../kernel/mm/designs.ts";
import { exitMm, forkMm } from "../../../kernel/mm/memory.ts";
import { doMmap, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel/mm/mmap.ts";
import { makeHarness, MemFile, read32U, write32U, type Harness } from "./helpers.ts";

const RW = PROT_READ | PROT_WRITE;

/** Text (2 pages, file), data (1 page, file, written), stack (1 anonymous page): two page tables, four PTEs. */
function image(h: Harness) {
  const mm = h.newMm();
  h.switchTo(mm);
  const file = new MemFile(h.ctx, new Uint8Array(3 * 4096));
  doMmap(mm, file, 0x0804_8000, 2 * 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, 0);
  doMmap(mm, file, 0x0804_a000, 4096, RW, MAP_PRIVATE | MAP_FIXED, 2);
  doMmap(mm, null, 0xbfff_f000, 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
  read32U(h, mm, 0x0804_8000);
  read32U(h, mm, 0x0804_9000);
  write32U(h, mm, 0x0804_a000, 1);
  write32U(h, mm, 0xbfff_fffc, 2);
  return mm;
}

// Every design: one dup_mmap step per area, a new page directory, and a full TLB flush of the parent it write-protected.
const COMMON = 3 * W.VMA_STEP + W.PAGE_ALLOC + W.TLB_FLUSH_ALL;
const FORK_WORK: Record<MmDesignName, number> = {
  classic: COMMON + 768 * W.PGD_SCAN + 2 * 1024 * W.PTE_SCAN + 4 * W.PTE_COPY + 2 * W.PAGE_ALLOC,
  vma: COMMON + 3 * W.PGD_RANGE + 4 * W.PTE_SCAN + 4 * W.PTE_COPY + 2 * W.PAGE_ALLOC,
  lazy: COMMON + 2 * W.PGD_RANGE + 2 * W.PTE_SCAN + 2 * W.PTE_COPY + 2 * W.PAGE_ALLOC, // the text area is left to faults
  sharedpt: COMMON + 3 * W.PGD_RANGE + 4 * W.PTE_SCAN, // the tables are shared, not allocated
};

describe.each(Object.keys(FORK_WORK) as MmDesignName[])("mm=%s: priced work", (design) => {
  let h: Harness;
  afterEach(() => expect(checkFrames(h.ctx)).toEqual([]));

  it("a fork charges the units its walk performs", () => {
    h = makeHarness(design);
    const parent = image(h);
    const before = h.phys.worked;
    const child = forkMm(parent, false);
    if (typeof child === "number") throw new Error(`fork: ${child}`);
    expect(h.phys.worked - before).toBe(FORK_WORK[design]);
    exitMm(child);
    exitMm(parent);
  });
});
