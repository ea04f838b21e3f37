// The contents of a ramfs/tmpfs regular file: a sparse map of 4 KiB pages in
// host memory, charged to the superblock's page counter (tmpfs size limit).
// Holes read as zeros and cost nothing, so ftruncate to a large size is cheap.
// readPage/writePage are the hooks through which file mappings (kernel/mm)
// fill and write back page frames.

import { Errno } from "../errno.ts";
import type { Inode } from "./inode.ts";

export const PAGE_SIZE = 4096;
/** Largest file size, as Linux's MAX_LFS_FILESIZE on 32-bit ((ULONG_MAX) pages). */
export const MAX_LFS_FILESIZE = 0xffff_ffff * PAGE_SIZE;

/** What a file mapping needs from a file: page-sized reads and writes at page indexes. */
export interface FileBacking {
  /** Fill dst (PAGE_SIZE bytes) with page index; bytes past EOF read as zero. */
  readPage(index: number, dst: Uint8Array): void;
  /** Store a whole page back (MAP_SHARED writeback); beyond-EOF bytes are not made part of the file. Result 0 or -ENOSPC. */
  writePage(index: number, src: Uint8Array): number;
  /** Current file size in bytes. */
  fileSize(): number;
}

/**
 * A page cache holding frames of this file (kernel/mm, through the file-mapping
 * bridge). When set, read() prefers cached frames (they may hold MAP_SHARED
 * stores), write() updates cached frames too, and truncate() tells it to drop
 * pages past the new end, so read/write and mappings stay coherent.
 */
export interface PageCacheHook {
  /** Copy [off, off+len) of cached page index into dst at dstOff; false if not cached. */
  readCached(index: number, off: number, dst: Uint8Array, dstOff: number, len: number): boolean;
  /** write() stored src at (index, off): update the cached frame, if any. */
  writeCached(index: number, off: number, src: Uint8Array): void;
  /** The file now has this size: forget or zero cached bytes past it. */
  truncated(size: number): void;
  /** The inode is gone (no names, no openers): drop the whole cache. */
  evicted(): void;
  /** How many cached pages the store does not hold (written only through a mapping). */
  cachedOnly(): number;
}

export class PageStore implements FileBacking {
  private readonly pages = new Map<number, Uint8Array>();
  /** The page cache of a mapped file, or null (set by the file-mapping bridge). */
  cache: PageCacheHook | null = null;

  constructor(private readonly inode: Inode) {}

  get pageCount(): number {
    return this.pages.size;
  }

  /** Pages the file occupies: stored ones plus those living only in its page cache (st_blocks). */
  get allocatedPages(): number {
    return this.pages.size + (this.cache?.cachedOnly() ?? 0);
  }

  fileSize(): number {
    return this.inode.size;
  }

  /** Copy up to dst.length bytes from pos into dst; returns bytes copied (0 at/after EOF). */
  read(pos: number, dst: Uint8Array): number {
    const size = this.inode.size;
    if (pos >= size || dst.length === 0) return 0;
    const n = Math.min(dst.length, size - pos);
    let done = 0;
    while (done < n) {
      const p = pos + done;
      const idx = Math.floor(p / PAGE_SIZE);
      const off = p - idx * PAGE_SIZE;
      const chunk = Math.min(PAGE_SIZE - off, n - done);
      if (this.cache === null || !this.cache.readCached(idx, off, dst, done, chunk)) {
        const page = this.pages.get(idx);
        if (page === undefined) dst.fill(0, done, done + chunk);
        else dst.set(page.subarray(off, off + chunk), done);
      }
      done += chunk;
    }
    return n;
  }

  /**
   * Write src at pos, growing the file. Returns bytes written; a short count
   * when the space limit is hit part-way, -ENOSPC if nothing fit, -EFBIG past
   * MAX_LFS_FILESIZE.
   */
  write(pos: number, src: Uint8Array): number {
    if (src.length === 0) return 0;
    if (pos >= MAX_LFS_FILESIZE) return -Errno.EFBIG;
    const n = Math.min(src.length, MAX_LFS_FILESIZE - pos);
    let done = 0;
    while (done < n) {
      const p = pos + done;
      const idx = Math.floor(p / PAGE_SIZE);
      const off = p - idx * PAGE_SIZE;
      const chunk = Math.min(PAGE_SIZE - off, n - done);
      const page = this.getOrAlloc(idx);
      if (page === null) break;
      const part = src.subarray(done, done + chunk);
      page.set(part, off);
      this.cache?.writeCached(idx, off, part);
      done += chunk;
    }
    if (done === 0) return -Errno.ENOSPC;
    if (pos + done > this.inode.size) this.inode.size = pos + done;
    return done;
  }

  /** Set the size; pages wholly past the new end are freed and the tail of the last one zeroed. */
  truncate(size: number): number {
    if (size < 0) return -Errno.EINVAL;
    if (size > MAX_LFS_FILESIZE) return -Errno.EFBIG;
    if (size < this.inode.size) {
      const keep = Math.ceil(size / PAGE_SIZE);
      for (const idx of [...this.pages.keys()]) if (idx >= keep) this.freePage(idx);
      const off = size % PAGE_SIZE;
      if (off !== 0) this.pages.get(keep - 1)?.fill(0, off);
    }
    this.inode.size = size;
    this.cache?.truncated(size);
    return 0;
  }

  /** Drop every page (the inode is being destroyed). */
  clear(): void {
    for (const idx of [...this.pages.keys()]) this.freePage(idx);
  }

  /** Free the pages in [first, first+count) without changing the size (MADV_REMOVE hole punch). */
  punchHole(first: number, count: number): void {
    for (const idx of [...this.pages.keys()]) if (idx >= first && idx < first + count) this.freePage(idx);
  }

  /** True if page index holds data (is not a hole). */
  hasPage(index: number): boolean {
    return this.pages.has(index);
  }

  readPage(index: number, dst: Uint8Array): void {
    const page = this.pages.get(index);
    if (page === undefined) dst.fill(0, 0, PAGE_SIZE);
    else dst.set(page);
    const start = index * PAGE_SIZE;
    const size = this.inode.size;
    if (start + PAGE_SIZE > size) dst.fill(0, Math.max(0, size - start), PAGE_SIZE);
  }

  writePage(index: number, src: Uint8Array): number {
    const start = index * PAGE_SIZE;
    if (start >= this.inode.size) return 0;
    const page = this.getOrAlloc(index);
    if (page === null) return -Errno.ENOSPC;
    const valid = Math.min(PAGE_SIZE, this.inode.size - start);
    page.set(src.subarray(0, valid));
    return 0;
  }

  private getOrAlloc(idx: number): Uint8Array | null {
    let page = this.pages.get(idx);
    if (page !== undefined) return page;
    const sb = this.inode.sb;
    if (sb.usedPages + 1 > sb.maxPages) return null;
    sb.usedPages++;
    page = new Uint8Array(PAGE_SIZE);
    this.pages.set(idx, page);
    return page;
  }

  private freePage(idx: number): void {
    if (this.pages.delete(idx)) this.inode.sb.usedPages--;
  }
}
