// Mapping hostfs files: the page cache of a host-backed file (an mm
// AddressSpace whose frames the device fills on a fault, readPage) and what
// hostfs needs of it (fs/hostfs.ts HostfsPageCache): cached bytes for read and
// write, writeback of dirty pages, truncation. Dirty pages are those whose
// PTEs the MMU marked dirty, or which carry PG.DIRTY from an unmap (zap moves
// a PTE's dirty bit to the page); they are written back on msync, on munmap
// and exit (the area's put), on fsync and on the last close, and by reclaim
// before the frame is dropped (AddressSpace.writeback).

import type { Inode } from "./fs/inode.ts";
import { evictInode, type File } from "./fs/file.ts";
import { AddressSpace, type FileBacking } from "./mm/filemap.ts";
import { unmapMappingRange } from "./mm/memory.ts";
import type { MmContext } from "./mm/context.ts";
import type { PhysMem } from "./arch/phys.ts";
import { writebackPage } from "./mm/writeback.ts";
import { hostfsNode, hostfsReadPage, hostfsWritePage, type HostfsPageCache } from "./fs/hostfs.ts";

export class HostfsBacking implements FileBacking, HostfsPageCache {
  readonly mapping: AddressSpace;
  private name = "";
  /** The first error a writeback met, reported by the next msync/fsync (Linux AS_EIO). */
  private error = 0;

  constructor(
    private readonly ctx: MmContext,
    private readonly inode: Inode,
  ) {
    this.mapping = new AddressSpace(ctx);
    this.mapping.writeback = (index, pfn) => this.writePage(index, pfn);
    hostfsNode(inode).cache = this;
  }

  get size(): number {
    return this.inode.size;
  }

  /** A fault: the device reads the page straight into the new cache frame (zeroed past the end). */
  readPage(index: number, _mem: PhysMem, pa: number): void {
    hostfsReadPage(this.inode, index, pa);
  }

  findPage(index: number): number {
    return this.mapping.findPage(index);
  }

  get cachedPages(): number {
    return this.mapping.pages.size;
  }

  copyFrom(pfn: number, off: number, dst: Uint8Array, dstOff: number, len: number): void {
    dst.set(this.ctx.mem.readBytes(pfn * 4096 + off, len), dstOff);
  }

  copyTo(pfn: number, off: number, src: Uint8Array): void {
    this.ctx.mem.writeBytes(pfn * 4096 + off, src);
  }

  private writePage(index: number, pfn: number): void {
    const len = Math.min(4096, this.inode.size - index * 4096);
    if (len <= 0) return; // wholly past the end: stores there never become file data
    const r = hostfsWritePage(this.inode, index, pfn * 4096, len);
    if (r < 0 && this.error === 0) this.error = r;
  }

  writeback(): number {
    for (const [index, pfn] of [...this.mapping.pages]) writebackPage(this.ctx, pfn, index, (i, p) => this.writePage(i, p));
    const e = this.error;
    this.error = 0;
    return e;
  }

  truncated(size: number): void {
    const first = Math.ceil(size / 4096);
    unmapMappingRange(this.mapping, first, Infinity, true); // Linux truncate_pagecache
    this.mapping.truncatePages(first);
    const tail = this.mapping.findPage(Math.floor(size / 4096));
    if (tail >= 0 && size % 4096 !== 0) this.ctx.mem.writeBytes(tail * 4096 + (size % 4096), new Uint8Array(4096 - (size % 4096)));
  }

  get(): void {
    this.inode.openCount++;
  }

  /** An area is gone (munmap, exit): its stores reach the host; a nameless file goes with its last user. */
  put(): void {
    this.writeback();
    if (--this.inode.openCount === 0 && this.inode.nlink === 0) {
      this.release();
      evictInode(this.inode);
    }
  }

  release(): void {
    this.mapping.release();
    hostfsNode(this.inode).cache = null;
    this.inode.mmBacking = null;
  }

  nameFrom(file: File): void {
    if (this.name === "") this.name = file.name;
  }

  get path(): string | undefined {
    if (this.name === "") return undefined;
    return this.inode.nlink === 0 ? `${this.name} (deleted)` : this.name;
  }
}

/** The mm view of a hostfs regular file opened as `file` (made on first mmap or exec). */
export function hostfsBacking(ctx: MmContext, file: File): FileBacking {
  let b = file.inode.mmBacking as HostfsBacking | null;
  if (!b) {
    b = new HostfsBacking(ctx, file.inode);
    file.inode.mmBacking = b;
  }
  b.nameFrom(file);
  return b;
}
