// System-wide /proc files in Linux 5.10's formats: meminfo's values, uptime's
// times, loadavg, version, stat (CPU time, interrupts, context switches,
// forks), mounts (also /proc/PID/mounts) and cpuinfo (from the CPU's own
// CPUID, through kernel/arch). formats.ts prints meminfo and uptime.

import { shmemPages } from "../drivers/mm-devices.ts";
import { filePagesIfAny } from "../mm/store-frames.ts";
import { PG } from "../mm/page.ts";
import type { Kernel } from "../kernel.ts";
import { TaskState, type Task } from "../proc/task.ts";
import { pathName } from "../fs/namei.ts";
import { vfsOf } from "../vfs.ts";
import { CPU_HZ, realtime } from "../syscalls/time-clock.ts";
import { UTS_RELEASE, UTS_VERSION } from "../syscalls/uname.ts";
import { formatMeminfo, type MemInfo } from "./formats.ts";

/** USER_HZ: clock ticks per second in /proc and times(2) (Linux i386). */
export const USER_HZ = 100;

/** Guest cycles in USER_HZ ticks. */
export function userTicks(cycles: number): number {
  return Math.floor((cycles * USER_HZ) / CPU_HZ);
}
const ticks = userTicks;
const kB = (pages: number): number => pages * 4;

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

/**
 * /proc/stat (fs/proc/stat.c): one CPU, so "cpu" and "cpu0" agree. Every
 * guest cycle is user (ring 3), idle (the idle task) or system (the rest);
 * vmalab has no nice, iowait, softirq or steal time, and no softirqs.
 */
export function procSystemStat(k: Kernel): string {
  const idleCycles = k.idle.utime + k.idle.stime;
  const user = ticks(k.userCycles);
  const idle = ticks(idleCycles);
  const system = ticks(k.x86.cycles() - k.userCycles - idleCycles);
  const times = `${user} 0 ${system} ${idle} 0 0 0 0 0 0`;
  let running = 0;
  for (const t of k.tasks.values()) if (t.state === TaskState.Runnable && t !== k.idle) running++;
  const irqs = [...k.irqCounts];
  const total = irqs.reduce((a, b) => a + b, 0);
  const btime = realtime(k)[0] - Math.floor(k.x86.cycles() / CPU_HZ);
  return [
    `cpu  ${times}`, `cpu0 ${times}`,
    `intr ${total} ${irqs.join(" ")}`,
    `ctxt ${k.contextSwitches}`,
    `btime ${btime}`,
    `processes ${k.forks}`,
    `procs_running ${Math.max(running, 1)}`,
    "procs_blocked 0",
    `softirq 0 ${Array(10).fill(0).join(" ")}`,
    "",
  ].join("\n");
}

/** Octal escapes for the characters /proc/mounts cannot show raw (Linux's mangle(): space, tab, newline, backslash). */
function mangle(s: string): string {
  return s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

/**
 * /proc/mounts and /proc/PID/mounts (fs/proc_namespace.c show_vfsmnt): the
 * mounts visible from t's root, as "device mountpoint type options 0 0".
 * File systems without a backing device show their type as the device.
 */
export function procMounts(k: Kernel, t: Task): string {
  const ctx = t.fs;
  if (ctx === null) return "";
  let out = "";
  for (const m of vfsOf(k).ns.mounts()) {
    const where = pathName(ctx, { mnt: m, inode: m.root });
    if (typeof where === "number") continue;
    const sb = m.sb;
    const type = sb.type === "ramfs" && m.parent === null ? "rootfs" : sb.type;
    let opts = sb.readOnly ? "ro" : "rw";
    if (sb.type === "tmpfs" && Number.isFinite(sb.maxPages)) opts += `,size=${sb.maxPages * 4}k`;
    out += `${type} ${mangle(where)} ${type} ${opts} 0 0\n`;
  }
  return out;
}

/** Linux's names of CPUID leaf 1 EDX bits (arch/x86/include/asm/cpufeatures.h), for cpuinfo's flags. */
const EDX_FLAGS = ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "", "sep", "mtrr", "pge", "mca", "cmov",
  "pat", "pse36", "pn", "clflush", "", "dts", "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe"];

/** The 12-byte vendor string of CPUID leaf 0 (EBX, EDX, ECX). */
function vendorOf(ebx: number, ecx: number, edx: number): string {
  let s = "";
  for (const w of [ebx, edx, ecx]) for (let i = 0; i < 4; i++) s += String.fromCharCode((w >>> (8 * i)) & 0xff);
  return s;
}

/**
 * /proc/cpuinfo (arch/x86/kernel/cpu/proc.c) of the one CPU, from its CPUID
 * leaves 0 and 1. The P6 family-6 model-1 name is Linux's ("Pentium Pro").
 * No bogomips line: vmalab does not run Linux's delay calibration.
 */
export function procCpuinfo(k: Kernel): string {
  const [maxLeaf, b0, c0, d0] = k.x86.cpuid(0);
  const [sig, , , edx] = k.x86.cpuid(1);
  const family = (sig >>> 8) & 0xf, model = (sig >>> 4) & 0xf, stepping = sig & 0xf;
  const flags = EDX_FLAGS.filter((name, bit) => name !== "" && (edx >>> bit) & 1);
  const fpu = (edx & 1) !== 0 ? "yes" : "no";
  const name = family === 6 && model === 1 ? "Pentium Pro" : "unknown";
  return [
    "processor\t: 0", `vendor_id\t: ${vendorOf(b0, c0, d0)}`, `cpu family\t: ${family}`, `model\t\t: ${model}`,
    `model name\t: ${name}`, `stepping\t: ${stepping}`, `cpu MHz\t\t: ${(CPU_HZ / 1e6).toFixed(3)}`,
    "fdiv_bug\t: no", "f00f_bug\t: no", "coma_bug\t: no", `fpu\t\t: ${fpu}`, `fpu_exception\t: ${fpu}`,
    `cpuid level\t: ${maxLeaf}`, "wp\t\t: yes", `flags\t\t: ${flags.join(" ")}`,
    "cache_alignment\t: 32", "address sizes\t: 32 bits physical, 32 bits virtual", "power management:", "", "",
  ].join("\n");
}
