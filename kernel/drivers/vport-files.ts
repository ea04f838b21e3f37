// Open files on the paravirtual console's ports: they behave like pipe ends
// (no seeking, not a terminal, reads wait for data and see end of file when
// the host's stream ends, writes fail with EPIPE and raise SIGPIPE once the
// host's reader is gone). The ports are character devices 241:N with nodes
// /dev/vport0pN (Linux's virtio-serial naming; 241 is in Linux's "local/
// experimental use" range of Documentation/admin-guide/devices.txt, where
// virtio_console takes a dynamic major). At boot, a connected port 0, 1 or 2
// becomes init's descriptor of that number instead of /dev/console; those
// files sit on an anonymous pipefs inode, so fstat reports S_IFIFO, as Linux
// does for a program whose shell gave it a pipe (the /dev nodes are S_IFCHR).

import type { Kernel } from "../kernel.ts";
import { Errno } from "../errno.ts";
import { WOULD_BLOCK } from "../wait.ts";
import type { FileOps, IoCaller } from "../fs/file.ts";
import { File, O_ACCMODE, O_RDONLY, O_WRONLY, noLlseek, POLLERR, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "../fs/file.ts";
import { Inode } from "../fs/inode.ts";
import { FdTable } from "../fs/fdtable.ts";
import { S_IFCHR, S_IFIFO, mkdev } from "../fs/mode.ts";
import { FsContext, type FsCaller } from "../fs/fscontext.ts";
import { ROOT_CRED } from "../fs/permission.ts";
import { createNode, AT_FDCWD } from "../fs/open.ts";
import { vfsOf } from "../vfs.ts";
import { VportDriver, VPORT_AGAIN, VPORT_CHUNK, VPORT_CLOSED, VPORT_IRQ, VPORT_PRESENT_IN, VPORT_PRESENT_OUT, VPORT_TX_CLOSED } from "./vport.ts";

export const VPORT_MAJOR = 241;

/** The operations of files on port `port` of drv. */
function vportFops(drv: VportDriver, port: number): FileOps {
  return {
    read(file: File, dst: Uint8Array, caller: IoCaller): number {
      if (!file.readable) return -Errno.EBADF;
      if (dst.length === 0) return 0;
      const r = drv.read(port, dst);
      if (r >= 0) return r;
      if (r !== VPORT_AGAIN) return -Errno.EIO;
      if (file.nonblock || caller.waiter === null) return -Errno.EAGAIN;
      drv.readWait[port].add(caller.waiter);
      return WOULD_BLOCK;
    },
    write(file: File, src: Uint8Array): number {
      if (!file.writable) return -Errno.EBADF;
      let done = 0;
      while (done < src.length) {
        const r = drv.write(port, src.subarray(done, done + VPORT_CHUNK));
        if (r === VPORT_CLOSED) return done > 0 ? done : -Errno.EPIPE;
        if (r === VPORT_AGAIN) break; // the host is full: the machine stops after this call, the caller writes the rest
        if (r < 0) return done > 0 ? done : -Errno.EIO;
        done += r;
      }
      return done > 0 || src.length === 0 ? done : -Errno.EIO;
    },
    llseek: noLlseek,
    ioctl: () => -Errno.ENOTTY,
    poll(file: File, caller: IoCaller): number {
      let mask = 0;
      if (file.writable) mask |= drv.status(port) & VPORT_TX_CLOSED ? POLLERR : POLLOUT | POLLWRNORM;
      if (file.readable) {
        if (drv.rxReady(port)) mask |= POLLIN | POLLRDNORM;
        else if (mask === 0 && caller.waiter !== null) drv.readWait[port].add(caller.waiter);
      }
      return mask;
    },
  };
}

/** Files opened through /dev/vport0pN: the port must have a host end for the access asked. */
function vportOpen(drv: VportDriver, port: number, fops: FileOps): FileOps {
  return {
    open(_inode: Inode, file: File): number {
      const st = drv.status(port);
      const acc = file.flags & O_ACCMODE;
      if (acc !== O_WRONLY && (st & VPORT_PRESENT_IN) === 0) return -Errno.ENXIO;
      if (acc !== O_RDONLY && (st & VPORT_PRESENT_OUT) === 0) return -Errno.ENXIO;
      file.fop = fops;
      return 0;
    },
  };
}

/**
 * Probes the paravirtual console (after k.initDevices): registers its ports
 * as 241:N with /dev/vport0pN nodes, routes its interrupt, and replaces
 * init's descriptors 0, 1, 2 (in `files`) by the ports of the same number
 * that have a host end (a source for 0, a sink for 1 and 2). Does nothing
 * when the machine has no such device. Returns how many descriptors it replaced.
 */
export function registerVports(k: Kernel, files: FdTable): number {
  const drv = VportDriver.probe(k.x86, () => k.mmctx.frames.allocKernelPage());
  if (drv === null) return 0;
  const vfs = vfsOf(k);
  const fs = new FsContext(vfs.ns, vfs.ns.rootPath, vfs.ns.rootPath);
  const caller: FsCaller = { fs, files: new FdTable(), cred: ROOT_CRED, waiter: null, user: null, pid: 1, pgrp: 1, sid: 1 };
  const fops: FileOps[] = [];
  for (let n = 0; n < drv.nports; n++) {
    fops.push(vportFops(drv, n));
    vfs.chrdevs.register(VPORT_MAJOR, n, vportOpen(drv, n, fops[n]));
    const r = createNode(caller, AT_FDCWD, `/dev/vport0p${n}`, S_IFCHR | 0o600, mkdev(VPORT_MAJOR, n));
    if (r < 0 && r !== -Errno.EEXIST) k.printk(`vport: cannot make /dev/vport0p${n} (error ${-r})`);
  }
  k.irqHandlers[VPORT_IRQ] = () => drv.interrupt();
  k.pic.enable(VPORT_IRQ);
  let replaced = 0;
  for (let fd = 0; fd < 3 && fd < drv.nports; fd++) {
    const st = drv.status(fd);
    const want = fd === 0 ? VPORT_PRESENT_IN : VPORT_PRESENT_OUT;
    if ((st & want) === 0) continue;
    const inode = new Inode(vfs.pipefs, vfs.pipefs.allocIno(), S_IFIFO | 0o600, {}, fops[fd]);
    const file = new File(inode, null, fd === 0 ? O_RDONLY : O_WRONLY, fops[fd]);
    files.close(fd);
    if (files.install(file, false, fd) !== fd) return replaced;
    replaced++;
  }
  return replaced;
}
