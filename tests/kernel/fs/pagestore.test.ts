// File pages come from the superblock's page allocator: a bounded host
// allocator here (no kernel). Writes past its bound are short, then ENOSPC;
// truncate, unlink and close give the pages back; tmpfs keeps its size= on
// top; the page cache hook hears about truncation; stores made directly into
// a page past EOF never become file data.

import { describe, it, expect } from "vitest";
import { makeWorld, bytes, str } from "./world.ts";
import { Errno } from "../../../kernel/errno.ts";
import { HostFilePages } from "../../../kernel/fs/filepages.ts";
import { createRamfs } from "../../../kernel/fs/ramfs.ts";
import { createTmpfs } from "../../../kernel/fs/tmpfs.ts";
import type { PageStore } from "../../../kernel/fs/pagestore.ts";
import type { SuperBlock } from "../../../kernel/fs/inode.ts";
import { lookupAt, sysOpen, sysClose, sysFtruncate, AT_FDCWD } from "../../../kernel/fs/open.ts";
import { sysMkdir, sysUnlink } from "../../../kernel/fs/dirops.ts";
import { sysRead, sysWrite, sysLlseek } from "../../../kernel/fs/readwrite.ts";
import { O_RDONLY, O_RDWR, O_CREAT } from "../../../kernel/fs/file.ts";
import { mkdev } from "../../../kernel/fs/mode.ts";

function mountAt(w: ReturnType<typeof makeWorld>, path: string, sb: SuperBlock): void {
  sysMkdir(w.caller, path, 0o755);
  const at = lookupAt(w.caller, AT_FDCWD, path, true);
  if (typeof at === "number") throw new Error("mountpoint");
  expect(w.ns.mount(sb, at)).toBe(0);
}

function storeOf(w: ReturnType<typeof makeWorld>, path: string): PageStore {
  const p = lookupAt(w.caller, AT_FDCWD, path, true);
  if (typeof p === "number" || p.inode.data === null) throw new Error(`no file ${path}`);
  return p.inode.data;
}

