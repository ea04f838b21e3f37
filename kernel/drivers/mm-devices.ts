// Boot-time wiring of the memory manager's devices and file systems:
// /dev/mem, the /dev/vmstat counter page (refreshed on every timer tick while
// mapped), tmpfs on /dev/shm (POSIX shared memory), and the memory figures
// /proc/meminfo takes from them (Shmem).

import type { Kernel } from "../kernel.ts";
import { vfsOf } from "../vfs.ts";
import { registerDevMem } from "./mem.ts";
import { registerVmstatDevice, type VmstatPage } from "./vmstat-dev.ts";
import { createTmpfs } from "../fs/tmpfs.ts";
import { FsContext, type FsCaller } from "../fs/fscontext.ts";
import { FdTable } from "../fs/fdtable.ts";
import { ROOT_CRED } from "../fs/permission.ts";
import { mkdev } from "../fs/mode.ts";
import { lookupAt, AT_FDCWD } from "../fs/open.ts";
import { sysMkdirat } from "../fs/dirops.ts";
import { Errno } from "../errno.ts";
import { SwapArea } from "../mm/swap.ts";
import { filePagesOf } from "../mm/store-frames.ts";

/** Mounts tmpfs (half of RAM, like Linux) on /dev/shm. 0 or -errno. */
function mountDevShm(k: Kernel): number {
  const vfs = vfsOf(k);
  const fs = new FsContext(vfs.ns, vfs.ns.rootPath, vfs.ns.rootPath);
  const caller: FsCaller = { fs, files: new FdTable(), cred: ROOT_CRED, waiter: null, user: null, pid: 1, pgrp: 1, sid: 1 };
  const m = sysMkdirat(caller, AT_FDCWD, "/dev/shm", 0o1777);
  if (m < 0 && m !== -Errno.EEXIST) return m;
  const p = lookupAt(caller, AT_FDCWD, "/dev/shm", true);
  if (typeof p === "number") return p;
  const sb = createTmpfs({
    dev: mkdev(0, 22), clock: vfs.clock, chrdevs: vfs.chrdevs, sizeBytes: Math.floor(k.mmctx.frames.totalram / 2) * 4096,
    pages: filePagesOf(k.mmctx),
  });
  return vfs.ns.mount(sb, p);
}

/** Registers the mm's character drivers of k and mounts /dev/shm (after bootFs made /dev). */
export function registerMmDevices(k: Kernel): void {
  const { chrdevs } = vfsOf(k);
  k.mmctx.swap = new SwapArea(k.options.swap);
  k.mmctx.swap.onCacheDrop = (pfn) => k.mmctx.frames.putPage(pfn);
  registerDevMem(chrdevs, k.mmctx);
  const page = registerVmstatDevice(chrdevs, k.mmctx, () => k.jiffies, ["pswpin", "pswpout"]);
  page.extra.set("pswpin", () => k.mmctx.counters.pswpin);
  page.extra.set("pswpout", () => k.mmctx.counters.pswpout);
  k.vmstatPage = page;
  k.tickHooks.push(() => page.update(false));
  const r = mountDevShm(k);
  if (r < 0) k.printk(`kernel: cannot mount tmpfs on /dev/shm (error ${-r})`);
}

/** k's /dev/vmstat page (for tests and the monitor), or undefined before boot. */
export function vmstatPageOf(k: Kernel): VmstatPage | undefined {
  return k.vmstatPage ?? undefined;
}

/**
 * Pages counted as Shmem in /proc/meminfo: tmpfs contents (every tmpfs
 * mount) plus frames of shared memory objects (shared anonymous mappings,
 * SysV segments, tmpfs pages only in the page cache).
 */
export function shmemPages(k: Kernel): number {
  let n = 0;
  for (const m of vfsOf(k).ns.mounts()) if (m.sb.type === "tmpfs") n += m.sb.usedPages;
  for (const as of k.mmctx.mappings) if (as.shmemPages) n += as.shmemPages();
  return n;
}
