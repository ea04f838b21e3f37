// The text of procfs files, in Linux's formats: /proc/<pid>/maps (show_map_vma),
// status (proc_pid_status), stat (do_task_stat, 52 fields), statm, cmdline,
// and /proc/meminfo, uptime, loadavg, version. Each generator reads the kernel
// state at the moment of the open (procfs snapshots it for the File).

import { swapEntsOf } from "./oom-kill.ts";
import { shmemPages } from "./drivers/mm-devices.ts";
import { anonVmaName, rssShmem, vmaPermString } from "./mm/maps.ts";
import { lockedVm } from "./mm/mlock.ts";
import { filePagesIfAny } from "./mm/store-frames.ts";
import { PG } from "./mm/page.ts";
import type { Kernel } from "./kernel.ts";
import { TaskState, type Task } from "./proc/task.ts";
import type { Mm } from "./mm/mm.ts";
import type { VmArea } from "./mm/vma.ts";
import { VM_WRITE, VM_EXEC, VM_SHARED, VM_GROWSDOWN } from "./mm/vma.ts";
import type { Inode } from "./fs/inode.ts";
import { devMajor, devMinor } from "./fs/mode.ts";
import { SIG_DFL, SIG_IGN, NSIG } from "./signal/signals.ts";
import { CPU_HZ } from "./syscalls/time-clock.ts";
import { UTS_RELEASE, UTS_VERSION } from "./syscalls/misc.ts";
import { formatMeminfo, type MemInfo } from "./fs/procgen.ts";

/** USER_HZ: clock ticks per second in /proc and times(2). */
export const USER_HZ = 100;

const hex8 = (x: number): string => (x >>> 0).toString(16).padStart(8, "0");
const hex2 = (x: number): string => x.toString(16).padStart(2, "0");
const kB = (pages: number): number => pages * 4;

/** Where a mapped file came from, for the maps line: device, inode, path. */
export interface MappedFileInfo {
  dev: number;
  ino: number;
  path: string;
}

/**
 * How to describe a vma's file: the bridge's backing may carry its inode
 * (filemap-bridge InodeBacking) and a path; exePath names the executable.
 */
export function describeFile(vma: VmArea, exePath: string, exeInode: Inode | null): MappedFileInfo | null {
  const f = vma.vmFile;
  if (f === null) return null;
  const inode = (f as unknown as { inode?: Inode }).inode ?? null;
  const path = f.path ?? (inode !== null && inode === exeInode ? exePath : "");
  return { dev: inode?.sb.dev ?? 0, ino: inode?.ino ?? 0, path };
}

/** One line of /proc/<pid>/maps, without the newline. */
export function mapsLine(mm: Mm, vma: VmArea, file: MappedFileInfo | null): string {
  const perms = vmaPermString(vma);
  const pgoff = file !== null ? vma.vmPgoff * 4096 : 0;
  const dev = file?.dev ?? 0;
  const ino = file?.ino ?? 0;
  const off = pgoff > 0xffffffff ? pgoff.toString(16) : hex8(pgoff);
  let line = `${hex8(vma.vmStart)}-${hex8(vma.vmEnd)} ${perms} ${off} ${hex2(devMajor(dev))}:${hex2(devMinor(dev))} ${ino} `;
  const name = file !== null ? file.path : anonVmaName(mm, vma);
  if (name !== "") {
    // seq_setwidth(25 + sizeof(void *) * 6 - 1) then seq_pad(' '): names start at column 49 on i386.
    if (line.length < 48) line += " ".repeat(48 - line.length);
    line += " " + name;
  }
  return line;
}

/** /proc/<pid>/maps. */
export function procMaps(mm: Mm | null, exePath: string, exeInode: Inode | null): string {
  if (mm === null) return "";
  let out = "";
  for (const vma of mm.vmas) out += mapsLine(mm, vma, describeFile(vma, exePath, exeInode)) + "\n";
  return out;
}

/** Per-kind page counts of an mm's areas, as Linux keeps data_vm/stack_vm/exec_vm. */
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

const STATE_NAMES: Record<number, [string, string]> = {
  [TaskState.Runnable]: ["R", "R (running)"],
  [TaskState.Sleeping]: ["S", "S (sleeping)"],
  [TaskState.Stopped]: ["T", "T (stopped)"],
  [TaskState.Zombie]: ["Z", "Z (zombie)"],
  [TaskState.Dead]: ["X", "X (dead)"],
};

function threadsOf(k: Kernel, t: Task): Task[] {
  const out: Task[] = [];
  for (const x of k.tasks.values()) if (x.tgid === t.tgid) out.push(x);
  return out;
}

function sigHex(lo: number, hi: number): string {
  return hex8(hi) + hex8(lo);
}

/** SigIgn and SigCgt masks from the handler table. */
function handlerMasks(t: Task): { ign: [number, number]; cgt: [number, number] } {
  const ign: [number, number] = [0, 0];
  const cgt: [number, number] = [0, 0];
  for (let sig = 1; sig <= NSIG; sig++) {
    const h = t.sighand.action[sig]?.handler ?? SIG_DFL;
    const w = sig <= 32 ? 0 : 1;
    const bit = 1 << ((sig - 1) & 31);
    if (h === SIG_IGN) ign[w] = (ign[w] | bit) >>> 0;
    else if (h !== SIG_DFL) cgt[w] = (cgt[w] | bit) >>> 0;
  }
  return { ign, cgt };
}

