// The kernel's /proc tree on the procfs framework (fs.ts): meminfo, uptime,
// loadavg, vmstat, version, stat, cpuinfo, mounts, self (a link to the
// caller's pid) and one directory per process with cmdline, comm, exe (a link
// to the executable), fd, maps, mounts, stat, statm and status. Texts come
// from pid.ts, system.ts and vmstat.ts at open.

import { procVmstat } from "./vmstat.ts";
import type { Kernel } from "../kernel.ts";
import { TaskState, type Task } from "../proc/task.ts";
import type { Inode, FsClock } from "../fs/inode.ts";
import { Procfs, ProcDir, procFile, procLink, type ProcNode } from "./fs.ts";
import { addSystemFiles } from "./formats.ts";
import { encodeDev, isFifo, mkdev } from "../fs/mode.ts";
import { lookupAt, AT_FDCWD } from "../fs/open.ts";
import { procMaps, procStatus, procStat, procStatm, procCmdline, type TtyInfo } from "./pid.ts";
import {
  procCpuinfo, procMounts, procSystemStat, procLoadavg, procVersion, meminfoOf, uptimeCentis, idleCentis,
} from "./system.ts";

/** What /proc needs besides the kernel: the console's tty state for stat's tty fields. */
export interface ProcfsEnv {
  ttyInfo(t: Task): TtyInfo;
}

/** The encoded device number of the console (5:1), as /proc/<pid>/stat's tty_nr. */
export const CONSOLE_TTY_NR = encodeDev(mkdev(5, 1));

function exeInodeOf(k: Kernel, t: Task): Inode | null {
  if (t.exePath === "" || t.fs === null) return null;
  const p = lookupAt(t.fsCaller, AT_FDCWD, t.exePath, true);
  return typeof p === "number" ? null : p.inode;
}

function isProcess(t: Task): boolean {
  return t.tgid === t.pid && t.state !== TaskState.Dead;
}

/**
 * /proc/<pid>/fd: one link per open descriptor, to the path the file was
 * opened by, or Linux's "pipe:[ino]" / "anon_inode:[ino]" for files without
 * one. Unlike Linux's magic links, opening one resolves its target by name,
 * so a pipe's entry cannot be opened through it.
 */
function fdDir(t: Task): ProcDir {
  return new ProcDir(0o500).addProvider(function* () {
    const files = t.files;
    if (files === null) return;
    for (const fd of files.openFds()) {
      const f = files.get(fd);
      if (f === null) continue;
      const target = f.name !== "" ? f.name : isFifo(f.inode.mode) ? `pipe:[${f.inode.ino}]` : `anon_inode:[${f.inode.ino}]`;
      // Linux's tid_fd_update_inode: r-x for a readable file, -wx for a writable one, for the owner only.
      const perm = (f.readable ? 0o500 : 0) | (f.writable ? 0o300 : 0);
      yield [String(fd), Object.assign(procLink(() => target), { uid: t.euid, gid: t.egid, perm })] as [string, ProcNode];
    }
  });
}

/** The /proc/<pid> directory of process t (made at each lookup; cheap). */
function pidDir(k: Kernel, t: Task, env: ProcfsEnv): ProcDir {
  const d = Object.assign(new ProcDir(0o555), { uid: t.euid, gid: t.egid });
  const own = <N extends ProcNode>(n: N): N => Object.assign(n, { uid: t.euid, gid: t.egid });
  d.add("cmdline", own(procFile(() => procCmdline(t))));
  d.add("comm", own(procFile(() => `${t.comm}\n`)));
  d.add("exe", own(procLink(() => (t.exePath !== "" && t.state !== TaskState.Zombie ? t.exePath : null))));
  d.add("mounts", own(procFile(() => procMounts(k, t))));
  d.add("fd", own(fdDir(t)));
  d.add("maps", own(procFile(() => procMaps(t.mm, t.exePath, exeInodeOf(k, t)))));
  d.add("stat", own(procFile(() => procStat(k, t, env.ttyInfo(t)))));
  d.add("statm", own(procFile(() => procStatm(t.mm))));
  d.add("status", own(procFile(() => procStatus(k, t, t.fs?.umask ?? 0o022, t.groupInfo))));
  return d;
}

/** A procfs instance showing kernel k. */
export function createProcfs(k: Kernel, dev: number, clock: FsClock, env: ProcfsEnv): Procfs {
  const root = new ProcDir(0o555);
  addSystemFiles(root, {
    meminfo: () => meminfoOf(k),
    uptimeCentis: () => uptimeCentis(k),
    idleCentis: () => idleCentis(k),
  });
  root.add("loadavg", procFile(() => procLoadavg(k)));
  root.add("vmstat", procFile(() => procVmstat(k)));
  root.add("version", procFile(() => procVersion()));
  root.add("stat", procFile(() => procSystemStat(k)));
  root.add("cpuinfo", procFile(() => procCpuinfo(k)));
  root.add("mounts", procLink(() => "self/mounts"));
  root.add("self", procLink(() => String(k.current.tgid)));
  const procfs = new Procfs(dev, clock, root);
  root.addProvider(function* () {
    const pids = [...k.tasks.values()].filter(isProcess).map((t) => t.pid).sort((a, b) => a - b);
    for (const pid of pids) yield [String(pid), pidDir(k, k.tasks.get(pid)!, env)] as [string, ProcNode];
  });
  return procfs;
}
