import { afterEach, describe, expect, it } from "vitest";
import { checkFrames } from "../../../kernel/mm/check.ts";
import { MM_DESIGNS } from "../../../kernel/mm/designs.ts";
import { execMm, exitMm, forkMm, remapPfnRange, vmInsertPage } from "../../../kernel/mm/memory.ts";
import type { Mm } from "../../../kernel/mm/mm.ts";
import {
  doMmap, doMunmap, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE,
} from "../../../kernel/mm/mmap.ts";
import { sysMprotect } from "../../../kernel/mm/mprotect.ts";
import { copyFromUser, copyToUser } from "../../../kernel/mm/uaccess.ts";
import { accessSignal, makeHarness, MemFile, pfnAt, read32U, write32U, type Harness } from "./helpers.ts";

const BASE = 0x1000_0000;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const RW = PROT_READ | PROT_WRITE;

function fork(parent: Mm): Mm {
  const c = forkMm(parent, false);
  if (typeof c === "number") throw new Error(`fork: ${c}`);
  return c;
}

/** A process image: text from a file (2 pages), data written (1 page), a stack page. */
function buildImage(h: Harness, mm: Mm): MemFile {
  const bytes = new Uint8Array(3 * 4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
  const file = new MemFile(h.ctx, bytes);
  expect(doMmap(mm, file, 0x0804_8000, 2 * 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, 0)).toBe(0x0804_8000);
  expect(doMmap(mm, file, 0x0804_a000, 4096, RW, MAP_PRIVATE | MAP_FIXED, 2)).toBe(0x0804_a000);
  expect(doMmap(mm, null, 0xbfff_f000, 4096, RW, ANON)).toBe(0xbfff_f000);
  read32U(h, mm, 0x0804_8000);
  read32U(h, mm, 0x0804_9000);
  write32U(h, mm, 0x0804_a000, 0xdada);
  write32U(h, mm, 0xbfff_fffc, 0x5757);
  return file;
}

describe.each(MM_DESIGNS)("mm=%s: fork, exit, exec", (design) => {
  let h: Harness;
  afterEach(() => {
    expect(checkFrames(h.ctx)).toEqual([]);
  });

  it("fork then writes: COW copy for the first writer, COW reuse for the last sharer", () => {
    h = makeHarness(design);
    const parent = h.newMm();
    h.switchTo(parent);
    doMmap(parent, null, BASE, 2 * 4096, RW, ANON);
    write32U(h, parent, BASE, 111);
    write32U(h, parent, BASE + 4096, 222);
    const child = fork(parent);
    expect(checkFrames(h.ctx)).toEqual([]);
    expect(child.anonRss).toBe(2);
    // The parent's cached writable translation must be gone: its write faults.
    expect(write32U(h, parent, BASE, 112)).toEqual(["cow-copy"]);
    h.switchTo(child);
    expect(read32U(h, child, BASE)).toBe(111);
    expect(write32U(h, child, BASE, 113)).toEqual(["cow-reuse"]);
    expect(read32U(h, child, BASE + 4096)).toBe(222);
    expect(write32U(h, child, BASE + 4096, 223)).toEqual(["cow-copy"]);
    h.switchTo(parent);
    expect(read32U(h, parent, BASE)).toBe(112);
    expect(write32U(h, parent, BASE + 4096, 224)).toEqual(["cow-reuse"]);
    expect(read32U(h, parent, BASE + 4096)).toBe(224);
    h.switchTo(child);
    expect(read32U(h, child, BASE)).toBe(113);
    expect(read32U(h, child, BASE + 4096)).toBe(223);
    exitMm(child);
    exitMm(parent);
  });

  it("MAP_SHARED stays shared across fork, both ways", () => {
    h = makeHarness(design);
    const parent = h.newMm();
    const a = doMmap(parent, null, 0, 4096, RW, MAP_SHARED | MAP_ANONYMOUS);
    write32U(h, parent, a, 1);
    const child = fork(parent);
    write32U(h, child, a, 2);
    expect(read32U(h, parent, a)).toBe(2);
    write32U(h, parent, a + 8, 3);
    expect(read32U(h, child, a + 8)).toBe(3);
    exitMm(parent);
    expect(read32U(h, child, a)).toBe(2);
    exitMm(child);
  });

  it("exit frees every frame; exec frees the old image", () => {
    h = makeHarness(design);
    const free0 = h.ctx.frames.freeCount;
    const parent = h.newMm();
    const file = buildImage(h, parent);
    const child = fork(parent);
    h.switchTo(child);
    expect(read32U(h, child, 0x0804_a000)).toBe(0xdada);
    expect(read32U(h, child, 0x0804_9004)).toBe(new DataView(file.data.buffer).getUint32(4096 + 4, true));
    write32U(h, child, 0xbfff_fff8, 1);
    const cached = file.mapping.pages.size;
    const beforeExec = h.ctx.frames.freeCount;
    const same = execMm(child);
    expect(same).toBe(child);
    expect(child.vmas.length).toBe(0);
    expect(child.rss).toBe(0);
    expect(child.nrPtes).toBe(0);
    expect(h.ctx.frames.freeCount).toBeGreaterThan(beforeExec);
    expect(h.tlb.entries.size).toBe(0);
    expect(checkFrames(h.ctx)).toEqual([]);
    exitMm(child);
    expect(h.cr3.value).toBe(0x1000);
    exitMm(parent);
    expect(h.ctx.frames.freeCount).toBe(free0 - cached);
    file.mapping.release();
    expect(h.ctx.frames.freeCount).toBe(free0);
  });

  it("private file mapping: read shares the cache page, write copies it", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    const data = new Uint8Array(4096 + 100).fill(9);
    const file = new MemFile(h.ctx, data);
    const a = doMmap(mm, file, 0, 8192, RW, MAP_PRIVATE);
    expect(read32U(h, mm, a)).toBe(0x09090909);
    expect(h.ctx.counters.faults["file-read"]).toBe(1);
    expect(write32U(h, mm, a, 5)).toEqual(["cow-copy"]);
    expect(file.data[0]).toBe(9);
    expect(read32U(h, mm, a + 4096 + 96)).toBe(0x09090909);
    expect(read32U(h, mm, a + 4096 + 100)).toBe(0);
    const other = h.newMm();
    const b = doMmap(other, file, 0, 4096, PROT_READ, MAP_PRIVATE);
    expect(read32U(h, other, b)).toBe(0x09090909);
    expect(h.ctx.counters.faults["file-map"]).toBe(1);
    expect(file.reads).toBe(2);
    const c = doMmap(other, file, 0, 3 * 4096, PROT_READ, MAP_PRIVATE);
    expect(accessSignal(h, other, c + 2 * 4096, false)).toBe("sigbus");
    exitMm(mm);
    exitMm(other);
    file.mapping.release();
  });

  it("shared file mapping writes go to the page cache and are seen by another mm", () => {
    h = makeHarness(design);
    const file = new MemFile(h.ctx, new Uint8Array(4096));
    const a = h.newMm(), b = h.newMm();
    const va = doMmap(a, file, 0, 4096, RW, MAP_SHARED);
    const vb = doMmap(b, file, 0, 4096, PROT_READ, MAP_SHARED);
    write32U(h, a, va + 16, 0xfeed);
    expect(read32U(h, b, vb + 16)).toBe(0xfeed);
    expect(h.phys.read32(file.mapping.findPage(0) * 4096 + 16)).toBe(0xfeed);
    exitMm(a);
    exitMm(b);
    file.mapping.release();
  });

  it("CLONE_VM shares the mm; a clone that execs leaves the group", () => {
    h = makeHarness(design);
    const mm = h.newMm();
    doMmap(mm, null, BASE, 4096, RW, ANON);
    write32U(h, mm, BASE, 1);
    expect(forkMm(mm, true)).toBe(mm);
    expect(mm.users).toBe(2);
    const fresh = execMm(mm);
    expect(fresh).not.toBe(mm);
    expect(mm.users).toBe(1);
    expect(read32U(h, mm, BASE)).toBe(1);
    expect((fresh as Mm).vmas.length).toBe(0);
    forkMm(mm, true);
    exitMm(mm);
    expect(read32U(h, mm, BASE)).toBe(1);
    exitMm(mm);
    exitMm(fresh as Mm);
  });

  it("fork of a fork: three generations keep their own copies", () => {
    h = makeHarness(design);
    const a = h.newMm();
    doMmap(a, null, BASE, 4096, RW, ANON);
    doMmap(a, null, BASE + 0x40_0000, 4096, RW, ANON);
    write32U(h, a, BASE, 1);
    write32U(h, a, BASE + 0x40_0000, 10);
    const b = fork(a);
    write32U(h, b, BASE, 2);
    const c = fork(b);
    write32U(h, c, BASE, 3);
    write32U(h, c, BASE + 0x40_0000, 30);
    expect([read32U(h, a, BASE), read32U(h, b, BASE), read32U(h, c, BASE)]).toEqual([1, 2, 3]);
    expect([read32U(h, a, BASE + 0x40_0000), read32U(h, b, BASE + 0x40_0000), read32U(h, c, BASE + 0x40_0000)]).toEqual([10, 10, 30]);
    expect(checkFrames(h.ctx)).toEqual([]);
    exitMm(b);
    expect(write32U(h, a, BASE + 0x40_0000, 11)).toEqual(["cow-reuse"]);
    exitMm(a);
    expect(read32U(h, c, BASE)).toBe(3);
    exitMm(c);
  });

  it("munmap and mprotect in a child do not disturb the parent", () => {
    h = makeHarness(design);
    const p = h.newMm();
    doMmap(p, null, BASE, 4 * 4096, RW, ANON);
    for (let i = 0; i < 4; i++) write32U(h, p, BASE + i * 4096, i);
    const c = fork(p);
    expect(doMunmap(c, BASE + 4096, 4096)).toBe(0);
    expect(sysMprotect(c, BASE + 2 * 4096, 4096, PROT_READ)).toBe(0);
    expect(accessSignal(h, c, BASE + 4096, false)).toBe("sigsegv");
    expect(accessSignal(h, c, BASE + 2 * 4096, true)).toBe("sigsegv");
    for (let i = 0; i < 4; i++) expect(read32U(h, p, BASE + i * 4096)).toBe(i);
    write32U(h, p, BASE + 2 * 4096, 20);
    expect(read32U(h, c, BASE + 2 * 4096)).toBe(2);
    exitMm(c);
    exitMm(p);
  });

  it("copyToUser breaks COW like a user write; copyFromUser faults pages in", () => {
    h = makeHarness(design);
    const p = h.newMm();
    doMmap(p, null, BASE, 2 * 4096, RW, ANON);
    write32U(h, p, BASE, 0x01010101);
    const c = fork(p);
    expect(copyToUser(c, BASE + 4094, new Uint8Array([1, 2, 3, 4]))).toBe(0);
    expect(read32U(h, p, BASE)).toBe(0x01010101);
    expect(copyFromUser(c, BASE + 4094, 4)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(copyFromUser(c, 0x500000, 4)).toBe(-14);
    exitMm(c);
    exitMm(p);
  });

  it("raw-frame and inserted-page areas survive fork in every design", () => {
    h = makeHarness(design);
    const p = h.newMm();
    const raw = doMmap(p, null, BASE, 4096, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
    // Replace the shmem area with a raw window on frame 0xb8 (VGA text memory).
    const vma = p.findVma(raw)!;
    expect(remapPfnRange(p, vma, raw, 0xb8, 4096)).toBe(0);
    const drv = doMmap(p, null, BASE + 0x1000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    const page = h.ctx.frames.allocKernelPage();
    h.phys.write32(page * 4096, 0x600d);
    expect(vmInsertPage(p, p.findVma(drv)!, drv, page)).toBe(0);
    write32U(h, p, raw, 0x7777);
    const c = fork(p);
    expect(read32U(h, c, raw)).toBe(0x7777);
    expect(read32U(h, c, drv)).toBe(0x600d);
    expect(h.phys.read32(0xb8000)).toBe(0x7777);
    exitMm(c);
    exitMm(p);
    h.ctx.frames.unpinPage(page);
  });
});

describe("reverse map", () => {
  it("finds every mapping of an anonymous page shared by fork, and of a file page", async () => {
    const { pageMappers } = await import("../../../kernel/mm/rmap.ts");
    const h = makeHarness("vma");
    const p = h.newMm();
    doMmap(p, null, BASE, 4096, RW, ANON);
    write32U(h, p, BASE, 1);
    const file = new MemFile(h.ctx, new Uint8Array(4096));
    const fa = doMmap(p, file, 0x3000_0000, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED, 0);
    read32U(h, p, fa);
    const c = fork(p);
    const anon = pageMappers(h.ctx, pfnAt(h, p, BASE));
    expect(anon.map((m) => [m.mm === p ? "parent" : "child", m.va])).toEqual([["parent", BASE], ["child", BASE]]);
    const fp = file.mapping.findPage(0);
    expect(pageMappers(h.ctx, fp).map((m) => m.mm === p ? "parent" : "child").sort()).toEqual(["child", "parent"]);
    write32U(h, c, BASE, 2);
    exitMm(c);
    exitMm(p);
    file.mapping.release();
    expect(checkFrames(h.ctx)).toEqual([]);
  });
});
