// Pipes and FIFOs: a 64 KiB ring (Linux's default of 16 pages), writes of at
// most PIPE_BUF bytes are atomic, EOF once every writer is gone, EPIPE (the
// caller then sends SIGPIPE) once every reader is gone. A read of an empty
// pipe or a write to a full one registers the caller's waiter and returns
// WOULD_BLOCK without consuming anything, or -EAGAIN with O_NONBLOCK.

import { Errno } from "../errno.ts";
import { WaitQueue, WOULD_BLOCK } from "../wait.ts";
import type { IoCaller, FileOps } from "./file.ts";
import {
  File, O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR, O_NONBLOCK, O_CLOEXEC,
  POLLIN, POLLRDNORM, POLLOUT, POLLWRNORM, POLLHUP, POLLERR, noLlseek,
} from "./file.ts";
import { Inode, SuperBlock } from "./inode.ts";
import type { FsClock, InodeOps } from "./inode.ts";
import { S_IFIFO } from "./mode.ts";
import { named } from "../named.ts";

export const PIPE_SIZE = 65536;
export const PIPE_BUF = 4096;
export const FIONREAD = 0x541b;
export const PIPEFS_MAGIC = 0x50495045;

export class Pipe {
  private readonly buf = new Uint8Array(PIPE_SIZE);
  private head = 0;
  /** Bytes buffered. */
  len = 0;
  readers = 0;
  writers = 0;
  readonly readWait = new WaitQueue();
  readonly writeWait = new WaitQueue();
  /** FIFO writers waiting in open() for a reader. */
  readonly openWait = new WaitQueue();
  /** Writers that ever attached (Linux w_counter): a FIFO reader waits for the first one. */
  wCounter = 0;

  get free(): number {
    return PIPE_SIZE - this.len;
  }

  /**
   * Read into dst (see file comment for the result convention). waitWriter:
   * a FIFO reader that has not yet seen a writer sleeps instead of seeing EOF.
   */
  read(dst: Uint8Array, nonblock: boolean, caller: IoCaller, waitWriter = false): number {
    if (dst.length === 0) return 0;
    if (this.len === 0) {
      if (this.writers === 0 && !(waitWriter && !nonblock)) return 0;
      if (nonblock || caller.waiter === null) return -Errno.EAGAIN;
      this.readWait.add(caller.waiter);
      return WOULD_BLOCK;
    }
    const n = Math.min(this.len, dst.length);
    const first = Math.min(n, PIPE_SIZE - this.head);
    dst.set(this.buf.subarray(this.head, this.head + first), 0);
    if (n > first) dst.set(this.buf.subarray(0, n - first), first);
    this.head = (this.head + n) % PIPE_SIZE;
    this.len -= n;
    if (this.len === 0) this.head = 0;
    this.writeWait.wakeUp();
    return n;
  }

  /** Write src: all of it if <= PIPE_BUF (or nothing), otherwise as much as fits. */
  write(src: Uint8Array, nonblock: boolean, caller: IoCaller): number {
    if (this.readers === 0) return -Errno.EPIPE;
    if (src.length === 0) return 0;
    const free = this.free;
    if (src.length <= PIPE_BUF ? free < src.length : free === 0) {
      if (nonblock || caller.waiter === null) return -Errno.EAGAIN;
      this.writeWait.add(caller.waiter);
      return WOULD_BLOCK;
    }
    const n = Math.min(free, src.length);
    const tail = (this.head + this.len) % PIPE_SIZE;
    const first = Math.min(n, PIPE_SIZE - tail);
    this.buf.set(src.subarray(0, first), tail);
    if (n > first) this.buf.set(src.subarray(first, n), 0);
    this.len += n;
    this.readWait.wakeUp();
    return n;
  }

  /** Poll mask for a file holding the given ends; registers the waiter when nothing is ready. */
  poll(reader: boolean, writer: boolean, caller: IoCaller, waitWriter = false): number {
    let mask = 0;
    if (reader) {
      if (this.len > 0) mask |= POLLIN | POLLRDNORM;
      if (this.writers === 0 && !waitWriter) mask |= POLLHUP;
    }
    if (writer) {
      if (this.free >= PIPE_BUF) mask |= POLLOUT | POLLWRNORM;
      if (this.readers === 0) mask |= POLLERR;
    }
    if (mask === 0 && caller.waiter !== null) {
      if (reader) this.readWait.add(caller.waiter);
      if (writer) this.writeWait.add(caller.waiter);
    }
    return mask;
  }