const vmLine = (label: string, kbytes: number): string => `${label}:\t${String(kbytes).padStart(8)} kB\n`;

/** /proc/<pid>/status. umask is the task's fs umask; groups its supplementary groups. */
export function procStatus(k: Kernel, t: Task, umask: number, groups: readonly number[]): string {
  const ppid = t.parent !== null ? t.parent.tgid : 0;
  const threads = threadsOf(k, t);
  let out = "";
  out += `Name:\t${t.comm}\n`;
  out += `Umask:\t${umask.toString(8).padStart(4, "0")}\n`;
  out += `State:\t${STATE_NAMES[t.state][1]}\n`;
  out += `Tgid:\t${t.tgid}\nNgid:\t0\nPid:\t${t.pid}\nPPid:\t${ppid}\nTracerPid:\t0\n`;
  out += `Uid:\t${t.uid}\t${t.euid}\t${t.suid}\t${t.euid}\n`;
  out += `Gid:\t${t.gid}\t${t.egid}\t${t.sgid}\t${t.egid}\n`;
  const nfds = t.files?.openFds() ?? [];
  const fdSize = Math.max(64, 1 << Math.ceil(Math.log2(Math.max(1, (nfds[nfds.length - 1] ?? 0) + 1))));
  out += `FDSize:\t${fdSize}\n`;
  out += `Groups:\t${groups.map((g) => `${g} `).join("")}\n`;
  out += `NStgid:\t${t.tgid}\nNSpid:\t${t.pid}\nNSpgid:\t${t.pgid}\nNSsid:\t${t.sid}\n`;
  const mm = t.mm;
  if (mm !== null) {
    const c = vmCounts(mm);
    const text = mm.endCode > mm.startCode ? Math.ceil(mm.endCode / 4096) - Math.floor(mm.startCode / 4096) : 0;
    out += vmLine("VmPeak", kB(mm.hiwaterVmNow));
    out += vmLine("VmSize", kB(mm.totalVm));
    out += vmLine("VmLck", kB(lockedVm(mm)));
    out += vmLine("VmPin", 0);
    out += vmLine("VmHWM", kB(mm.hiwaterRssNow));
    out += vmLine("VmRSS", kB(mm.rss));
    out += vmLine("RssAnon", kB(mm.anonRss));
    const shm = rssShmem(mm);
    out += vmLine("RssFile", kB(mm.fileRss - shm));
    out += vmLine("RssShmem", kB(shm));
    out += vmLine("VmData", kB(c.data));
    out += vmLine("VmStk", kB(c.stack));
    out += vmLine("VmExe", kB(text));
    out += vmLine("VmLib", kB(Math.max(0, c.exec - text)));
    out += vmLine("VmPTE", kB(mm.nrPtes));
    out += vmLine("VmSwap", kB(swapEntsOf(mm)));
    out += `HugetlbPages:\t${String(0).padStart(8)} kB\n`;
  }
  out += `CoreDumping:\t0\n`;
  out += `Threads:\t${threads.length}\n`;
  let pendCount = 0;
  for (let s = 1; s <= NSIG; s++) if (t.pending.has(s)) pendCount++;
  out += `SigQ:\t${pendCount}/${t.rlim[11][0]}\n`;
  out += `SigPnd:\t${sigHex(t.pending.lo, t.pending.hi)}\n`;
  out += `ShdPnd:\t${sigHex(0, 0)}\n`;
  out += `SigBlk:\t${sigHex(t.blocked.lo, t.blocked.hi)}\n`;
  const m = handlerMasks(t);
  out += `SigIgn:\t${sigHex(m.ign[0], m.ign[1])}\n`;
  out += `SigCgt:\t${sigHex(m.cgt[0], m.cgt[1])}\n`;
  out += `voluntary_ctxt_switches:\t${t.nvcsw}\n`;
  out += `nonvoluntary_ctxt_switches:\t${t.nivcsw}\n`;
  return out;
}

/** What /proc/<pid>/stat needs from outside the task: the console's device and foreground group. */
export interface TtyInfo {
  /** Encoded device number of the controlling tty (0 if none) and its foreground pgrp (-1 if none). */
  ttyNr: number;
  tpgid: number;
}

const ticks = (cycles: number): number => Math.floor((cycles * USER_HZ) / CPU_HZ);

