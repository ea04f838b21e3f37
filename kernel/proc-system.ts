// System-wide /proc files in Linux 5.10's formats: stat (CPU time, interrupts,
// context switches, forks), mounts (also /proc/PID/mounts) and cpuinfo (from
// the CPU's own CPUID, through kernel/arch).

import type { Kernel } from "./kernel.ts";
import { TaskState, type Task } from "./proc/task.ts";
import { pathName } from "./fs/namei.ts";
import { vfsOf } from "./fs-boot.ts";
import { CPU_HZ, realtime } from "./syscalls/time-clock.ts";

/** USER_HZ: the unit of /proc/stat's times (Linux i386). */
const USER_HZ = 100;
const ticks = (cycles: number): number => Math.floor((cycles * USER_HZ) / CPU_HZ);

/**
 * /proc/stat (fs/proc/stat.c): one CPU, so "cpu" and "cpu0" agree. Every
 * guest cycle is user (ring 3), idle (the idle task) or system (the rest);
 * vmalab has no nice, iowait, softirq or steal time, and no softirqs.
 */
export function procStat(k: Kernel): string {
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
