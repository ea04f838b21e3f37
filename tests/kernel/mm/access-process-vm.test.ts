// accessProcessVm (ptrace's PEEK/POKE) under every mm design: a forced write
// into read-only private text copies the page for that mm alone and leaves
// it read-only to the user; writes where COW cannot keep them private, and
// unmapped addresses, stop the transfer.

import { afterEach, describe, expect, it } from "vitest";
import { checkFrames } from "../../../kernel/mm/check.ts";
import { MM_DESIGNS } from "../../../kernel/mm/designs.ts";
import { exitMm, forkMm } from "../../../kernel/mm/memory.ts";
import type { Mm } from "../../../kernel/mm/mm.ts";
import { doMmap, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE } from "../../../kernel/mm/mmap.ts";
import { accessProcessVm } from "../../../kernel/mm/access-process-vm.ts";
import { accessSignal, makeHarness, MemFile, pfnAt, read32U, type Harness } from "./helpers.ts";

const TEXT = 0x0804_8000;
const word = (v: number) => new Uint8Array(new Uint32Array([v]).buffer);

function fork(parent: Mm): Mm {
  const c = forkMm(parent, false);
  if (typeof c === "number") throw new Error(`fork: ${c}`);
  return c;
}

describe.each(MM_DESIGNS)("mm=%s: accessProcessVm", (design) => {
  let h: Harness;
  afterEach(() => {
    expect(checkFrames(h.ctx)).toEqual([]);
  });

  it("a forced write into read-only text is private to the mm and stays read-only", () => {
    h = makeHarness(design);
    const bytes = new Uint8Array(2 * 4096).fill(0x90);
    const file = new MemFile(h.ctx, bytes);
    const parent = h.newMm();
    expect(doMmap(parent, file, TEXT, 2 * 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, 0)).toBe(TEXT);
    expect(read32U(h, parent, TEXT)).toBe(0x90909090);
    const child = fork(parent);
    const cachePfn = pfnAt(h, parent, TEXT);

    expect(accessProcessVm(child, TEXT + 0x10, word(0x909090cc), true)).toBe(4);
    expect(read32U(h, child, TEXT + 0x10)).toBe(0x909090cc);
    expect(read32U(h, parent, TEXT + 0x10)).toBe(0x90909090);
    expect(bytes[0x10]).toBe(0x90);
    expect(pfnAt(h, parent, TEXT)).toBe(cachePfn);
    const copy = pfnAt(h, child, TEXT);
    expect(copy).not.toBe(cachePfn);
    expect(accessSignal(h, child, TEXT + 0x10, true)).toBe("sigsegv");

    // The page is the child's own now: a second write reuses it.
    const copied = h.ctx.counters.pagesCopied;
    expect(accessProcessVm(child, TEXT + 0x10, word(0x90909090), true)).toBe(4);
    expect(h.ctx.counters.pagesCopied).toBe(copied);
    expect(pfnAt(h, child, TEXT)).toBe(copy);
    expect(read32U(h, child, TEXT + 0x10)).toBe(0x90909090);

    // A read across the page boundary faults the second text page in.
    const buf = new Uint8Array(8);
    expect(accessProcessVm(child, TEXT + 4096 - 4, buf, false)).toBe(8);
    expect([...buf]).toEqual(new Array(8).fill(0x90));
    exitMm(child);
    exitMm(parent);
    file.mapping.release();
  });

  it("PROT_NONE stays inaccessible; shared read-only and unmapped addresses stop the transfer", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    expect(doMmap(mm, null, 0x1000_0000, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)).toBe(0x1000_0000);
    expect(accessProcessVm(mm, 0x1000_0000, word(7), true)).toBe(4);
    expect(accessSignal(h, mm, 0x1000_0000, false)).toBe("sigsegv");

    const file = new MemFile(h.ctx, new Uint8Array(4096).fill(1));
    expect(doMmap(mm, file, 0x2000_0000, 4096, PROT_READ, MAP_SHARED | MAP_FIXED, 0, true)).toBe(0x2000_0000);
    expect(accessProcessVm(mm, 0x2000_0000, word(7), true)).toBe(0);
    expect(read32U(h, mm, 0x2000_0000)).toBe(0x01010101);

    expect(doMmap(mm, null, 0x3000_0000, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)).toBe(0x3000_0000);
    expect(accessProcessVm(mm, 0x3000_0000 + 4094, new Uint8Array([1, 2, 3, 4]), true)).toBe(2);
    expect(accessProcessVm(mm, 0x5000_0000, new Uint8Array(4), false)).toBe(0);
    exitMm(mm);
    file.mapping.release();
  });
});
