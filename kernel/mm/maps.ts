// What procfs and the monitor both show of an address space: an area's
// permissions and name, the page counts behind /proc/PID/status's Vm* lines
// and statm, and the shared-memory part of its rss.

import type { Mm } from "./mm.ts";
import { pteOffset, ptePfn, ptePresent } from "./pgtable.ts";
import { VM_EXEC, VM_GROWSDOWN, VM_MAYSHARE, VM_READ, VM_SHARED, VM_WRITE, type VmArea } from "./vma.ts";
import { PAGE_SIZE } from "./config.ts";

/** "r-xp"-style permissions of an area. */
export function vmaPermString(v: VmArea): string {
  return (v.vmFlags & VM_READ ? "r" : "-") + (v.vmFlags & VM_WRITE ? "w" : "-") +
    (v.vmFlags & VM_EXEC ? "x" : "-") + (v.vmFlags & VM_MAYSHARE ? "s" : "p");
}

/**
 * The name /proc/<pid>/maps gives an anonymous area (Linux's show_map_vma):
 * "[heap]" for the one around brk, "[stack]" for the one holding
 * start_stack, "" otherwise.
 */
export function anonVmaName(mm: Mm, v: VmArea): string {
  if (v.vmStart <= mm.brk && v.vmEnd >= mm.startBrk && mm.startBrk !== 0) return "[heap]";
  if (v.vmStart <= mm.startStack && v.vmEnd >= mm.startStack && mm.startStack !== 0) return "[stack]";
  return "";
}

/**
 * The name /proc/PID/maps shows for an area: its file's path (unnamedFile
 * when the file has no path of its own), [heap], [stack] or "".
 */
export function vmaName(mm: Mm, v: VmArea, unnamedFile = ""): string {
  return v.vmFile ? v.vmFile.path ?? unnamedFile : anonVmaName(mm, v);
}

/** Per-kind page counts of an mm's areas, as Linux keeps data_vm/stack_vm/exec_vm (VmData, VmStk, VmExe + VmLib). */
export function vmCounts(mm: Mm): { data: number; stack: number; exec: number } {
  let data = 0, stack = 0, exec = 0;
  for (const v of mm.vmas) {
    const f = v.vmFlags;
    if ((f & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) === VM_WRITE) data += v.pages;
    if (f & VM_GROWSDOWN) stack += v.pages;
    if ((f & (VM_EXEC | VM_WRITE | VM_GROWSDOWN)) === VM_EXEC) exec += v.pages;
  }
  return { data, stack, exec };
}

/** Pages spanned by the program's code, start_code to end_code (VmExe, statm's text). */
export function codePages(mm: Mm): number {
  return mm.endCode > mm.startCode ? Math.ceil(mm.endCode / PAGE_SIZE) - Math.floor(mm.startCode / PAGE_SIZE) : 0;
}

/**
 * Pages of mm's file rss that belong to shared memory objects (tmpfs, shared
 * anonymous, SysV): Linux's RssShmem, which it keeps apart from RssFile.
 * Walks the PTEs of the shmem areas (for procfs; allocates nothing).
 */
export function rssShmem(mm: Mm): number {
  const ctx = mm.ctx, frames = ctx.frames;
  let n = 0;
  for (const v of mm.vmas) {
    const as = v.vmFile?.mapping;
    if (!as || !as.shmemPages) continue;
    for (let a = v.vmStart; a < v.vmEnd; a += PAGE_SIZE) {
      const ptePa = pteOffset(mm, a);
      if (ptePa === 0) {
        a = (Math.floor(a / 0x400000) + 1) * 0x400000 - PAGE_SIZE;
        continue;
      }
      const pte = ctx.mem.read32(ptePa);
      if (ptePresent(pte) && frames.mapping[ptePfn(pte)] === as) n++;
    }
  }
  return n;
}