  /** An end closed: wake the other side so it sees EOF / EPIPE. */
  release(reader: boolean, writer: boolean): void {
    if (reader && --this.readers === 0) this.writeWait.wakeUp();
    if (writer && --this.writers === 0) this.readWait.wakeUp();
  }
}

function endsOf(file: File): [boolean, boolean] {
  const acc = file.flags & O_ACCMODE;
  return [acc === O_RDONLY || acc === O_RDWR, acc === O_WRONLY || acc === O_RDWR];
}

function pipeIoctl(file: File, cmd: number, arg: number, caller: IoCaller): number {
  if (cmd !== FIONREAD) return -Errno.ENOTTY;
  if (caller.user === null) return -Errno.EFAULT;
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, (file.priv as Pipe).len, true);
  return caller.user.copyToUser(arg, out);
}

/** File operations of both pipe ends and opened FIFOs; file.priv is the Pipe. */
export const pipeFops: FileOps = named("pipe.pipeFops", {
  read(file, dst, caller) {
    if (!file.readable) return -Errno.EBADF;
    const pipe = file.priv as Pipe;
    return pipe.read(dst, file.nonblock, caller, file.version === pipe.wCounter);
  },
  write(file, src, caller) {
    if (!file.writable) return -Errno.EBADF;
    return (file.priv as Pipe).write(src, file.nonblock, caller);
  },
  llseek: noLlseek,
  ioctl: pipeIoctl,
  poll(file, caller) {
    const [r, w] = endsOf(file);
    const pipe = file.priv as Pipe;
    return pipe.poll(r, w, caller, file.version === pipe.wCounter);
  },
  release(file) {
    const [r, w] = endsOf(file);
    (file.priv as Pipe).release(r, w);
  },
});

/**
 * A FIFO inode's open: attach to (or create) the inode's pipe. A blocking
 * write-only open waits (WOULD_BLOCK, nothing changed) until a reader exists;
 * O_NONBLOCK gives ENXIO instead. A read-only open returns at once, but its
 * reads wait for the first writer instead of seeing EOF, which together
 * behaves like Linux's blocking FIFO open without a rendezvous in open.
 */
export const fifoFops: FileOps = named("pipe.fifoFops", {
  open(inode, file, caller) {
    const acc = file.flags & O_ACCMODE;
    if (acc === 3) return -Errno.EINVAL;
    const pipe = (inode.pipe ??= new Pipe());
    if (acc === O_WRONLY && pipe.readers === 0) {
      if ((file.flags & O_NONBLOCK) !== 0 || caller.waiter === null) return -Errno.ENXIO;
      pipe.openWait.add(caller.waiter);
      return WOULD_BLOCK;
    }
    if (acc !== O_WRONLY) {
      pipe.readers++;
      if (acc === O_RDONLY && pipe.writers === 0) file.version = pipe.wCounter;
      pipe.openWait.wakeUp();
    }
    if (acc !== O_RDONLY) {
      pipe.writers++;
      pipe.wCounter++;
      pipe.readWait.wakeUp();
    }
    file.priv = pipe;
    file.fop = pipeFops;
    return 0;
  },
});

const pipefsOps: InodeOps = named("pipe.pipefsOps", {});

/** The anonymous filesystem pipe(2) inodes belong to (one per kernel). */
export function createPipefs(dev: number, clock: FsClock): SuperBlock {
  const sb = new SuperBlock("pipefs", dev, clock, PIPEFS_MAGIC);
  sb.root = new Inode(sb, sb.allocIno(), 0o040000 | 0o700, pipefsOps, {});
  return sb;
}

/**
 * pipe2(): a fresh pipe as [read end, write end]. flags may hold O_NONBLOCK
 * (kept on both Files) and O_CLOEXEC (for the caller's fd table); others -EINVAL.
 */
export function createPipe(pipefs: SuperBlock, flags: number, uid = 0, gid = 0): [File, File] | number {
  if ((flags & ~(O_NONBLOCK | O_CLOEXEC)) !== 0) return -Errno.EINVAL;
  const inode = new Inode(pipefs, pipefs.allocIno(), S_IFIFO | 0o600, pipefsOps, pipeFops);
  inode.uid = uid;
  inode.gid = gid;
  const pipe = new Pipe();
  inode.pipe = pipe;
  pipe.readers = 1;
  pipe.writers = 1;
  const nb = flags & O_NONBLOCK;
  const r = new File(inode, null, O_RDONLY | nb, pipeFops);
  const w = new File(inode, null, O_WRONLY | nb, pipeFops);
  r.priv = pipe;
  w.priv = pipe;
  return [r, w];
}