/** /proc/<pid>/stat: the 52 fields of Linux 5.10's do_task_stat. */
export function procStat(k: Kernel, t: Task, tty: TtyInfo): string {
  const mm = t.mm;
  const ppid = t.parent !== null ? t.parent.tgid : 0;
  const threads = threadsOf(k, t).length;
  const m = handlerMasks(t);
  const vsize = mm !== null ? mm.totalVm * 4096 : 0;
  const rss = mm !== null ? mm.rss : 0;
  const rsslim = Number.isFinite(t.rlim[5][0]) ? t.rlim[5][0] : 0xffffffff;
  const f: (string | number)[] = [
    t.pid, `(${t.comm.slice(0, 15)})`, STATE_NAMES[t.state][0], ppid, t.pgid, t.sid, tty.ttyNr, tty.tpgid,
    0x400000, // flags: PF_... (not tracked); Linux shows PF_RANDOMIZE etc.
    t.minFlt, 0, t.majFlt, 0,
    ticks(t.utime), ticks(t.stime), ticks(t.cutime), ticks(t.cstime),
    20, 0, threads, 0,
    ticks(t.startCycles), vsize, rss, rsslim,
    mm?.startCode ?? 0, mm?.endCode ?? 0, mm?.startStack ?? 0, 0, 0,
    t.pending.lo, t.blocked.lo, m.ign[0], m.cgt[0],
    0, 0, 0, t.exitSignal, 0, 0, 0, 0, 0, 0,
    mm?.startData ?? 0, mm?.endData ?? 0, mm?.startBrk ?? 0,
    mm?.argStart ?? 0, mm?.argEnd ?? 0, mm?.envStart ?? 0, mm?.envEnd ?? 0,
    t.state === TaskState.Zombie ? t.exitCode : 0,
  ];
  return f.join(" ") + "\n";
}

/** /proc/<pid>/statm: size resident shared text lib data dt, in pages. */
export function procStatm(mm: Mm | null): string {
  if (mm === null) return "0 0 0 0 0 0 0\n";
  const c = vmCounts(mm);
  const text = mm.endCode > mm.startCode ? Math.ceil(mm.endCode / 4096) - Math.floor(mm.startCode / 4096) : 0;
  return `${mm.totalVm} ${mm.rss} ${mm.fileRss} ${text} 0 ${c.data + c.stack} 0\n`;
}

/** /proc/meminfo values (kB) from the frame allocator and the mms' counters. */
export function meminfoOf(k: Kernel): MemInfo {
  const ctx = k.mmctx;
  const fr = ctx.frames;
  // Cached: every page-cache page plus file-store (ramfs/tmpfs) frames not in a cache, one count
  // per frame; only clean cache pages of other files can be reclaimed (MemAvailable).
  let cached = filePagesIfAny(ctx)?.nrPages ?? 0, reclaimable = 0;
  for (const a of ctx.mappings) {
    for (const pfn of a.pages.values()) {
      if (fr.flags[pfn] & PG.STORE) continue;
      cached++;
      if (a.shmemPages === null) reclaimable++;
    }
  }
  let anon = 0, mapped = 0, ptes = 0, committed = 0;
  for (const mm of ctx.mms) {
    anon += mm.anonRss;
    mapped += mm.fileRss;
    ptes += mm.nrPtes;
    committed += mm.totalVm;
  }
  let kstacks = 0;
  for (const t of k.tasks.values()) if (t.kstackPa !== 0) kstacks++;
  const free = fr.freeCount;
  return {
    MemTotal: kB(fr.totalram),
    MemFree: kB(free),
    MemAvailable: kB(free + reclaimable),
    Buffers: 0,
    Cached: kB(cached),
    Active: kB(anon + cached),
    "Active(anon)": kB(anon),
    "Active(file)": kB(cached),
    SwapTotal: kB(k.mmctx.swap.nslots),
    SwapFree: kB(k.mmctx.swap.freeCount),
    AnonPages: kB(anon),
    Mapped: kB(mapped),
    Shmem: kB(shmemPages(k)),
    KernelStack: kB(kstacks),
    PageTables: kB(ptes),
    CommitLimit: kB(fr.totalram),
    Committed_AS: kB(committed),
  };
}

/** /proc/meminfo text. */
export function procMeminfo(k: Kernel): string {
  return formatMeminfo(meminfoOf(k));
}

/** Guest time since boot and the idle task's time, in centiseconds (for /proc/uptime). */
export function uptimeCentis(k: Kernel): number {
  return Math.floor((k.x86.cycles() * 100) / CPU_HZ);
}
export function idleCentis(k: Kernel): number {
  return Math.floor(((k.idle.utime + k.idle.stime) * 100) / CPU_HZ);
}

/** /proc/loadavg: no load tracking yet, so the averages are 0; runnable/total and the newest pid are real. */
export function procLoadavg(k: Kernel): string {
  let running = 0;
  let last = 0;
  for (const t of k.tasks.values()) {
    if (t.state === TaskState.Runnable) running++;
    if (t.pid > last) last = t.pid;
  }
  return `0.00 0.00 0.00 ${running}/${k.tasks.size} ${last}\n`;
}

/** /proc/version. */
export function procVersion(): string {
  return `Linux version ${UTS_RELEASE} (vmalab@vmalab) (clang, ld.lld) ${UTS_VERSION}\n`;
}

/** /proc/<pid>/cmdline: argv NUL-separated (empty for zombies and tasks without an mm). */
export function procCmdline(t: Task): Uint8Array {
  if (t.state === TaskState.Zombie || t.mm === null) return new Uint8Array(0);
  return t.cmdline;
}
