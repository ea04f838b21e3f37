// tmpfs (mounted on /tmp): ramfs with a size limit in pages and an inode
// limit; writes past the limit fail with ENOSPC (short writes when a write
// crosses it), on top of the limit of the page allocator (guest RAM). Usage
// is readable from the superblock (usedPages, usedInodes).

import type { SuperBlock, FsClock } from "./inode.ts";
import { createRamfs } from "./ramfs.ts";
import type { ChrdevTable } from "./chrdev.ts";
import { PAGE_SIZE } from "../mm/config.ts";
import type { FilePageAllocator } from "./filepages.ts";

export const TMPFS_MAGIC = 0x01021994;

export interface TmpfsOptions {
  dev: number;
  clock: FsClock;
  /** size= in bytes (rounded up to pages); Linux's default is half of RAM. */
  sizeBytes: number;
  /** nr_inodes= (default: one per page of size, as Linux's half-of-lowmem-pages rule approximates). */
  maxInodes?: number;
  chrdevs?: ChrdevTable | null;
  rootMode?: number;
  /** Where file pages come from (the kernel passes guest frames; see RamfsOptions). */
  pages?: FilePageAllocator;
}

export function createTmpfs(opts: TmpfsOptions): SuperBlock {
  const pages = Math.ceil(opts.sizeBytes / PAGE_SIZE);
  return createRamfs({
    dev: opts.dev, clock: opts.clock, type: "tmpfs", magic: TMPFS_MAGIC, chrdevs: opts.chrdevs,
    maxPages: pages, maxInodes: opts.maxInodes ?? Math.max(pages, 1), rootMode: opts.rootMode ?? 0o1777,
    pages: opts.pages,
  });
}

export interface TmpfsUsage {
  sizePages: number;
  usedPages: number;
  maxInodes: number;
  usedInodes: number;
}

export function tmpfsUsage(sb: SuperBlock): TmpfsUsage {
  return { sizePages: sb.maxPages, usedPages: sb.usedPages, maxInodes: sb.maxInodes, usedInodes: sb.usedInodes };
}
