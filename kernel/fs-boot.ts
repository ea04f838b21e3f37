// Mounting the file systems at boot: a ramfs root filled from the initramfs
// archives (cpio newc, later archives overriding earlier ones; file data in
// guest frames, like every ramfs/tmpfs of the kernel), proc on
// /proc, devfs on /dev (null zero full random urandom console tty), tmpfs on
// /tmp, the console tty, and init's FsContext and descriptor table with
// /dev/console on 0, 1 and 2. The per-kernel VFS state (mount table, pipefs,
// drivers, random generator, console) is Kernel.vfs (vfs.ts), for the system calls (vfsOf).

import type { Kernel } from "./kernel.ts";
import { Errno } from "./errno.ts";
import { createRamfs } from "./fs/ramfs.ts";
import { MountTable } from "./fs/mount.ts";
import { FsContext, type FsCaller } from "./fs/fscontext.ts";
import { FdTable } from "./fs/fdtable.ts";
import { ChrdevTable } from "./fs/chrdev.ts";
import { createDevfs, KernelRandom } from "./fs/devfs.ts";
import { createTmpfs } from "./fs/tmpfs.ts";
import { createPipefs } from "./fs/pipe.ts";
import { unpackCpio } from "./fs/cpio.ts";
import type { SuperBlock } from "./fs/inode.ts";
import { mkdev } from "./fs/mode.ts";
import { ROOT_CRED } from "./fs/permission.ts";
import { lookupAt, openFile, AT_FDCWD } from "./fs/open.ts";
import { sysMkdirat } from "./fs/dirops.ts";
import { O_RDWR } from "./fs/file.ts";
import { Console } from "./console.ts";
import { createProcfs, CONSOLE_TTY_NR } from "./procfs/tree.ts";
import { fsClockOf } from "./syscalls/time-clock.ts";
import { filePagesOf } from "./mm/store-frames.ts";
import { mountHostShares } from "./hostfs-boot.ts";
import type { KernelVfs } from "./vfs.ts";

/** An initramfs archive and the name errors are reported with. */
export interface InitrdArchive {
  name: string;
  data: Uint8Array;
}

export type BootFsResult =
  | { ok: true; fs: FsContext; files: FdTable; warnings: string[] }
  | { ok: false; message: string };

/** Seed of the kernel's random generator (/dev/urandom, getrandom): fixed, so runs are repeatable. */
export const RANDOM_SEED = 0x766d616c; // "vmal"

function mkdirMount(caller: FsCaller, ns: MountTable, path: string, mode: number, sb: SuperBlock): number {
  const m = sysMkdirat(caller, AT_FDCWD, path, mode);
  if (m < 0 && m !== -Errno.EEXIST) return m;
  const p = lookupAt(caller, AT_FDCWD, path, true);
  if (typeof p === "number") return p;
  return ns.mount(sb, p);
}

/**
 * Builds the file tree and the console for k. A malformed archive stops the
 * boot: the result is {ok:false} with one line naming the archive and the
 * byte offset. Per-entry problems (e.g. an unknown file type) are warnings.
 */
export function bootFs(k: Kernel, archives: readonly InitrdArchive[]): BootFsResult {
  const clock = fsClockOf(k);
  const chrdevs = new ChrdevTable();
  const pages = filePagesOf(k.mmctx); // file data lives in guest frames
  const rootSb = createRamfs({ dev: mkdev(0, 1), clock, chrdevs, type: "rootfs", pages });
  const ns = new MountTable(rootSb);
  const fs = new FsContext(ns, ns.rootPath, ns.rootPath);
  const bootFiles = new FdTable();
  const caller: FsCaller = { fs, files: bootFiles, cred: ROOT_CRED, waiter: null, user: null, pid: 1, pgrp: 1, sid: 1 };
  const warnings: string[] = [];
  for (const a of archives) {
    const r = unpackCpio(a.data, caller);
    if (!r.ok) return { ok: false, message: `initramfs ${a.name}: ${r.message}` };
    for (const w of r.warnings) warnings.push(`initramfs ${a.name}: ${w}`);
  }
  const rng = new KernelRandom(RANDOM_SEED);
  const console = new Console(k);
  const vfs: KernelVfs = { ns, pipefs: createPipefs(mkdev(0, 12), clock), chrdevs, rng, console, clock };
  k.vfs = vfs;

  const procSb = createProcfs(k, mkdev(0, 4), clock, {
    ttyInfo: (t) => {
      const tty = console.tty;
      const mine = tty.session !== 0 && t.sid === tty.session;
      return { ttyNr: mine ? CONSOLE_TTY_NR : 0, tpgid: mine && tty.pgrp > 0 ? tty.pgrp : -1 };
    },
  }).sb;
  const devSb = createDevfs({ dev: mkdev(0, 5), clock, ttys: console, rng, chrdevs });
  devSb.pages = pages;
  const totalPages = k.mmctx.frames.totalram;
  const tmpSb = createTmpfs({ dev: mkdev(0, 21), clock, chrdevs, sizeBytes: Math.floor(totalPages / 2) * 4096, pages });
  for (const [path, mode, sb] of [["/proc", 0o555, procSb], ["/dev", 0o755, devSb], ["/tmp", 0o1777, tmpSb]] as const) {
    const r = mkdirMount(caller, ns, path, mode, sb);
    if (r < 0) return { ok: false, message: `cannot mount ${sb.type} on ${path} (error ${-r})` };
  }
  const hostErr = mountHostShares(k, caller, ns, clock);
  if (hostErr !== null) return { ok: false, message: hostErr };

  const files = new FdTable();
  const con = openFile(caller, AT_FDCWD, "/dev/console", O_RDWR, 0);
  if (typeof con === "number") return { ok: false, message: `cannot open /dev/console (error ${-con})` };
  files.install(con, false);
  files.dup(0);
  files.dup(0);
  return { ok: true, fs, files, warnings };
}
