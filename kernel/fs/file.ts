// Open files: the File object (struct file) shared by dup'ed descriptors and
// across fork, its operation table, the open(2) flag bits, and the view of the
// calling task that file operations may need (waiter for blocking, user-memory
// access for ioctl arguments, process-group identity for ttys).

import { Errno } from "../errno.ts";
import type { Waiter } from "../wait.ts";
import type { Inode } from "./inode.ts";
import type { Mount } from "./mount.ts";
import type { VmArea } from "../mm/vma.ts";

export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const FASYNC = 0o20000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;

/** Flags F_SETFL may change (the rest of f_flags is fixed at open). */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_NOATIME | FASYNC | O_DIRECT;

/** Copying to and from the calling task's user memory (supplied by the syscall layer). */
export interface UserAccess {
  /** len bytes from user address addr, or -EFAULT. */
  copyFromUser(addr: number, len: number): Uint8Array | number;
  /** Store src at user address addr: 0 or -EFAULT. */
  copyToUser(addr: number, src: Uint8Array): number;
}

/** What a file operation may know about its caller. */
export interface IoCaller {
  /** Registered on a WaitQueue when the operation returns WOULD_BLOCK; null = never block. */
  waiter: Waiter | null;
  /** For ioctl arguments; null in kernel-internal calls (ioctls needing memory give -EFAULT). */
  user: UserAccess | null;
  pid: number;
  pgrp: number;
  sid: number;
}


/**
 * Operations on an open file. read/write return a byte count, -errno, or
 * WOULD_BLOCK (having consumed nothing and registered caller.waiter). They
 * maintain file.pos themselves where the file is seekable.
 */
export interface FileOps {
  /** Called once when a File is made; may replace file.fop (char devices) or fail with -errno. */
  open?(inode: Inode, file: File, caller: IoCaller): number;
  read?(file: File, dst: Uint8Array, caller: IoCaller): number;
  /** A read fills the whole count, as Linux's read_zero and urandom_read do (no short reads; a stream otherwise returns what one piece gave). */
  fills?: boolean;
  write?(file: File, src: Uint8Array, caller: IoCaller): number;
  /** Absent = the generic seek on inode.size; return -ESPIPE for unseekable files. */
  llseek?(file: File, offset: number, whence: number): number;
  ioctl?(file: File, cmd: number, arg: number, caller: IoCaller): number;
  /** Readiness mask (POLLIN, POLLOUT, ...); registers caller.waiter when waiter is given and nothing is ready. */
  poll?(file: File, caller: IoCaller): number;
  /** The last reference went away. */
  release?(file: File): void;
  /** fsync/fdatasync: write the file's data back to where it is kept; absent = nothing to do. 0 or -errno. */
  fsync?(file: File): number;
  /**
   * Maps the device into a new area (Linux f_op->mmap), called by mmap after
   * the area is inserted; the driver fills it (remapPfnRange, vmInsertPage)
   * or leaves it to faults. 0, or -errno (mmap then removes the area).
   */
  mmap?(file: File, vma: VmArea, caller: IoCaller): number;
}

export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
export const POLLRDNORM = 0x040;
export const POLLWRNORM = 0x100;

/** struct file: shared by every descriptor dup'ed or inherited from the one open(). */
export class File {
  refs = 1;
  pos = 0;
  /** Per-open private state of the driver (pipe end, procfs snapshot, ...). */
  priv: unknown = null;
  /** The absolute path it was opened by, "" if unknown (pipes, sockets); names mappings. */
  name = "";
  /** A FIFO read end opened with no writer: the pipe's wCounter at open, else -1 (Linux's f_version). */
  version = -1;

  constructor(
    readonly inode: Inode,
    readonly mnt: Mount | null,
    public flags: number,
    public fop: FileOps,
  ) {
    inode.openCount++;
  }

  get readable(): boolean {
    return (this.flags & O_ACCMODE) !== O_WRONLY && (this.flags & O_PATH) === 0;
  }

  get writable(): boolean {
    const acc = this.flags & O_ACCMODE;
    return (acc === O_WRONLY || acc === O_RDWR) && (this.flags & O_PATH) === 0;
  }

  get nonblock(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }
}

/** Take another reference (dup, fork). */
export function fget(file: File): File {
  file.refs++;
  return file;
}

/** Drop a reference; the last one releases the driver state and maybe the unlinked inode's data. */
export function fput(file: File): void {
  if (--file.refs > 0) return;
  file.fop.release?.(file);
  const inode = file.inode;
  inode.openCount--;
  if (inode.nlink === 0 && inode.openCount === 0) evictInode(inode);
}

/** Free the contents of an inode that has no names and no openers left. */
export function evictInode(inode: Inode): void {
  if (inode.data !== null) {
    inode.data.cache?.evicted();
    inode.data.clear();
  }
  if (inode.entries !== null) inode.entries.clear();
  if (inode.sb.usedInodes > 0) inode.sb.usedInodes--;
}

/** The generic lseek for files whose end is inode.size (SEEK_DATA/HOLE treat the file as data). */
export function genericLlseek(file: File, offset: number, whence: number): number {
  let base: number;
  switch (whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = file.pos;
      break;
    case SEEK_END:
      base = file.inode.size;
      break;
    case SEEK_DATA:
      if (offset < 0 || offset >= file.inode.size) return -Errno.ENXIO;
      base = 0;
      break;
    case SEEK_HOLE:
      if (offset < 0 || offset >= file.inode.size) return -Errno.ENXIO;
      offset = file.inode.size;
      base = 0;
      break;
    default:
      return -Errno.EINVAL;
  }
  const pos = base + offset;
  if (pos < 0 || !Number.isSafeInteger(pos)) return -Errno.EINVAL;
  file.pos = pos;
  return pos;
}

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;

/** The llseek of pipes, ttys and sockets. */
export function noLlseek(): number {
  return -Errno.ESPIPE;
}
