// Under the kernel, ramfs/tmpfs file pages are guest frames: the initramfs
// occupies frames, a write that finds memory short gets a short count and
// then ENOSPC (leaving the low watermark to faults), /proc/meminfo's Cached
// and MemFree move with the file, a mapping maps the store frame itself (one
// copy), and truncate, unlink and close give every frame back, with the
// frame accounting check verifying the stores throughout.

import { describe, it, expect } from "vitest";
import { makeKernel, newc, UBUF, text } from "../syscalls/harness.ts";
import { checkFrames } from "../../../kernel/mm/check.ts";
import { filePagesOf } from "../../../kernel/mm/store-frames.ts";
import { lowWatermark } from "../../../kernel/mm/vmscan.ts";
import { fileBacking } from "../../../kernel/filemap-bridge.ts";
import { doMmap, doMunmap, MAP_SHARED, PROT_READ, PROT_WRITE } from "../../../kernel/mm/mmap.ts";
import { meminfoOf } from "../../../kernel/procfs/system.ts";
import { PG } from "../../../kernel/mm/page.ts";
import type { Task } from "../../../kernel/proc/task.ts";
import { Errno } from "../../../kernel/errno.ts";

const OPEN = 5, READ = 3, WRITE = 4, CLOSE = 6, UNLINK = 10, LSEEK = 19, FTRUNCATE = 93;
const O_RDWR = 2, O_CREAT = 0o100;

function open(fk: ReturnType<typeof makeKernel>, t: Task, path: string): number {
  return fk.call(t, OPEN, fk.putStr(t, UBUF + 0xf000, path), O_RDWR | O_CREAT, 0o644);
}

