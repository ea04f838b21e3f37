// Kernel start-up (Linux start_kernel + kernel_init): machine structures,
// memory manager, devices, file systems from the initramfs, the system call
// table, then the first user process exec'ing /sbin/init.

import type { X86 } from "./arch/x86.ts";
import { Kernel, type KernelHost } from "./kernel.ts";
import { newSyscallTable, type Syscalls } from "./syscalls/table.ts";
import { defineProcessCalls } from "./syscalls/process.ts";
import { defineMemoryCalls } from "./syscalls/memory.ts";
import { defineIoportCalls } from "./syscalls/ioport.ts";
import { defineSignalCalls } from "./syscalls/signal.ts";
import { registerFileSyscalls } from "./syscalls/files.ts";
import { registerUnameSyscalls } from "./syscalls/uname.ts";
import { registerIdSyscalls } from "./syscalls/ids.ts";
import { registerGroupSyscalls } from "./syscalls/groups.ts";
import { registerRlimitSyscalls } from "./syscalls/rlimit.ts";
import { registerRusageSyscalls } from "./syscalls/rusage.ts";
import { registerSysinfoSyscalls } from "./syscalls/sysinfo.ts";
import { registerPrioritySyscalls } from "./syscalls/priority.ts";
import { registerSchedSyscalls } from "./syscalls/sched.ts";
import { registerRandomSyscalls } from "./syscalls/random.ts";
import { defineSyslogCall } from "./syscalls/syslog.ts";
import { registerTimeSyscalls } from "./syscalls/time.ts";
import { handleException } from "./traps.ts";
import { doSignal } from "./signal/deliver.ts";
import { bootFs, type InitrdArchive } from "./fs-boot.ts";
import { registerMmDevices } from "./drivers/mm-devices.ts";
import { registerVports } from "./drivers/vport-files.ts";
import { defineShmCalls } from "./ipc/shm.ts";
import { doExecve } from "./exec/exec.ts";
import { newMm } from "./mm/memory.ts";
import { Rlimit, mmLimitsOf } from "./proc/task.ts";
import { panic } from "./panic.ts";

export type { InitrdArchive };

/** The environment init starts with (Linux passes HOME=/ and TERM=linux). */
const INIT_ENV = ["HOME=/", "TERM=linux", "PATH=/sbin:/bin:/usr/bin"];

/** The kernel's system call table: every group of calls registered (Linux i386 numbers). */
export function newKernelSyscalls(): Syscalls {
  const table = newSyscallTable();
  defineProcessCalls(table);
  defineMemoryCalls(table);
  defineSignalCalls(table);
  registerFileSyscalls(table);
  registerUnameSyscalls(table);
  registerIdSyscalls(table);
  registerGroupSyscalls(table);
  registerRlimitSyscalls(table);
  registerRusageSyscalls(table);
  registerSysinfoSyscalls(table);
  registerPrioritySyscalls(table);
  registerSchedSyscalls(table);
  registerRandomSyscalls(table);
  registerTimeSyscalls(table);
  defineShmCalls(table);
  defineIoportCalls(table);
  defineSyslogCall(table);
  return table;
}

/**
 * Boots the kernel on `x86` (over a freshly reset machine): returns the
 * running kernel with init entered. initArgv, when given, replaces init= and its
 * arguments (argv[0] is the path). A malformed initramfs or a missing init
 * panics with a one-line message (KernelPanic).
 */
export function bootKernel(
  x86: X86, host: KernelHost, cmdline: string, archives: readonly InitrdArchive[], initArgv?: readonly string[],
): Kernel {
  const k = new Kernel(x86, host, cmdline, newKernelSyscalls(), handleException, doSignal);
  // Linux's default RLIMIT_NPROC: max_threads / 2, max_threads = RAM / (8 * THREAD_SIZE).
  k.maxTasks = Math.max(64, Math.floor(k.mmctx.frames.totalram / 16));

  const fsr = bootFs(k, archives);
  if (!fsr.ok) panic(fsr.message);
  for (const w of fsr.warnings) k.printk(w);
  k.initDevices();
  registerMmDevices(k);
  registerVports(k, fsr.files);
  k.printk(`vmalab: ${Math.round((k.mmctx.frames.totalram * 4) / 1024)} MiB free, mm=${k.options.mm}`);

  const init = k.allocTask();
  if (!init) panic("bootKernel: no memory for init");
  init.fs = fsr.fs;
  init.files = fsr.files;
  init.pgid = init.sid = init.pid;
  init.rlim[Rlimit.NPROC] = [Math.floor(k.maxTasks / 2), Math.floor(k.maxTasks / 2)];
  const mm = newMm(k.mmctx, mmLimitsOf(init.rlim));
  if (typeof mm === "number") panic("bootKernel: no memory for init's mm");
  init.mm = mm;
  k.current = init;
  const argv = initArgv && initArgv.length > 0 ? [...initArgv] : [k.options.init, ...k.options.initArgs];
  const path = argv[0];
  const r = doExecve(k, init, path, argv, INIT_ENV);
  if (r < 0) panic(`No working init found (${path}: error ${-r}). Try passing init= option to kernel.`);
  k.start(init);
  return k;
}
