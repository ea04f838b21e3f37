// File pages in guest frames: the page allocator the kernel gives ramfs and
// tmpfs (fs/filepages.ts), so file data lives in guest RAM as Linux's ramfs
// and shmem pages live in the page cache: MemFree and Cached in /proc/meminfo
// move with it, and host memory stays bounded by guest RAM. A store frame
// holds one reference for its store and carries PG.STORE; when the file is
// mapped it is also the page-cache frame (filemap.ts readCachePage). These
// pages are not reclaimable (Linux ramfs pages are unevictable; shmem would
// need swap), so a write that finds memory short after reclaim gets -1
// (ENOSPC), leaving the low watermark's frames to page faults.

import type { MmContext } from "./context.ts";
import { PG } from "./page.ts";
import { lowWatermark, shrinkMemory } from "./vmscan.ts";
import { panic } from "../panic.ts";
import type { FilePageAllocator, FilePageOwner } from "../fs/filepages.ts";
import { PAGE_SIZE } from "./config.ts";

export class FrameFilePages implements FilePageAllocator {
  /** Every store holding frames, with how many (for the frame accounting check). */
  readonly owners = new Map<FilePageOwner, number>();
  nrPages = 0;

  constructor(private readonly ctx: MmContext) {}

  allocPage(owner: FilePageOwner, atFault: boolean): number {
    const ctx = this.ctx, frames = ctx.frames;
    if (!atFault) {
      const low = lowWatermark(ctx);
      if (frames.freeCount <= low) shrinkMemory(ctx, 2 * low - frames.freeCount);
      if (frames.freeCount <= low) return -1;
    }
    const pfn = frames.allocPage(PG.STORE | PG.UPTODATE);
    if (pfn < 0) return -1;
    ctx.mem.zeroPage(pfn * PAGE_SIZE);
    ctx.counters.pagesZeroed++;
    this.owners.set(owner, (this.owners.get(owner) ?? 0) + 1);
    this.nrPages++;
    return pfn;
  }

  putPage(owner: FilePageOwner, pfn: number): void {
    const frames = this.ctx.frames;
    const held = this.owners.get(owner) ?? 0;
    if (held <= 0 || !(frames.flags[pfn] & PG.STORE)) panic(`FrameFilePages.putPage: frame ${pfn} not held by this store`);
    if (held === 1) this.owners.delete(owner);
    else this.owners.set(owner, held - 1);
    this.nrPages--;
    frames.flags[pfn] &= ~PG.STORE; // a page cache or PTEs may keep it a while longer
    frames.putPage(pfn);
  }

  memcpyFromPage(pfn: number, off: number, dst: Uint8Array, dstOff: number, len: number): void {
    dst.set(this.ctx.mem.readBytes(pfn * PAGE_SIZE + off, len), dstOff);
  }

  memcpyToPage(pfn: number, off: number, src: Uint8Array): void {
    this.ctx.mem.writeBytes(pfn * PAGE_SIZE + off, src);
  }

  memzeroPage(pfn: number, off: number, len: number): void {
    this.ctx.mem.writeBytes(pfn * PAGE_SIZE + off, new Uint8Array(len));
  }
}

/** The file-page allocator of ctx (MmContext.filePages, one per kernel). */
export function filePagesOf(ctx: MmContext): FrameFilePages {
  return ctx.filePages;
}

/** ctx's file-page allocator (for the frame check; always made with the context). */
export function filePagesIfAny(ctx: MmContext): FrameFilePages | undefined {
  return ctx.filePages;
}
