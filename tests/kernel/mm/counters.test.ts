import { afterEach, describe, expect, it } from "vitest";
import { checkFrames } from "../../../kernel/mm/check.ts";
import { MM_DESIGNS, type MmDesignName } from "../../../kernel/mm/designs.ts";
import { exitMm, forkMm } from "../../../kernel/mm/memory.ts";
import type { Mm } from "../../../kernel/mm/mm.ts";
import { doMmap, doMunmap, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel/mm/mmap.ts";
import { Profiler } from "../../../kernel/mm/counters.ts";
import { makeHarness, MemFile, read32U, write32U, type Harness } from "./helpers.ts";

const BASE = 0x1000_0000;

function fork(p: Mm): Mm {
  const c = forkMm(p, false);
  if (typeof c === "number") throw new Error("fork failed");
  return c;
}

/** V one-page anonymous areas (alternating protections so they do not merge), each touched. */
function manyAreas(h: Harness, mm: Mm, v: number): void {
  for (let i = 0; i < v; i++) {
    const prot = i % 2 ? PROT_READ | PROT_WRITE | PROT_EXEC : PROT_READ | PROT_WRITE;
    doMmap(mm, null, BASE + i * 8192, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    write32U(h, mm, BASE + i * 8192, i);
  }
}

function measure(h: Harness, f: () => void): Record<string, number> {
  const before = h.ctx.counters.snapshot();
  f();
  return h.ctx.counters.diff(before);
}

describe("counters have the shape each design promises", () => {
  let h: Harness;
  afterEach(() => {
    expect(checkFrames(h.ctx)).toEqual([]);
  });

  it("classic: fork and exit visit every user PDE slot and every entry of present tables", () => {
    h = makeHarness("classic");
    const p = h.newMm();
    manyAreas(h, p, 4);
    let child!: Mm;
    const f = measure(h, () => (child = fork(p)));
    expect(f.pdeVisits).toBe(768);
    expect(f.pteVisits).toBe(1024);
    expect(f.ptesCopied).toBe(4);
    expect(f.tablesAllocated).toBe(1);
    const e = measure(h, () => exitMm(child));
    expect(e.pdeVisits).toBe(768);
    expect(e.pteVisits).toBe(1024);
    expect(e.tablesFreed).toBe(1);
    exitMm(p);
  });

  it.each([4, 64, 1024])("vma: fork visits scale with the areas (V=%i)", (v) => {
    h = makeHarness("vma");
    const p = h.newMm();
    manyAreas(h, p, v);
    let child!: Mm;
    const f = measure(h, () => (child = fork(p)));
    const slots = new Set(p.vmas.map((a) => a.vmStart >>> 22)).size;
    expect(f.pdeVisits).toBe(v);
    expect(f.pteVisits).toBe(v);
    expect(f.ptesCopied).toBe(v);
    expect(f.tablesAllocated).toBe(slots);
    const e = measure(h, () => exitMm(child));
    expect(e.pteVisits).toBe(v);
    expect(e.tablesFreed).toBe(slots);
    exitMm(p);
  });

  it("lazy: a fork of a process whose only areas are file-backed text copies no PTEs", () => {
    h = makeHarness("lazy");
    const p = h.newMm();
    const file = new MemFile(h.ctx, new Uint8Array(8192).fill(1));
    doMmap(p, file, 0x0804_8000, 8192, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, 0);
    read32U(h, p, 0x0804_8000);
    read32U(h, p, 0x0804_9000);
    let child!: Mm;
    const f = measure(h, () => (child = fork(p)));
    expect(f.ptesCopied).toBe(0);
    expect(f.pteVisits).toBe(0);
    expect(f.tablesAllocated).toBe(0);
    expect(child.rss).toBe(0);
    const r = measure(h, () => expect(read32U(h, child, 0x0804_9000)).toBe(0x01010101));
    expect(r["fault:file-map"]).toBe(1);
    exitMm(child);
    exitMm(p);
    file.mapping.release();
  });

  it("sharedpt: fork copies no PTE until a write unshares the table", () => {
    h = makeHarness("sharedpt");
    const p = h.newMm();
    manyAreas(h, p, 8);
    let child!: Mm;
    const f = measure(h, () => (child = fork(p)));
    expect(f.ptesCopied).toBe(0);
    expect(f.tablesShared).toBe(1);
    expect(f.tablesAllocated).toBe(0);
    expect(child.anonRss).toBe(8);
    const r = measure(h, () => read32U(h, child, BASE));
    expect(r.ptesCopied).toBe(0);
    const w = measure(h, () => write32U(h, child, BASE, 99));
    expect(w.tablesUnshared).toBe(1);
    expect(w.ptesCopied).toBe(8);
    expect(w["fault:cow-copy"]).toBe(1);
    expect(read32U(h, p, BASE)).toBe(0);
    exitMm(p);
    exitMm(child);
  });

  it("sharedpt: exit of a sharer only drops the table's use count", () => {
    h = makeHarness("sharedpt");
    const p = h.newMm();
    manyAreas(h, p, 3);
    const child = fork(p);
    const e = measure(h, () => exitMm(child));
    expect(e.tablesFreed).toBe(0);
    expect(e.pagesFreed).toBe(1); // the child's pgd only
    expect(read32U(h, p, BASE + 2 * 8192)).toBe(2);
    expect(write32U(h, p, BASE + 8192, 5)).toEqual(["cow-reuse"]);
    exitMm(p);
  });

  it("fork faults by kind are identical in every design for the same program", () => {
    const seen: Record<string, number>[] = [];
    for (const d of MM_DESIGNS as MmDesignName[]) {
      h = makeHarness(d);
      const p = h.newMm();
      manyAreas(h, p, 5);
      const c = fork(p);
      const m = measure(h, () => {
        for (let i = 0; i < 5; i++) write32U(h, c, BASE + i * 8192, 100 + i);
        for (let i = 0; i < 5; i++) write32U(h, p, BASE + i * 8192, 200 + i);
      });
      seen.push({ copy: m["fault:cow-copy"], reuse: m["fault:cow-reuse"], copied: m.pagesCopied });
      exitMm(c);
      exitMm(p);
      expect(checkFrames(h.ctx)).toEqual([]);
    }
    for (const s of seen) expect(s).toEqual({ copy: 5, reuse: 5, copied: 5 });
  });

  it("the profiler charges cycles to nested kernel functions", () => {
    h = makeHarness("vma");
    let t = 0;
    const prof = new Profiler(() => t);
    prof.enter("forkMm");
    t += 10;
    prof.enter("copyPageRange");
    t += 5;
    prof.leave();
    prof.leave();
    expect(prof.report().map((e) => [e.name, e.calls, e.cycles])).toEqual([["forkMm", 1, 15], ["copyPageRange", 1, 5]]);
  });
});

describe("sharedpt unmapping", () => {
  it("munmap of an area covering a whole shared table drops the reference without unsharing", () => {
    const h = makeHarness("sharedpt");
    const p = h.newMm();
    doMmap(p, null, 0x2000_0000, 0x40_0000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    write32U(h, p, 0x2000_0000, 1);
    write32U(h, p, 0x203f_f000, 2);
    const c = fork(p);
    const m = measure(h, () => expect(doMunmap(c, 0x2000_0000, 0x40_0000)).toBe(0));
    expect(m.tablesUnshared).toBe(0);
    expect(m.ptesCopied).toBe(0);
    expect(c.rss).toBe(0);
    expect(c.nrPtes).toBe(0);
    expect(read32U(h, p, 0x203f_f000)).toBe(2);
    expect(write32U(h, p, 0x2000_0000, 3)).toEqual(["cow-reuse"]);
    expect(checkFrames(h.ctx)).toEqual([]);
    exitMm(c);
    exitMm(p);
    expect(checkFrames(h.ctx)).toEqual([]);
  });
});
