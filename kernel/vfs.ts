// The per-kernel VFS state (Kernel.vfs): the mount table, pipefs, the character
// device drivers, the random generator, the console and the file-system clock.
// bootFs (fs-boot.ts) builds it; system calls, drivers and procfs reach it through
// vfsOf. A leaf module, so that they need not import the boot code.

import type { Kernel } from "./kernel.ts";
import type { MountTable } from "./fs/mount.ts";
import type { ChrdevTable } from "./fs/chrdev.ts";
import type { KernelRandom } from "./fs/devfs.ts";
import type { FsClock, SuperBlock } from "./fs/inode.ts";
import type { Console } from "./console.ts";
import { panic } from "./panic.ts";

export interface KernelVfs {
  ns: MountTable;
  pipefs: SuperBlock;
  chrdevs: ChrdevTable;
  rng: KernelRandom;
  console: Console;
  clock: FsClock;
}

/** The VFS state of k (bootFs must have run); panics when it has not. */
export function vfsOf(k: Kernel): KernelVfs {
  const v = k.vfs;
  if (v == null) panic("vfsOf: the file systems are not mounted");
  return v;
}
