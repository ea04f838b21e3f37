// Text views of an address space for procfs and the monitor: the lines of
// /proc/<pid>/maps (Linux format) and the Vm* lines of /proc/<pid>/status.

import type { Mm } from "./mm.ts";
import { pteOffset, ptePfn, ptePresent } from "./pgtable.ts";
import { VM_EXEC, VM_MAYSHARE, VM_READ, VM_WRITE, type VmArea } from "./vma.ts";

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, "0");

/** "r-xp"-style permissions of an area. */
export function vmaPermString(v: VmArea): string {
  return (v.vmFlags & VM_READ ? "r" : "-") + (v.vmFlags & VM_WRITE ? "w" : "-") +
    (v.vmFlags & VM_EXEC ? "x" : "-") + (v.vmFlags & VM_MAYSHARE ? "s" : "p");
}

/**
 * /proc/<pid>/maps of mm, one line per area, as Linux prints it (device and
 * inode are 00:00 0; the path comes from FileBacking.path; [heap] and [stack]
 * are named by brk and start_stack).
 */
export function procMaps(mm: Mm): string {
  let out = "";
  for (const v of mm.vmas) {
    let name = v.vmFile?.path ?? "";
    if (!v.vmFile) {
      if (v.vmStart <= mm.brk && v.vmEnd >= mm.startBrk && mm.brk > mm.startBrk) name = "[heap]";
      else if (v.vmStart <= mm.startStack && v.vmEnd >= mm.startStack && mm.startStack !== 0) name = "[stack]";
    }
    const off = v.vmFile ? v.vmPgoff * 4096 : 0;
    const head = `${hex8(v.vmStart)}-${hex8(v.vmEnd)} ${vmaPermString(v)} ${hex8(off)} 00:00 0`;
    out += name ? `${head.padEnd(73)}${name}\n` : `${head} \n`;
  }
  return out;
}

/** The memory lines of /proc/<pid>/status (kB), in Linux's order. */
export function procStatusVm(mm: Mm): string {
  const kb = (pages: number): string => `${String(pages * 4).padStart(8)} kB`;
  return [
    `VmPeak:\t${kb(mm.hiwaterVmNow)}`,
    `VmSize:\t${kb(mm.totalVm)}`,
    `VmHWM:\t${kb(mm.hiwaterRssNow)}`,
    `VmRSS:\t${kb(mm.rss)}`,
    `RssAnon:\t${kb(mm.anonRss)}`,
    `RssFile:\t${kb(mm.fileRss)}`,
    `VmPTE:\t${kb(mm.nrPtes)}`,
  ].join("\n") + "\n";
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
    for (let a = v.vmStart; a < v.vmEnd; a += 4096) {
      const ptePa = pteOffset(mm, a);
      if (ptePa === 0) {
        a = (Math.floor(a / 0x400000) + 1) * 0x400000 - 4096;
        continue;
      }
      const pte = ctx.mem.read32(ptePa);
      if (ptePresent(pte) && frames.mapping[ptePfn(pte)] === as) n++;
    }
  }
  return n;
}
