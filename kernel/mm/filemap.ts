// The page cache of one file (AddressSpace) and the interface a filesystem
// gives the memory manager for a mappable file (FileBacking). Pages in the
// cache hold one reference each; i_mmap lists the areas mapping the file
// (for the reverse map). A file whose data is already in frames (ramfs,
// tmpfs) lends them to the cache instead of having them copied.

import { Errno } from "../errno.ts";
import type { MmContext } from "./context.ts";
import { PG, type PageOwner } from "./page.ts";
import type { PhysMem } from "../arch/phys.ts";
import type { VmArea } from "./vma.ts";
import { panic } from "../panic.ts";
import { PAGE_SIZE } from "./config.ts";

/** What the mm needs from an open file it maps. The filesystem implements it (per inode). */
export interface FileBacking {
  /** File size in bytes; faults beyond the last page raise SIGBUS. */
  readonly size: number;
  /** Fills the (already zeroed) frame at pa with page `index` of the file (unless storePage is given). */
  readPage?(index: number, mem: PhysMem, pa: number): void;
  /**
   * For files whose data already lives in frames (ramfs/tmpfs stores): the
   * frame holding page `index`, made for a hole; it becomes the cache frame
   * (one copy). -ENOSPC when the filesystem is full, -ENOMEM without memory.
   */
  storePage?(index: number): number;
  /** For such files: whether page `index` is held in memory now (not a hole); mincore's answer. */
  resident?(index: number): boolean;
  /** Path shown in /proc/<pid>/maps (optional). */
  readonly path?: string;
  /** The inode's page cache. */
  readonly mapping: AddressSpace;
  /**
   * Frees pages [first, last) and their backing store (MADV_REMOVE, Linux
   * fallocate PUNCH_HOLE): later reads see zeros. 0, or -EOPNOTSUPP when the
   * filesystem cannot punch holes (absent = cannot).
   */
  punchHole?(first: number, last: number): number;
  /** Writes dirty cached pages to the backing store (msync); 0 or -errno. Absent: the file lives in RAM. */
  writeback?(): number;
  /** Optional reference counting of the open file (Linux get_file/fput), called per area. */
  get?(): void;
  put?(): void;
}

export class AddressSpace implements PageOwner {
  readonly kind = "file" as const;
  /** page index -> pfn */
  readonly pages = new Map<number, number>();
  /** Areas mapping this file. */
  readonly iMmap = new Set<VmArea>();
  /** For shmem/tmpfs objects: the pages this cache holds that count as Shmem in /proc/meminfo. */
  shmemPages: (() => number) | null = null;
  /** For files with a backing store (hostfs): writes cached page index (frame pfn) back (Linux writepage). */
  writeback: ((index: number, pfn: number) => void) | null = null;

  constructor(readonly ctx: MmContext) {
    ctx.mappings.add(this);
  }

  /** The cached frame for index, or -1 (Linux find_get_page without the extra reference). */
  findPage(index: number): number {
    const pfn = this.pages.get(index);
    return pfn === undefined ? -1 : pfn;
  }

  /**
   * The frame holding page `index` of file; if not cached, the file's own
   * frame (storePage) or a new frame filled by readPage. Returns the pfn
   * (lastMajor tells whether it was read), -ENOMEM when out of memory, or
   * the store's -ENOSPC (a full tmpfs).
   * The cache keeps its reference; callers take their own with getPage.
   */
  readCachePage(file: FileBacking, index: number): number {
    const have = this.pages.get(index);
    if (have !== undefined) {
      this.lastMajor = false;
      return have;
    }
    const frames = this.ctx.frames;
    let pfn: number;
    if (file.storePage) {
      // The file's own frame joins the cache: found in memory, a minor fault.
      pfn = file.storePage(index);
      if (pfn < 0) return pfn;
      frames.getPage(pfn);
      frames.flags[pfn] |= PG.CACHE;
      this.lastMajor = false;
    } else {
      if (!file.readPage) panic("readCachePage: a file with neither readPage nor storePage");
      pfn = frames.allocPage(PG.CACHE | PG.UPTODATE);
      if (pfn < 0) return -Errno.ENOMEM;
      this.ctx.mem.zeroPage(pfn * PAGE_SIZE);
      this.ctx.counters.pagesZeroed++;
      file.readPage(index, this.ctx.mem, pfn * PAGE_SIZE);
      this.lastMajor = true;
    }
    frames.mapping[pfn] = this;
    frames.index[pfn] = index;
    this.pages.set(index, pfn);
    return pfn;
  }
  /** True if the last readCachePage had to read the page (a major fault). */
  lastMajor = false;

  /**
   * Drops cached pages from page index `from` on (truncate_inode_pages_range).
   * Pages still mapped by some PTE keep living until unmapped; they just leave the cache.
   */
  truncatePages(from = 0, to = Infinity): void {
    const frames = this.ctx.frames;
    for (const [index, pfn] of [...this.pages]) {
      if (index < from || index >= to) continue;
      this.pages.delete(index);
      frames.flags[pfn] &= ~PG.CACHE;
      if (frames.count[pfn] > 1) frames.mapping[pfn] = null;
      frames.putPage(pfn);
    }
  }

  /** Drops one unmapped, clean page from the cache (reclaim). Precondition: only the cache references it. */
  removePage(index: number): void {
    const pfn = this.pages.get(index);
    if (pfn === undefined) return;
    this.pages.delete(index);
    this.ctx.frames.flags[pfn] &= ~PG.CACHE;
    this.ctx.frames.putPage(pfn);
  }

  /** Empties the cache and forgets this mapping (the inode is gone). */
  release(): void {
    this.truncatePages();
    this.ctx.mappings.delete(this);
  }
}

/**
 * The backing object of a shared anonymous mapping (Linux shmem_zero_setup):
 * a nameless file of zero pages whose cache is its only storage.
 */
export class ShmemFile implements FileBacking {
  readonly mapping: AddressSpace;
  private refs = 0;
  constructor(ctx: MmContext, readonly size: number) {
    this.mapping = new AddressSpace(ctx);
    this.mapping.shmemPages = () => this.mapping.pages.size;
  }
  readPage(): void {
    // Frames arrive zeroed: a new shmem page is a zero page.
  }
  punchHole(first: number, last: number): number {
    this.mapping.truncatePages(first, last); // the cache is the only storage
    return 0;
  }
  get(): void {
    this.refs++;
  }
  put(): void {
    if (--this.refs === 0) this.mapping.release();
  }
}
