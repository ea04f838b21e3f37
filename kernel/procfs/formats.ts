// Generators for system-wide /proc files in Linux's exact text formats
// (proc(5), fs/proc/meminfo.c, fs/proc/uptime.c), fed by provider interfaces
// so that the memory manager and scheduler supply the numbers.

import { ProcDir, procFile } from "./fs.ts";

/** /proc/meminfo values in kB; absent fields print 0. */
export interface MemInfo {
  MemTotal: number;
  MemFree: number;
  MemAvailable?: number;
  Buffers?: number;
  Cached?: number;
  SwapCached?: number;
  Active?: number;
  Inactive?: number;
  "Active(anon)"?: number;
  "Inactive(anon)"?: number;
  "Active(file)"?: number;
  "Inactive(file)"?: number;
  Unevictable?: number;
  Mlocked?: number;
  SwapTotal?: number;
  SwapFree?: number;
  Dirty?: number;
  Writeback?: number;
  AnonPages?: number;
  Mapped?: number;
  Shmem?: number;
  KReclaimable?: number;
  Slab?: number;
  SReclaimable?: number;
  SUnreclaim?: number;
  KernelStack?: number;
  PageTables?: number;
  NFS_Unstable?: number;
  Bounce?: number;
  WritebackTmp?: number;
  CommitLimit?: number;
  Committed_AS?: number;
  VmallocTotal?: number;
  VmallocUsed?: number;
  VmallocChunk?: number;
}

/** The fields in the order Linux prints them (a kernel without highmem, swap cache or hugepages). */
export const MEMINFO_FIELDS: readonly (keyof MemInfo)[] = [
  "MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive",
  "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable", "Mlocked",
  "SwapTotal", "SwapFree", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem", "KReclaimable",
  "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "NFS_Unstable", "Bounce",
  "WritebackTmp", "CommitLimit", "Committed_AS", "VmallocTotal", "VmallocUsed", "VmallocChunk",
];

/** One line: the label and colon padded to 16 columns, the value right-aligned in 8, then " kB". */
export function meminfoLine(label: string, kb: number): string {
  return (label + ":").padEnd(16) + String(Math.max(0, Math.floor(kb))).padStart(8) + " kB\n";
}

export function formatMeminfo(m: MemInfo): string {
  let s = "";
  for (const f of MEMINFO_FIELDS) s += meminfoLine(f, m[f] ?? 0);
  return s;
}

/** Seconds with two decimals, as "%lu.%02lu" of a centisecond count. */
function centis(c: number): string {
  const v = Math.max(0, Math.floor(c));
  return `${Math.floor(v / 100)}.${String(v % 100).padStart(2, "0")}`;
}

/** /proc/uptime: "uptime idle\n" in seconds with two decimals; idle is summed over CPUs. */
export function formatUptime(uptimeCentis: number, idleCentis: number): string {
  return `${centis(uptimeCentis)} ${centis(idleCentis)}\n`;
}

export interface SystemInfoSource {
  meminfo(): MemInfo;
  /** Time since boot and total idle time, in centiseconds of guest time. */
  uptimeCentis(): number;
  idleCentis(): number;
}

/** Register /proc/meminfo and /proc/uptime under root. */
export function addSystemFiles(root: ProcDir, src: SystemInfoSource): void {
  root.add("meminfo", procFile(() => formatMeminfo(src.meminfo())));
  root.add("uptime", procFile(() => formatUptime(src.uptimeCentis(), src.idleCentis())));
}
