import { afterEach, describe, expect, it } from "vitest";
import { checkFrames } from "../../../kernel/mm/check.ts";
import { MM_DESIGNS } from "../../../kernel/mm/designs.ts";
import { exitMm } from "../../../kernel/mm/memory.ts";
import {
  doMmap, doMunmap, sysBrk, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, MAP_GROWSDOWN, PROT_READ, PROT_WRITE,
  PROT_NONE, PROT_EXEC,
} from "../../../kernel/mm/mmap.ts";
import { sysMprotect, sysMadvise, MADV_DONTNEED } from "../../../kernel/mm/mprotect.ts";
import { Errno } from "../../../kernel/errno.ts";
import { VM_READ, VM_WRITE, VM_MAYREAD, VM_MAYWRITE, VM_MAYEXEC, VM_GROWSDOWN } from "../../../kernel/mm/vma.ts";
import { accessSignal, makeHarness, read32U, vmaList, write32U, type Harness } from "./helpers.ts";

const MAY = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
const RW = VM_READ | VM_WRITE | MAY;
const RO = VM_READ | MAY;
const BASE = 0x1000_0000;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

describe.each(MM_DESIGNS)("mm=%s: areas", (design) => {
  let h: Harness;
  afterEach(() => {
    expect(checkFrames(h.ctx)).toEqual([]);
  });

  it("munmap in the middle splits the area and frees its page", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    h.switchTo(mm);
    expect(doMmap(mm, null, BASE, 3 * 4096, PROT_READ | PROT_WRITE, ANON | MAP_FIXED)).toBe(BASE);
    for (let i = 0; i < 3; i++) write32U(h, mm, BASE + i * 4096, 0x100 + i);
    const free = h.ctx.frames.freeCount;
    expect(doMunmap(mm, BASE + 4096, 4096)).toBe(0);
    expect(vmaList(mm)).toEqual([[BASE, BASE + 4096, RW], [BASE + 8192, BASE + 12288, RW]]);
    expect(mm.totalVm).toBe(2);
    expect(mm.anonRss).toBe(2);
    expect(h.ctx.frames.freeCount).toBe(free + 1);
    expect(accessSignal(h, mm, BASE + 4096, false)).toBe("sigsegv");
    expect(read32U(h, mm, BASE)).toBe(0x100);
    expect(read32U(h, mm, BASE + 8192)).toBe(0x102);
    // Unmapping everything frees the page table too.
    expect(doMunmap(mm, BASE, 3 * 4096)).toBe(0);
    expect(vmaList(mm)).toEqual([]);
    expect(mm.nrPtes).toBe(0);
    exitMm(mm);
  });

  it("MAP_FIXED over the middle page merges prev, new and next into one area (sysfuzz seed 7)", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    h.switchTo(mm);
    expect(doMmap(mm, null, BASE, 3 * 4096, PROT_READ | PROT_WRITE, ANON | MAP_FIXED)).toBe(BASE);
    write32U(h, mm, BASE, 1);
    write32U(h, mm, BASE + 8192, 3);
    expect(doMmap(mm, null, BASE + 4096, 4096, PROT_READ | PROT_WRITE, ANON | MAP_FIXED)).toBe(BASE + 4096);
    expect(vmaList(mm)).toEqual([[BASE, BASE + 3 * 4096, RW]]);
    expect(mm.findVma(BASE + 8192)?.vmStart).toBe(BASE);
    expect([read32U(h, mm, BASE), read32U(h, mm, BASE + 4096), read32U(h, mm, BASE + 8192)]).toEqual([1, 0, 3]);
    exitMm(mm);
  });

  it("adjacent anonymous mappings merge; MAP_FIXED replaces what was there", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    doMmap(mm, null, BASE, 4096, PROT_READ | PROT_WRITE, ANON | MAP_FIXED);
    doMmap(mm, null, BASE + 4096, 4096, PROT_READ | PROT_WRITE, ANON | MAP_FIXED);
    expect(vmaList(mm)).toEqual([[BASE, BASE + 8192, RW]]);
    write32U(h, mm, BASE + 4096, 77);
    expect(doMmap(mm, null, BASE + 4096, 4096, PROT_READ, ANON | MAP_FIXED)).toBe(BASE + 4096);
    expect(vmaList(mm)).toEqual([[BASE, BASE + 4096, RW], [BASE + 4096, BASE + 8192, RO]]);
    expect(read32U(h, mm, BASE + 4096)).toBe(0);
    expect(mm.totalVm).toBe(2);
    exitMm(mm);
  });

  it("mprotect splits, denies writes, and merges back", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    h.switchTo(mm);
    doMmap(mm, null, BASE, 3 * 4096, PROT_READ | PROT_WRITE, ANON | MAP_FIXED);
    for (let i = 0; i < 3; i++) write32U(h, mm, BASE + i * 4096, i + 1);
    const flushes = h.tlb.flushPageCount;
    expect(sysMprotect(mm, BASE + 4096, 4096, PROT_READ)).toBe(0);
    expect(h.tlb.flushPageCount).toBe(flushes + 1);
    expect(vmaList(mm)).toEqual([[BASE, BASE + 4096, RW], [BASE + 4096, BASE + 8192, RO], [BASE + 8192, BASE + 12288, RW]]);
    expect(accessSignal(h, mm, BASE + 4096, true)).toBe("sigsegv");
    expect(read32U(h, mm, BASE + 4096)).toBe(2);
    expect(sysMprotect(mm, BASE + 4096, 4096, PROT_NONE)).toBe(0);
    expect(accessSignal(h, mm, BASE + 4096, false)).toBe("sigsegv");
    expect(sysMprotect(mm, BASE + 4096, 4096, PROT_READ | PROT_WRITE)).toBe(0);
    expect(vmaList(mm)).toEqual([[BASE, BASE + 3 * 4096, RW]]);
    expect(write32U(h, mm, BASE + 4096, 9)).toEqual(["cow-reuse"]);
    expect(read32U(h, mm, BASE + 4096)).toBe(9);
    expect(sysMprotect(mm, BASE, 5 * 4096, PROT_READ)).toBe(-Errno.ENOMEM);
    expect(sysMprotect(mm, BASE + 1, 4096, PROT_READ)).toBe(-Errno.EINVAL);
    exitMm(mm);
  });

  it("brk grows and shrinks the heap", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    const free0 = h.ctx.frames.freeCount;
    mm.startBrk = mm.brk = 0x0810_0000;
    expect(sysBrk(mm, 0x0810_3000)).toBe(0x0810_3000);
    expect(vmaList(mm)).toEqual([[0x0810_0000, 0x0810_3000, RW]]);
    write32U(h, mm, 0x0810_2ffc, 5);
    write32U(h, mm, 0x0810_0000, 6);
    expect(sysBrk(mm, 0x0810_1800)).toBe(0x0810_1800);
    expect(vmaList(mm)).toEqual([[0x0810_0000, 0x0810_2000, RW]]);
    expect(accessSignal(h, mm, 0x0810_2ffc, false)).toBe("sigsegv");
    expect(sysBrk(mm, 0x0800_0000)).toBe(0x0810_1800);
    mm.limits = { as: Infinity, data: 0x4000, stack: Infinity };
    expect(sysBrk(mm, 0x0810_8000)).toBe(0x0810_1800);
    expect(sysBrk(mm, 0x0810_0000)).toBe(0x0810_0000);
    expect(vmaList(mm)).toEqual([]);
    exitMm(mm);
    expect(h.ctx.frames.freeCount).toBe(free0 + 1); // the pgd too
  });

  it("a read maps the shared zero page, the first write a page of its own; then RLIMIT_AS and bad arguments", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    const a = doMmap(mm, null, 0, 8192, PROT_READ | PROT_WRITE, ANON);
    expect(a).toBeGreaterThan(0);
    expect(read32U(h, mm, a + 4)).toBe(0);
    expect(read32U(h, mm, a + 4096)).toBe(0);
    expect(h.ctx.counters.faults["zero-page"]).toBe(2);
    expect(h.ctx.counters.faults["demand-zero"]).toBe(0);
    expect(mm.rss).toBe(0);
    const free = h.ctx.frames.freeCount;
    write32U(h, mm, a + 8, 0x1234);
    expect(h.ctx.counters.faults["demand-zero"]).toBe(1);
    expect(h.ctx.frames.freeCount).toBe(free - 1);
    expect(mm.rss).toBe(1);
    expect(read32U(h, mm, a + 8)).toBe(0x1234);
    expect(read32U(h, mm, a + 4096)).toBe(0); // the other page still maps the zero page, unchanged
    expect(h.phys.readBytes(h.ctx.zeroPfn * 4096, 4096).every((b) => b === 0)).toBe(true);
    mm.limits = { as: 4 * 4096, data: Infinity, stack: Infinity };
    expect(doMmap(mm, null, 0, 3 * 4096, PROT_READ, ANON)).toBe(-Errno.ENOMEM);
    expect(doMmap(mm, null, 0, 0, PROT_READ, ANON)).toBe(-Errno.EINVAL);
    expect(doMmap(mm, null, 0x1001, 4096, PROT_READ, ANON | MAP_FIXED)).toBe(-Errno.EINVAL);
    expect(doMmap(mm, null, 0, 4096, PROT_READ, MAP_ANONYMOUS)).toBe(-Errno.EINVAL);
    expect(doMunmap(mm, 0x1001, 4096)).toBe(-Errno.EINVAL);
    exitMm(mm);
  });

  it("top-down search places mappings below the mmap base, back to back", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    const a = doMmap(mm, null, 0, 4096, PROT_READ, ANON);
    const b = doMmap(mm, null, 0, 8192, PROT_READ | PROT_WRITE, ANON);
    expect(a).toBe(mm.mmapBase - 4096);
    expect(b).toBe(a - 8192);
    doMunmap(mm, a, 4096);
    expect(doMmap(mm, null, 0, 4096, PROT_READ | PROT_EXEC, ANON)).toBe(a);
    exitMm(mm);
  });

  it("stack grows down on a fault, within RLIMIT_STACK and the guard gap", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    const top = 0xc000_0000;
    mm.limits = { as: Infinity, data: Infinity, stack: 64 * 4096 };
    expect(doMmap(mm, null, top - 4096, 4096, PROT_READ | PROT_WRITE, ANON | MAP_FIXED | MAP_GROWSDOWN)).toBe(top - 4096);
    expect(write32U(h, mm, top - 3 * 4096, 1)).toEqual(["stack-growth"]);
    expect(vmaList(mm)).toEqual([[top - 3 * 4096, top, RW | VM_GROWSDOWN]]);
    expect(mm.totalVm).toBe(3);
    expect(accessSignal(h, mm, top - 65 * 4096, true)).toBe("sigsegv");
    exitMm(mm);
  });

  it("MADV_DONTNEED drops anonymous pages: they read back as zero", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    doMmap(mm, null, BASE, 2 * 4096, PROT_READ | PROT_WRITE, ANON | MAP_FIXED);
    write32U(h, mm, BASE, 3);
    write32U(h, mm, BASE + 4096, 4);
    expect(sysMadvise(mm, BASE, 4096, MADV_DONTNEED)).toBe(0);
    expect(mm.anonRss).toBe(1);
    expect(read32U(h, mm, BASE)).toBe(0);
    expect(read32U(h, mm, BASE + 4096)).toBe(4);
    exitMm(mm);
  });

  it("8192 areas: findVma by binary search, munmap of each", () => {
    h = makeHarness(design, 64 * 1024 * 1024);
    const mm = h.newMm();
    for (let i = 0; i < 8192; i++) {
      const prot = i % 2 ? PROT_READ : PROT_READ | PROT_WRITE;
      expect(doMmap(mm, null, BASE + i * 4096, 4096, prot, ANON | MAP_FIXED)).toBe(BASE + i * 4096);
    }
    expect(mm.mapCount).toBe(8192);
    for (let i = 0; i < 8192; i += 97) expect(mm.findVma(BASE + i * 4096 + 5)!.vmStart).toBe(BASE + i * 4096);
    expect(mm.findVma(BASE + 8192 * 4096)).toBe(null);
    write32U(h, mm, BASE + 8190 * 4096, 1);
    for (let i = 0; i < 8192; i++) expect(doMunmap(mm, BASE + i * 4096, 4096)).toBe(0);
    expect(mm.mapCount).toBe(0);
    expect(mm.nrPtes).toBe(0);
    exitMm(mm);
  });

  it("shared anonymous mapping is backed by one shmem object", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    const a = doMmap(mm, null, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
    write32U(h, mm, a, 42);
    expect(mm.fileRss).toBe(1);
    exitMm(mm);
    expect(h.ctx.mappings.size).toBe(0);
  });
});
