// /dev/vmstat (misc character device 10:240): one kernel page of live
// memory-manager counters that a process maps and reads without system calls.
// mmap inserts the page with vmInsertPage (commit a145dd411e, Linux 2.6.15), so the area is
// VM_INSERTPAGE and every design copies it on fork. The kernel rewrites the
// values on every timer tick (only while the page is mapped) and at mmap.
//
// Page layout (little-endian u32): magic "VMST" (0x54534d56), seq (bumped on
// every update), count, reserved; then `count` entries of 32 bytes each:
// a NUL-padded name of 28 bytes and a u32 value.

import { Errno } from "../errno.ts";
import type { ChrdevTable } from "../fs/chrdev.ts";
import type { File, FileOps } from "../fs/file.ts";
import type { MmContext } from "../mm/context.ts";
import { FAULT_DECISIONS } from "../mm/counters.ts";
import { vmInsertPage } from "../mm/memory.ts";
import { VM_MAYWRITE, VM_WRITE, type VmArea } from "../mm/vma.ts";

export const MISC_MAJOR = 10;
export const VMSTAT_MINOR = 240;
export const VMSTAT_MAGIC = 0x54534d56;
const HEADER = 16;
const ENTRY = 32;

/** The counter page and its updater. */
export class VmstatPage {
  readonly pfn: number;
  private seq = 0;
  private readonly names: string[];
  private readonly getters: (() => number)[];
  /** Extra counters owned by other subsystems (swap), read at each update. */
  readonly extra = new Map<string, () => number>();

  /** Allocates and pins the page; throws nothing: pfn is -1 when memory is exhausted at boot. */
  constructor(private readonly ctx: MmContext, private readonly jiffies: () => number, extraNames: readonly string[] = []) {
    this.pfn = ctx.frames.allocKernelPage();
    this.names = [
      "jiffies", "nr_free_pages", "nr_total_pages", "pgfault", "pgmajfault",
      ...FAULT_DECISIONS.map((d) => `fault_${d.replace(/-/g, "_")}`),
      "forks", "exits", "execs", "pages_copied", "pages_zeroed", "ptes_copied", "tables_allocated",
      ...extraNames,
    ];
    this.getters = this.names.map((n) => this.getter(n));
    if (this.pfn < 0) return;
    const mem = ctx.mem, base = this.pfn * 4096;
    mem.zeroPage(base);
    mem.write32(base, VMSTAT_MAGIC);
    mem.write32(base + 8, this.names.length);
    const enc = new TextEncoder();
    this.names.forEach((n, i) => mem.writeBytes(base + HEADER + i * ENTRY, enc.encode(n.slice(0, 27))));
    this.update();
  }

  /** Current value of counter `name`. */
  value(name: string): number {
    const i = this.names.indexOf(name);
    return i >= 0 ? this.getters[i]() : this.getter(name)();
  }

  private getter(name: string): () => number {
    const ctx = this.ctx, c = ctx.counters;
    switch (name) {
      case "jiffies": return () => this.jiffies();
      case "nr_free_pages": return () => ctx.frames.freeCount;
      case "nr_total_pages": return () => ctx.frames.totalram;
      case "pgfault": return () => {
        let s = 0;
        for (const d of FAULT_DECISIONS) s += c.faults[d];
        return s;
      };
      case "pgmajfault": return () => c.majorFaults;
      case "forks": return () => c.forks;
      case "exits": return () => c.exits;
      case "execs": return () => c.execs;
      case "pages_copied": return () => c.pagesCopied;
      case "pages_zeroed": return () => c.pagesZeroed;
      case "ptes_copied": return () => c.ptesCopied;
      case "tables_allocated": return () => c.tablesAllocated;
    }
    const d = FAULT_DECISIONS.find((x) => `fault_${x.replace(/-/g, "_")}` === name);
    if (d) return () => c.faults[d];
    return () => this.extra.get(name)?.() ?? 0;
  }

  /** Rewrites every value (cheap: one store per counter); skipped while nobody maps the page. */
  update(force = true): void {
    if (this.pfn < 0) return;
    if (!force && this.ctx.frames.mapcount[this.pfn] === 0) return;
    const mem = this.ctx.mem, base = this.pfn * 4096;
    mem.write32(base + 4, ++this.seq >>> 0);
    for (let i = 0; i < this.getters.length; i++) mem.write32(base + HEADER + i * ENTRY + 28, this.getters[i]() >>> 0);
  }
}

/** The driver: mmap of exactly one read-only page at offset 0 inserts the counter page. */
export function vmstatFops(page: VmstatPage): FileOps {
  return {
    read: () => 0,
    mmap(_file: File, vma: VmArea) {
      if (page.pfn < 0) return -Errno.ENOMEM;
      if (vma.vmPgoff !== 0 || vma.pages !== 1) return -Errno.EINVAL;
      if (vma.vmFlags & VM_WRITE) return -Errno.EPERM;
      vma.vmFlags &= ~VM_MAYWRITE;
      page.update();
      return vmInsertPage(vma.vmMm, vma, vma.vmStart, page.pfn);
    },
  };
}

/** Creates the counter page and registers /dev/vmstat's driver; returns the page (to add counters or update it). */
export function registerVmstatDevice(table: ChrdevTable, ctx: MmContext, jiffies: () => number, extraNames: readonly string[] = []): VmstatPage {
  const page = new VmstatPage(ctx, jiffies, extraNames);
  table.register(MISC_MAJOR, VMSTAT_MINOR, vmstatFops(page));
  return page;
}
