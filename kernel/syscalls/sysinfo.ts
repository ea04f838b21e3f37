// sysinfo: uptime, total and free memory, process count.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { CPU_HZ } from "./time-clock.ts";
import { putBytes } from "./fs-user.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";

/** struct sysinfo (64 bytes on i386), mem_unit 4096 so page counts fit. */
function sysSysinfo(k: Kernel, t: Task, va: number): number {
  const fr = k.mmctx.frames;
  const b = new Uint8Array(64);
  const v = new DataView(b.buffer);
  v.setInt32(0, Math.floor(k.x86.cycles() / CPU_HZ), true);
  v.setUint32(16, fr.totalram, true);
  v.setUint32(20, fr.freeCount, true);
  v.setUint16(40, Math.min(0xffff, k.tasks.size), true);
  v.setUint32(52, 4096, true);
  return putBytes(t, va, b);
}

/** Registers sysinfo in table. */
export function registerSysinfoSyscalls(table: Syscalls): void {
  define(table, {
    [NR.sysinfo]: (k, t, va) => sysSysinfo(k, t, va),
  });
}
