// The contents of a ramfs/tmpfs regular file: a sparse map of 4 KiB pages
// taken from the superblock's page allocator (guest frames under the kernel,
// see filepages.ts), charged to the superblock's page counter (tmpfs size
// limit). Holes read as zeros and cost nothing, so ftruncate to a large size
// is cheap. When the file is mapped, its store pages are the page-cache pages
// of the mapping (one copy, as Linux's ramfs and shmem keep file data only in
// the page cache), so read/write and mappings see the same bytes.

import { Errno } from "../errno.ts";
import { panic } from "../panic.ts";
import type { Inode } from "./inode.ts";
import type { FilePageAllocator, FilePageOwner } from "./filepages.ts";
import { PAGE_SIZE } from "../mm/config.ts";

/** Largest file size, as Linux's MAX_LFS_FILESIZE on 32-bit ((ULONG_MAX) pages). */
export const MAX_LFS_FILESIZE = 0xffff_ffff * PAGE_SIZE;

/** The page cache of a mapped file (the file-mapping bridge), told when store pages go away. */
export interface PageCacheHook {
  /** The file now has this size: unmap and drop cached pages wholly past it. */
  truncated(size: number): void;
  /** The inode is gone (no names, no openers): drop the whole cache. */
  evicted(): void;
}

export class PageStore implements FilePageOwner {
  /** page index -> page of the superblock's allocator */
  private readonly pages = new Map<number, number>();
  /** The page cache of a mapped file, or null (set by the file-mapping bridge). */
  cache: PageCacheHook | null = null;

  constructor(private readonly inode: Inode) {}

  /** The allocator the superblock's pages come from. */
  get allocator(): FilePageAllocator {
    const a = this.inode.sb.pages;
    if (a === null) panic("PageStore: superblock without a page allocator");
    return a;
  }

  /** Pages the file occupies (st_blocks). */
  get allocatedPages(): number {
    return this.pages.size;
  }

  forEachPage(fn: (index: number, page: number) => void): void {
    for (const [index, page] of this.pages) fn(index, page);
  }

  /** Copy up to dst.length bytes from pos into dst; returns bytes copied (0 at/after EOF). */
  read(pos: number, dst: Uint8Array): number {
    const size = this.inode.size;
    if (pos >= size || dst.length === 0) return 0;
    const n = Math.min(dst.length, size - pos);
    const alloc = this.allocator;
    let done = 0;
    while (done < n) {
      const p = pos + done;
      const idx = Math.floor(p / PAGE_SIZE);
      const off = p - idx * PAGE_SIZE;
      const chunk = Math.min(PAGE_SIZE - off, n - done);
      const page = this.pages.get(idx);
      if (page === undefined) dst.fill(0, done, done + chunk);
      else alloc.memcpyFromPage(page, off, dst, done, chunk);
      done += chunk;
    }
    return n;
  }

  /**
   * Write src at pos, growing the file. Returns bytes written; a short count
   * when the space limit or memory runs out part-way, -ENOSPC if nothing fit,
   * -EFBIG past MAX_LFS_FILESIZE.
   */
  write(pos: number, src: Uint8Array): number {
    if (src.length === 0) return 0;
    if (pos >= MAX_LFS_FILESIZE) return -Errno.EFBIG;
    const n = Math.min(src.length, MAX_LFS_FILESIZE - pos);
    const alloc = this.allocator;
    let done = 0;
    while (done < n) {
      const p = pos + done;
      const idx = Math.floor(p / PAGE_SIZE);
      const off = p - idx * PAGE_SIZE;
      const chunk = Math.min(PAGE_SIZE - off, n - done);
      const page = this.getOrAlloc(idx, false);
      if (page < 0) break;
      if (done === 0) this.zeroPastEof(pos);
      alloc.memcpyToPage(page, off, src.subarray(done, done + chunk));
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
      this.zeroTail(size);
    } else {
      this.zeroPastEof(size);
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

  /**
   * The page holding index for a page fault (the mapping maps it directly): a
   * hole gets a zero page. -ENOSPC past a tmpfs size= limit (the fault raises
   * SIGBUS, as Linux's shmem_fault does), -ENOMEM when memory is exhausted.
   */
  faultPage(index: number): number {
    return this.getOrAlloc(index, true);
  }

  /**
   * The file grows to end: bytes past the old EOF in its last page may hold
   * stores made through a shared mapping, which never became file data
   * (mmap(2)); they must read as zeros now.
   */
  private zeroPastEof(end: number): void {
    const size = this.inode.size;
    if (end > size && size % PAGE_SIZE !== 0) this.zeroTail(size);
  }

  /** Zeroes the bytes of size's page from size on (if that page exists). */
  private zeroTail(size: number): void {
    const off = size % PAGE_SIZE;
    const page = this.pages.get(Math.floor(size / PAGE_SIZE));
    if (off !== 0 && page !== undefined) this.allocator.memzeroPage(page, off, PAGE_SIZE - off);
  }

  /** The page at idx, allocated for a hole: -ENOSPC past the size limit, -ENOMEM without memory. */
  private getOrAlloc(idx: number, atFault: boolean): number {
    const have = this.pages.get(idx);
    if (have !== undefined) return have;
    const sb = this.inode.sb;
    if (sb.usedPages + 1 > sb.maxPages) return -Errno.ENOSPC;
    const page = this.allocator.allocPage(this, atFault);
    if (page < 0) return -Errno.ENOMEM;
    sb.usedPages++;
    this.pages.set(idx, page);
    return page;
  }

  private freePage(idx: number): void {
    const page = this.pages.get(idx);
    if (page === undefined) return;
    this.pages.delete(idx);
    this.inode.sb.usedPages--;
    this.allocator.putPage(this, page);
  }
}
