// Mapping files: the bridge from a VFS inode (contents in its PageStore) to
// what the memory manager maps (an mm FileBacking with a page cache). One
// FileBacking and one AddressSpace per inode, created on first mmap.
//
// Coherence: the page cache is filled from the PageStore on fault. Once a
// file has a page cache, read() takes cached pages first (they may hold
// MAP_SHARED stores), write() and truncate() update them too (the PageStore's
// cache hook), and msync copies them back into the PageStore.

import type { Inode } from "./fs/inode.ts";
import type { File } from "./fs/file.ts";
import { S_IFMT, S_IFREG } from "./fs/mode.ts";
import { AddressSpace, type FileBacking } from "./mm/filemap.ts";
import { unmapMappingRange } from "./mm/memory.ts";
import type { MmContext } from "./mm/context.ts";
import type { PhysMem } from "./arch/phys.ts";
import type { PageCacheHook } from "./fs/pagestore.ts";
import { Errno } from "./errno.ts";

const backings = new WeakMap<Inode, InodeBacking>();

class InodeBacking implements FileBacking, PageCacheHook {
  readonly mapping: AddressSpace;
  private readonly buf = new Uint8Array(4096);
  /** The name the file was first mapped by, for /proc/PID/maps (Linux d_path). */
  private name = "";

  constructor(
    private readonly ctx: MmContext,
    private readonly inode: Inode,
  ) {
    this.mapping = new AddressSpace(ctx);
    if (inode.data) inode.data.cache = this;
    // Shmem: tmpfs pages live in the store (counted per superblock) or only here, not yet synced.
    if (inode.sb.type === "tmpfs") this.mapping.shmemPages = () => this.cachedOnly();
  }

  /** Cached pages the store does not hold (PageCacheHook). */
  cachedOnly(): number {
    let n = 0;
    for (const index of this.mapping.pages.keys()) if (!this.inode.data?.hasPage(index)) n++;
    return n;
  }

  /** MADV_REMOVE: tmpfs drops the cached frames and the stored pages; other filesystems cannot. */
  punchHole(first: number, last: number): number {
    if (this.inode.sb.type !== "tmpfs" || !this.inode.data) return -Errno.EOPNOTSUPP;
    this.mapping.truncatePages(first, last);
    this.inode.data.punchHole(first, last - first);
    return 0;
  }

  readCached(index: number, off: number, dst: Uint8Array, dstOff: number, len: number): boolean {
    const pfn = this.mapping.findPage(index);
    if (pfn < 0) return false;
    dst.set(this.ctx.mem.readBytes(pfn * 4096 + off, len), dstOff);
    return true;
  }

  writeCached(index: number, off: number, src: Uint8Array): void {
    const pfn = this.mapping.findPage(index);
    if (pfn >= 0) this.ctx.mem.writeBytes(pfn * 4096 + off, src);
  }

  truncated(size: number): void {
    const index = Math.floor(size / 4096);
    const pfn = this.mapping.findPage(index);
    const off = size % 4096;
    if (pfn >= 0 && off > 0) this.ctx.mem.writeBytes(pfn * 4096 + off, new Uint8Array(4096 - off));
    unmapMappingRange(this.mapping, Math.ceil(size / 4096), Infinity, true); // Linux truncate_pagecache
    this.mapping.truncatePages(Math.ceil(size / 4096));
  }

  evicted(): void {
    this.mapping.release();
    if (this.inode.data) this.inode.data.cache = null;
    backings.delete(this.inode);
  }

  get size(): number {
    return this.inode.size;
  }

  /** Remembers the file's name (the first mapper's open wins). */
  nameFrom(file: File): void {
    if (this.name === "") this.name = file.name;
  }

  /** The file's absolute path, with " (deleted)" once it has no name any more. */
  get path(): string | undefined {
    if (this.name === "") return undefined;
    return this.inode.nlink === 0 ? `${this.name} (deleted)` : this.name;
  }

  readPage(index: number, mem: PhysMem, pa: number): void {
    const store = this.inode.data;
    if (!store) return;
    this.buf.fill(0);
    store.readPage(index, this.buf);
    mem.writeBytes(pa, this.buf);
  }

  /** Copies every cached page back into the file's store (MAP_SHARED writeback). */
  sync(mem: PhysMem): void {
    const store = this.inode.data;
    if (!store) return;
    for (const [index, pfn] of this.mapping.pages) {
      if (index * 4096 >= this.inode.size) continue;
      store.writePage(index, mem.readBytes(pfn * 4096, 4096));
    }
  }
}

/** The mm view of a regular file opened as `file`, or -ENODEV for files that cannot be mapped. */
export function fileBacking(ctx: MmContext, file: File): FileBacking | number {
  const inode = file.inode;
  if ((inode.mode & S_IFMT) !== S_IFREG || !inode.data) return -Errno.ENODEV;
  let b = backings.get(inode);
  if (!b) {
    b = new InodeBacking(ctx, inode);
    backings.set(inode, b);
  }
  b.nameFrom(file);
  return b;
}

/** msync: writes the pages of a mapped file back to its contents (nothing for other backings). */
export function syncBacking(ctx: MmContext, backing: FileBacking): void {
  if (backing instanceof InodeBacking) backing.sync(ctx.mem);
}
