// Mapping files: the bridge from a VFS inode (contents in its PageStore) to
// what the memory manager maps (an mm FileBacking with a page cache). One
// FileBacking and one AddressSpace per inode, created on first mmap.
//
// Coherence: the store's pages are guest frames (mm/store-frames.ts) and a
// fault puts the store frame itself into the page cache (storePage), so
// read(), write() and every shared mapping see one copy of the data. The
// store tells the cache when pages go (truncate, eviction) so mappings of
// them are removed as Linux truncate_pagecache does. Every area mapping the
// file holds it open, so an unlinked file's store lives until its last
// descriptor and its last mapping are gone.

import type { Inode } from "./fs/inode.ts";
import { evictInode, type File } from "./fs/file.ts";
import { S_IFMT, S_IFREG } from "./fs/mode.ts";
import { AddressSpace, type FileBacking } from "./mm/filemap.ts";
import { unmapMappingRange } from "./mm/memory.ts";
import type { MmContext } from "./mm/context.ts";
import type { PageCacheHook, PageStore } from "./fs/pagestore.ts";
import { filePagesOf } from "./mm/store-frames.ts";
import { Errno } from "./errno.ts";
import { isHostfs } from "./fs/hostfs.ts";
import { hostfsBacking } from "./hostfs-mapping.ts";

export class InodeBacking implements FileBacking, PageCacheHook {
  readonly mapping: AddressSpace;
  /** The name the file was first mapped by, for /proc/PID/maps (Linux d_path). */
  private name = "";

  constructor(
    ctx: MmContext,
    private readonly inode: Inode,
    private readonly store: PageStore,
  ) {
    this.mapping = new AddressSpace(ctx);
    store.cache = this;
  }

  /** MADV_REMOVE: tmpfs drops the cached frames and the stored pages; other filesystems cannot. */
  punchHole(first: number, last: number): number {
    if (this.inode.sb.type !== "tmpfs") return -Errno.EOPNOTSUPP;
    this.mapping.truncatePages(first, last);
    this.store.punchHole(first, last - first);
    return 0;
  }

  storePage(index: number): number {
    return this.store.faultPage(index);
  }

  resident(index: number): boolean {
    return this.store.hasPage(index);
  }

  /** An area maps the file: it holds it open as Linux's vma holds its struct file. */
  get(): void {
    this.inode.openCount++;
  }

  /** An area is gone: a file without names is freed with its last opener or mapping. */
  put(): void {
    if (--this.inode.openCount === 0 && this.inode.nlink === 0) evictInode(this.inode);
  }

  truncated(size: number): void {
    const first = Math.ceil(size / 4096);
    unmapMappingRange(this.mapping, first, Infinity, true); // Linux truncate_pagecache
    this.mapping.truncatePages(first);
  }

  evicted(): void {
    this.mapping.release();
    this.store.cache = null;
    this.inode.mmBacking = null;
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
}

/**
 * The mm view of a regular file opened as `file`, or -ENODEV for files that
 * cannot be mapped (not regular, or stored outside ctx's frames).
 */
export function fileBacking(ctx: MmContext, file: File): FileBacking | number {
  const inode = file.inode;
  if (isHostfs(inode)) return (inode.mode & S_IFMT) === S_IFREG ? hostfsBacking(ctx, file) : -Errno.ENODEV;
  const store = inode.data;
  if ((inode.mode & S_IFMT) !== S_IFREG || store === null || inode.sb.pages !== filePagesOf(ctx)) return -Errno.ENODEV;
  let b = inode.mmBacking as InodeBacking | null;
  if (!b) {
    b = new InodeBacking(ctx, inode, store);
    inode.mmBacking = b;
  }
  b.nameFrom(file);
  return b;
}