describe("file pages from a bounded allocator", () => {
  it("a ramfs with a 4-page allocator: short write, ENOSPC, pages back on truncate, unlink and close", () => {
    const w = makeWorld();
    const pages = new HostFilePages(4);
    mountAt(w, "/r", createRamfs({ dev: mkdev(0, 9), clock: w.clock, pages }));
    const fd = sysOpen(w.caller, "/r/f", O_RDWR | O_CREAT, 0o644);
    expect(sysWrite(w.caller, fd, new Uint8Array(100).fill(1))).toBe(100);
    expect(sysWrite(w.caller, fd, new Uint8Array(5 * 4096).fill(2))).toBe(4 * 4096 - 100);
    expect(pages.nrPages).toBe(4);
    expect(sysWrite(w.caller, fd, new Uint8Array(1))).toBe(-Errno.ENOSPC);
    const g = sysOpen(w.caller, "/r/g", O_RDWR | O_CREAT, 0o644);
    expect(sysWrite(w.caller, g, bytes("x"))).toBe(-Errno.ENOSPC);
    expect(sysFtruncate(w.caller, fd, 4096 + 10)).toBe(0);
    expect(pages.nrPages).toBe(2);
    expect(sysWrite(w.caller, g, bytes("xy"))).toBe(2);
    expect(pages.nrPages).toBe(3);
    expect(sysUnlink(w.caller, "/r/f")).toBe(0);
    expect(pages.nrPages).toBe(3); // unlinked, still open
    sysLlseek(w.caller, fd, 4096, 0);
    expect(str(sysRead(w.caller, fd, 20) as Uint8Array)).toBe("\x02".repeat(10));
    sysClose(w.caller, fd);
    expect(pages.nrPages).toBe(1);
    sysClose(w.caller, g);
    expect(sysUnlink(w.caller, "/r/g")).toBe(0);
    expect(pages.nrPages).toBe(0);
  });

  it("tmpfs size= applies on top of the allocator, and the allocator on top of size=", () => {
    const w = makeWorld();
    const pages = new HostFilePages(5);
    const a = createTmpfs({ dev: mkdev(0, 10), clock: w.clock, sizeBytes: 3 * 4096, pages });
    const b = createTmpfs({ dev: mkdev(0, 11), clock: w.clock, sizeBytes: 100 * 4096, pages });
    mountAt(w, "/a", a);
    mountAt(w, "/b", b);
    const fa = sysOpen(w.caller, "/a/f", O_RDWR | O_CREAT, 0o644);
    expect(sysWrite(w.caller, fa, new Uint8Array(4 * 4096))).toBe(3 * 4096);
    expect(a.usedPages).toBe(3);
    const fb = sysOpen(w.caller, "/b/f", O_RDWR | O_CREAT, 0o644);
    expect(sysWrite(w.caller, fb, new Uint8Array(4 * 4096 + 1))).toBe(2 * 4096);
    expect([b.usedPages, pages.nrPages]).toEqual([2, 5]);
    sysClose(w.caller, fa);
    sysClose(w.caller, fb);
    expect(sysUnlink(w.caller, "/a/f")).toBe(0);
    expect(sysUnlink(w.caller, "/b/f")).toBe(0);
    expect([a.usedPages, b.usedPages, pages.nrPages]).toEqual([0, 0, 0]);
  });

  it("the default allocator of a ramfs built without a kernel is bounded", () => {
    const w = makeWorld();
    const pages = w.sb.pages as HostFilePages;
    expect(pages).toBeInstanceOf(HostFilePages);
    expect(pages.maxPages).toBe(16384);
  });

  it("truncate tells the page cache; growing the file zeroes bytes stored past the old EOF", () => {
    const w = makeWorld();
    const fd = sysOpen(w.caller, "/f", O_RDWR | O_CREAT, 0o644);
    expect(sysWrite(w.caller, fd, new Uint8Array(5000).fill(0x61))).toBe(5000);
    const store = storeOf(w, "/f");
    const truncs: number[] = [];
    let evicted = 0;
    store.cache = { truncated: (size) => truncs.push(size), evicted: () => evicted++ };
    // A shared mapping may store past EOF in the last page: simulate it.
    const last = store.faultPage(1);
    store.allocator.memcpyToPage(last, 904, new Uint8Array(100).fill(0x7a));
    expect(sysFtruncate(w.caller, fd, 6000)).toBe(0);
    const r = sysOpen(w.caller, "/f", O_RDONLY, 0);
    const got = sysRead(w.caller, r, 8000) as Uint8Array;
    expect(got.length).toBe(6000);
    expect([got[4999], got[5000], got[5099], got[5999]]).toEqual([0x61, 0, 0, 0]);
    store.allocator.memcpyToPage(last, 6000 - 4096, new Uint8Array(10).fill(0x7a));
    sysLlseek(w.caller, fd, 7000, 0);
    expect(sysWrite(w.caller, fd, bytes("E"))).toBe(1); // a write past EOF grows the file too
    sysLlseek(w.caller, r, 5990, 0);
    expect(Array.from(sysRead(w.caller, r, 20) as Uint8Array)).toEqual(new Array(20).fill(0));
    expect(sysFtruncate(w.caller, fd, 100)).toBe(0);
    expect(truncs).toEqual([6000, 100]);
    expect(store.allocatedPages).toBe(1);
    sysClose(w.caller, fd);
    sysClose(w.caller, r);
    expect(sysUnlink(w.caller, "/f")).toBe(0);
    expect(evicted).toBe(1);
    expect(store.allocatedPages).toBe(0);
  });

  it("a fault on a hole gets a zero page; past tmpfs size= it gets ENOSPC (SIGBUS), as shmem_fault", () => {
    const w = makeWorld();
    const pages = new HostFilePages(8);
    const tmp = createTmpfs({ dev: mkdev(0, 12), clock: w.clock, sizeBytes: 2 * 4096, maxInodes: 4, pages });
    mountAt(w, "/t", tmp);
    const fd = sysOpen(w.caller, "/t/f", O_RDWR | O_CREAT, 0o644);
    expect(sysFtruncate(w.caller, fd, 3 * 4096)).toBe(0);
    expect(sysWrite(w.caller, fd, bytes("a"))).toBe(1);
    const store = storeOf(w, "/t/f");
    const p = store.faultPage(2);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(store.faultPage(2)).toBe(p);
    const dst = new Uint8Array(4096).fill(1);
    store.allocator.memcpyFromPage(p, 0, dst, 0, 4096);
    expect(dst.every((b) => b === 0)).toBe(true);
    expect([tmp.usedPages, pages.nrPages, store.allocatedPages]).toEqual([2, 2, 2]);
    expect(store.faultPage(1)).toBe(-Errno.ENOSPC); // the fault path turns it into SIGBUS
    sysLlseek(w.caller, fd, 4096, 0);
    expect(sysWrite(w.caller, fd, bytes("b"))).toBe(-Errno.ENOSPC);
    sysClose(w.caller, fd);
    expect(sysUnlink(w.caller, "/t/f")).toBe(0);
    expect([tmp.usedPages, pages.nrPages]).toEqual([0, 0]);
  });
});
