// Character devices: a driver table indexed by (major, minor), one per kernel
// instance (several kernels may share a host process). A device inode (made
// by mknod, devfs or an initramfs entry) carries only rdev; opening it looks
// the driver up in its superblock's table and switches the File to the
// driver's operations, so /dev/mem and others can be registered later.

import { Errno } from "../errno.ts";
import type { FileOps, IoCaller, File } from "./file.ts";
import type { Inode } from "./inode.ts";
import { mkdev } from "./mode.ts";
import { named } from "../named.ts";

export class ChrdevTable {
  private readonly drivers = new Map<number, FileOps>();

  /** Register (or replace) the driver for one device number. */
  register(major: number, minor: number, fops: FileOps): void {
    this.drivers.set(mkdev(major, minor), fops);
  }

  unregister(major: number, minor: number): void {
    this.drivers.delete(mkdev(major, minor));
  }

  lookup(rdev: number): FileOps | undefined {
    return this.drivers.get(rdev);
  }
}

/** The operations every character-device inode starts with: open finds the driver. */
export const chrdevFops: FileOps = named("chrdev.chrdevFops", {
  open(inode: Inode, file: File, caller: IoCaller): number {
    const fops = inode.sb.chrdevs?.lookup(inode.rdev);
    if (fops === undefined) return -Errno.ENXIO;
    file.fop = fops;
    return fops.open?.(inode, file, caller) ?? 0;
  },
});

/** Block devices: none exist. */
export const blkdevFops: FileOps = named("chrdev.blkdevFops", {
  open(): number {
    return -Errno.ENXIO;
  },
});
