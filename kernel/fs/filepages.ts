// Where ramfs/tmpfs keep file pages: a small page-allocator interface (names
// after Linux's alloc_page, put_page, memcpy_from_page, memcpy_to_page,
// memzero_page in include/linux/highmem.h). The kernel gives file systems
// guest frames (kernel/mm/store-frames.ts), so file data is bounded by and
// accounted in guest RAM; HostFilePages keeps pages in host memory, bounded
// too, for file systems built without a kernel (unit tests).

import { panic } from "../panic.ts";
import { PAGE_SIZE } from "../mm/config.ts";

/** A holder of allocated pages (a file's page store), so an allocator can list its pages. */
export interface FilePageOwner {
  /** Calls fn for every page held: the file page index and the page handle. */
  forEachPage(fn: (index: number, page: number) => void): void;
}

/** The pages file stores are made of. A page is a number (a pfn for the kernel). */
export interface FilePageAllocator {
  /**
   * A zero-filled page for owner, or -1 when none can be had (memory exhausted
   * after reclaim). atFault: the page is wanted by a page fault, which may use
   * the last free pages; a write(2) leaves a reserve for faults.
   */
  allocPage(owner: FilePageOwner, atFault: boolean): number;
  /** Gives back a page owner got from allocPage. */
  putPage(owner: FilePageOwner, page: number): void;
  /** Copies len bytes at off of page into dst at dstOff. */
  memcpyFromPage(page: number, off: number, dst: Uint8Array, dstOff: number, len: number): void;
  /** Copies src into page at off. */
  memcpyToPage(page: number, off: number, src: Uint8Array): void;
  /** Clears len bytes at off of page. */
  memzeroPage(page: number, off: number, len: number): void;
  /** Pages handed out and not given back. */
  readonly nrPages: number;
}

/** Default bound of HostFilePages: 64 MiB. */
export const HOST_FILE_PAGES_MAX = 16384;

/** File pages in host memory, at most maxPages of them (file systems without a kernel). */
export class HostFilePages implements FilePageAllocator {
  private readonly pages: (Uint8Array | null)[] = [];
  private readonly freeHandles: number[] = [];
  nrPages = 0;

  constructor(readonly maxPages = HOST_FILE_PAGES_MAX) {}

  allocPage(): number {
    if (this.nrPages >= this.maxPages) return -1;
    this.nrPages++;
    const page = new Uint8Array(PAGE_SIZE);
    const h = this.freeHandles.pop();
    if (h !== undefined) {
      this.pages[h] = page;
      return h;
    }
    this.pages.push(page);
    return this.pages.length - 1;
  }

  putPage(_owner: FilePageOwner, page: number): void {
    if (this.pages[page] == null) panic(`HostFilePages.putPage: page ${page} not allocated`);
    this.pages[page] = null;
    this.freeHandles.push(page);
    this.nrPages--;
  }

  memcpyFromPage(page: number, off: number, dst: Uint8Array, dstOff: number, len: number): void {
    dst.set(this.data(page).subarray(off, off + len), dstOff);
  }

  memcpyToPage(page: number, off: number, src: Uint8Array): void {
    this.data(page).set(src, off);
  }

  memzeroPage(page: number, off: number, len: number): void {
    this.data(page).fill(0, off, off + len);
  }

  private data(page: number): Uint8Array {
    const d = this.pages[page];
    if (d == null) panic(`HostFilePages: page ${page} not allocated`);
    return d;
  }
}
