// vm_area_struct: one contiguous range of a process's address space with one
// set of permissions and one backing (anonymous, a file, or raw frames).

import type { FileBacking } from "./filemap.ts";
import type { Mm } from "./mm.ts";
import type { PageOwner } from "./page.ts";
import { _PAGE_PRESENT, _PAGE_RW, _PAGE_USER } from "./pgtable.ts";
import { PAGE_SIZE } from "./config.ts";

// vm_flags, with Linux 2.6.15 values.
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAYSHARE = 0x80;
export const VM_GROWSDOWN = 0x100;
export const VM_GROWSUP = 0x200;
export const VM_PFNMAP = 0x400; // raw frames from remapPfnRange; no struct page behind them
export const VM_DENYWRITE = 0x800;
export const VM_EXECUTABLE = 0x1000;
export const VM_LOCKED = 0x2000;
export const VM_IO = 0x4000;
export const VM_DONTCOPY = 0x20000;
export const VM_DONTEXPAND = 0x40000;
export const VM_RESERVED = 0x80000;
export const VM_ACCOUNT = 0x100000;
export const VM_NORESERVE = 0x200000; // MAP_NORESERVE: not checked against the overcommit heuristic
export const VM_INSERTPAGE = 0x2000000; // pages inserted by vmInsertPage (must be copied on fork)
/** Flags that stop two adjacent areas from merging. */
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_RESERVED | VM_PFNMAP | VM_INSERTPAGE;

/**
 * The anonymous memory of one family of areas (parent and forked children
 * share it): the owner of anonymous pages for the reverse map.
 */
export class AnonVma implements PageOwner {
  readonly kind = "anon" as const;
  readonly vmas = new Set<VmArea>();
}

export class VmArea {
  anonVma: AnonVma | null = null;
  constructor(
    public vmMm: Mm,
    public vmStart: number,
    public vmEnd: number,
    public vmFlags: number,
    /** Offset in pages into the file (file areas), the first pfn (VM_PFNMAP), or vmStart >> 12 (anonymous). */
    public vmPgoff: number,
    public vmFile: FileBacking | null,
  ) {}

  get pages(): number {
    return (this.vmEnd - this.vmStart) / PAGE_SIZE;
  }
}

/** The hardware protection bits a PTE of an area with these flags gets (Linux vm_page_prot). */
export function vmPageProt(flags: number): number {
  if ((flags & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return _PAGE_PRESENT; // PROT_NONE: supervisor-only
  let prot = _PAGE_PRESENT | _PAGE_USER;
  if ((flags & (VM_SHARED | VM_WRITE)) === (VM_SHARED | VM_WRITE)) prot |= _PAGE_RW;
  return prot;
}

/** True for a private area that may become writable: its pages are copied on write (Linux is_cow_mapping). */
export function isCowMapping(flags: number): boolean {
  return (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/** A copy of vma's fields for a new area in mm (file and anon links are the caller's). */
export function vmaDup(vma: VmArea, mm: Mm): VmArea {
  const v = new VmArea(mm, vma.vmStart, vma.vmEnd, vma.vmFlags, vma.vmPgoff, vma.vmFile);
  v.anonVma = vma.anonVma;
  return v;
}

/** Links vma into its file's i_mmap list and its anon_vma (Linux __vma_link_file + anon_vma_link). */
export function vmaLinkShared(vma: VmArea): void {
  if (vma.vmFile) {
    vma.vmFile.mapping.iMmap.add(vma);
    vma.vmFile.get?.();
  }
  if (vma.anonVma) vma.anonVma.vmas.add(vma);
}

/** Reverses vmaLinkShared (Linux remove_shared_vm_struct + anon_vma_unlink + fput). */
export function vmaUnlinkShared(vma: VmArea): void {
  if (vma.vmFile) {
    vma.vmFile.mapping.iMmap.delete(vma);
    vma.vmFile.put?.();
  }
  if (vma.anonVma) vma.anonVma.vmas.delete(vma);
}