describe("file pages in guest frames", () => {
  it("the initramfs occupies frames, counted as Cached", () => {
    const fk = makeKernel([{ name: "t.cpio", data: newc([{ name: "data", mode: 0o100644, data: "z".repeat(10000) }]) }]);
    const ctx = fk.k.mmctx;
    expect(filePagesOf(ctx).nrPages).toBe(3);
    expect(meminfoOf(fk.k).Cached).toBe(12);
    expect(checkFrames(ctx)).toEqual([]);
  });

  it("a write past free memory is short, then ENOSPC; unlink and close give every frame back", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    const ctx = fk.k.mmctx;
    fk.put(t, UBUF, new Uint8Array(0x10000)); // fault the user buffer in first
    const free0 = ctx.frames.freeCount;
    const m0 = meminfoOf(fk.k);
    const fd = open(fk, t, "/big");
    expect(fk.call(t, WRITE, fd, UBUF, 100)).toBe(100);
    let total = 100, r = 0, shorts = 0;
    while ((r = fk.call(t, WRITE, fd, UBUF, 0x10000)) > 0) {
      total += r;
      if (r < 0x10000) shorts++;
    }
    expect(r).toBe(-Errno.ENOSPC);
    expect(shorts).toBe(1);
    const pages = Math.ceil(total / 4096);
    expect(ctx.frames.freeCount).toBe(lowWatermark(ctx));
    expect(free0 - ctx.frames.freeCount).toBe(pages);
    const m1 = meminfoOf(fk.k);
    expect(m1.Cached! - m0.Cached!).toBe(pages * 4);
    expect(m0.MemFree - m1.MemFree).toBe(pages * 4);
    expect(m1.Shmem).toBe(m0.Shmem);
    expect(checkFrames(ctx)).toEqual([]);
    // /tmp (tmpfs) is full too: RAM is the limit before its size=.
    const tfd = open(fk, t, "/tmp/x");
    expect(fk.call(t, WRITE, tfd, UBUF, 1)).toBe(-Errno.ENOSPC);
    expect(fk.call(t, FTRUNCATE, fd, 4096 * 3 + 1)).toBe(0);
    expect(free0 - ctx.frames.freeCount).toBe(4);
    expect(fk.call(t, WRITE, tfd, UBUF, 5000)).toBe(5000);
    expect(meminfoOf(fk.k).Shmem! - m0.Shmem!).toBe(8);
    expect(fk.call(t, UNLINK, fk.putStr(t, UBUF + 0xf000, "/big"))).toBe(0);
    expect(fk.call(t, UNLINK, fk.putStr(t, UBUF + 0xf000, "/tmp/x"))).toBe(0);
    expect(free0 - ctx.frames.freeCount).toBe(6); // still open
    expect(checkFrames(ctx)).toEqual([]);
    fk.call(t, CLOSE, fd);
    fk.call(t, CLOSE, tfd);
    expect(ctx.frames.freeCount).toBe(free0);
    expect(meminfoOf(fk.k)).toEqual(m0);
    expect(filePagesOf(ctx).nrPages).toBe(0);
    expect(checkFrames(ctx)).toEqual([]);
  });

  it("a shared mapping maps the store frame itself: one copy, coherent both ways", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    const ctx = fk.k.mmctx;
    const fd = open(fk, t, "/m");
    fk.put(t, UBUF, "hello");
    expect(fk.call(t, WRITE, fd, UBUF, 5)).toBe(5);
    expect(fk.call(t, FTRUNCATE, fd, 8192)).toBe(0);
    const free0 = ctx.frames.freeCount, stored0 = filePagesOf(ctx).nrPages, tables0 = t.mm!.nrPtes;
    const backing = fileBacking(ctx, t.files!.get(fd)!);
    if (typeof backing === "number") throw new Error(`fileBacking ${backing}`);
    const a = doMmap(t.mm!, backing, 0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED);
    expect(a).toBeGreaterThan(0);
    expect(text(fk.get(t, a, 5))).toBe("hello");
    fk.put(t, a + 4096 + 7, "mapped"); // a hole: the fault gives the file a page
    expect(ctx.counters.faults["file-read"] ?? 0).toBe(0);
    const pfn = backing.mapping.findPage(0);
    expect(ctx.frames.flags[pfn] & (PG.STORE | PG.CACHE)).toBe(PG.STORE | PG.CACHE);
    expect(ctx.frames.count[pfn]).toBe(3); // the store, the cache, one PTE
    expect(filePagesOf(ctx).nrPages - stored0).toBe(1); // the hole's page
    expect(free0 - ctx.frames.freeCount).toBe(1 + t.mm!.nrPtes - tables0); // and page tables, nothing else
    expect(fk.call(t, LSEEK, fd, 4096 + 7, 0)).toBe(4096 + 7);
    expect(fk.call(t, READ, fd, UBUF, 6)).toBe(6);
    expect(text(fk.get(t, UBUF, 6))).toBe("mapped");
    fk.put(t, UBUF, "WRITE");
    expect(fk.call(t, LSEEK, fd, 0, 0)).toBe(0);
    expect(fk.call(t, WRITE, fd, UBUF, 5)).toBe(5);
    expect(text(fk.get(t, a, 5))).toBe("WRITE");
    expect(checkFrames(ctx)).toEqual([]);
    expect(fk.call(t, FTRUNCATE, fd, 10)).toBe(0);
    expect(fk.get(t, a + 10, 1)[0]).toBe(0);
    expect(checkFrames(ctx)).toEqual([]);
    fk.call(t, CLOSE, fd);
    expect(fk.call(t, UNLINK, fk.putStr(t, UBUF + 0xf000, "/m"))).toBe(0);
    expect(checkFrames(ctx)).toEqual([]);
  });

  it("a mapping holds an unlinked, closed file: its frames go with the last area", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    const ctx = fk.k.mmctx;
    fk.putStr(t, UBUF + 0xf000, "/tmp/u"); // fault the path buffer in first
    const free0 = ctx.frames.freeCount, tables0 = t.mm!.nrPtes;
    const fd = open(fk, t, "/tmp/u");
    expect(fk.call(t, FTRUNCATE, fd, 3 * 4096)).toBe(0);
    const backing = fileBacking(ctx, t.files!.get(fd)!);
    if (typeof backing === "number") throw new Error(`fileBacking ${backing}`);
    const a = doMmap(t.mm!, backing, 0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED);
    fk.put(t, a, "first");
    fk.call(t, CLOSE, fd);
    expect(fk.call(t, UNLINK, fk.putStr(t, UBUF + 0xf000, "/tmp/u"))).toBe(0);
    fk.put(t, a + 2 * 4096, "after unlink"); // a new page of the nameless file
    expect(text(fk.get(t, a, 5))).toBe("first");
    expect(filePagesOf(ctx).nrPages).toBe(2);
    expect(checkFrames(ctx)).toEqual([]);
    expect(doMunmap(t.mm!, a, 3 * 4096)).toBe(0);
    expect(filePagesOf(ctx).nrPages).toBe(0);
    expect(ctx.frames.freeCount).toBe(free0 - (t.mm!.nrPtes - tables0)); // page tables stay
    expect(checkFrames(ctx)).toEqual([]);
  });
});
