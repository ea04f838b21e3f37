// The files of /proc/<pid>, in Linux's formats: maps (show_map_vma), status
// (proc_pid_status), stat (do_task_stat, 52 fields), statm and cmdline. The
// address-space numbers come from kernel/mm/maps.ts, which the monitor shows
// too. Each generator reads the kernel state at the moment of the open
// (procfs snapshots it for the File).

import { swapEntsOf } from "../oom-kill.ts";
import { anonVmaName, codePages, rssShmem, vmaName, vmaPermString, vmCounts } from "../mm/maps.ts";
import { lockedVm } from "../mm/mlock.ts";
import type { Kernel } from "../kernel.ts";
import { TaskState, type Task } from "../proc/task.ts";
import type { Mm } from "../mm/mm.ts";
import type { VmArea } from "../mm/vma.ts";
import type { Inode } from "../fs/inode.ts";
import { devMajor, devMinor } from "../fs/mode.ts";
import { SIG_DFL, SIG_IGN, NSIG } from "../signal/signals.ts";
import { userTicks as ticks } from "./system.ts";

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
  const path = vmaName(vma.vmMm, vma, inode !== null && inode === exeInode ? exePath : "");
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
    const text = codePages(mm);
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
  const text = codePages(mm);
  return `${mm.totalVm} ${mm.rss} ${mm.fileRss} ${text} 0 ${c.data + c.stack} 0\n`;
}

/** /proc/<pid>/cmdline: argv NUL-separated (empty for zombies and tasks without an mm). */
export function procCmdline(t: Task): Uint8Array {
  if (t.state === TaskState.Zombie || t.mm === null) return new Uint8Array(0);
  return t.cmdline;
}
