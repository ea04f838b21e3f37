// Data transfer on descriptors: read, write, readv, writev, pread64,
// pwrite64, lseek, _llseek, ioctl, fcntl. Guest sizes are untrusted: data is
// moved in pieces of at most RW_CHUNK bytes, so the host never allocates more
// than one piece (or the rest of the file) at a time. A WOULD_BLOCK before
// anything moved sleeps the task; after some progress the count is returned.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { WOULD_BLOCK } from "../wait.ts";
import { userVirtToPhys } from "../mm/uaccess.ts";
import type { File } from "../fs/file.ts";
import { noLlseek } from "../fs/file.ts";
import { vfsRead, vfsWrite, sysLseek, sysLlseek, sysIoctl, RW_CHUNK, MAX_RW_COUNT } from "../fs/readwrite.ts";
import { F_GETLK, F_SETLK, F_SETLKW, F_GETLK64, F_SETLK64, F_SETLKW64 } from "../fs/fdtable.ts";
import { isReg } from "../fs/mode.ts";
import { accessOk, getBytes, getWords, join64, putBytes, split64, putWords } from "./fs-user.ts";
import { Sig } from "../signal/signals.ts";

/** Linux UIO_MAXIOV: the most iovecs one readv/writev takes. */
export const UIO_MAXIOV = 1024;

/** EPIPE from a write raises SIGPIPE in the writer (Linux pipe_write). */
function sigpipe(k: Kernel, t: Task, r: number): number {
  if (r === -Errno.EPIPE) k.sendSignal?.(t, Sig.SIGPIPE);
  return r;
}

/**
 * Read up to count bytes from file into user memory at buf, in pieces.
 * Result: bytes read, -errno, or WOULD_BLOCK (nothing consumed).
 */
export function readToUser(k: Kernel, t: Task, file: File, buf: number, count: number): number {
  const caller = t.fsCaller;
  count = Math.min(count, MAX_RW_COUNT);
  if (!accessOk(buf, count)) return -Errno.EFAULT;
  if (count === 0) {
    const r = vfsRead(caller, file, 0);
    return typeof r === "number" ? r : 0;
  }
  let done = 0;
  while (done < count) {
    const want = Math.min(count - done, RW_CHUNK);
    // Streams cannot give bytes back: fault the first page of the destination in before
    // reading, so a bad buffer fails with nothing consumed (Linux's pipe_read leaves the
    // data in the pipe when the copy faults). Regular files restore their position below.
    if (!isReg(file.inode.mode)) {
      const ok = writableUser(t, buf + done, Math.min(want, 4096 - ((buf + done) & 0xfff)));
      if (ok < 0) return done > 0 ? done : ok;
    }
    const before = file.pos;
    const r = vfsRead(caller, file, want);
    if (typeof r === "number") {
      if (done > 0 && (r === WOULD_BLOCK || r === -Errno.EAGAIN)) return done;
      return done > 0 && r < 0 ? done : r;
    }
    if (r.length === 0) break;
    const c = putBytes(t, buf + done, r);
    if (c < 0) {
      // Nothing reached the caller: a seekable file keeps its position (streams lose the bytes, as Linux).
      if (file.fop.llseek !== noLlseek) file.pos = before;
      return done > 0 ? done : c;
    }
    done += r.length;
    // Streams (pipes, ttys) return what they have; regular files and the devices that fill any count are read on to it.
    if (r.length < want || (!isReg(file.inode.mode) && file.fop.fills !== true)) break;
  }
  return done;
}

/**
 * Write count bytes from user memory at buf to file, in pieces.
 * Result: bytes written, -errno (SIGPIPE sent on EPIPE), or WOULD_BLOCK (nothing consumed).
 */
export function writeFromUser(k: Kernel, t: Task, file: File, buf: number, count: number): number {
  const caller = t.fsCaller;
  count = Math.min(count, MAX_RW_COUNT);
  if (!accessOk(buf, count)) return -Errno.EFAULT;
  if (count === 0) return vfsWrite(caller, file, new Uint8Array(0));
  let done = 0;
  while (done < count) {
    const piece = Math.min(count - done, RW_CHUNK);
    const src = getBytes(t, buf + done, piece);
    if (typeof src === "number") return done > 0 ? done : src;
    const r = vfsWrite(caller, file, src);
    if (r < 0 || r === WOULD_BLOCK) {
      if (done > 0) return done;
      return r === WOULD_BLOCK ? r : sigpipe(k, t, r);
    }
    done += r;
    if (r < piece) break;
  }
  return done;
}

/** 0 when every page of [va, va+len) can be written by the task (faulting pages in), else -EFAULT. */
function writableUser(t: Task, va: number, len: number): number {
  if (!t.mm) return -Errno.EFAULT;
  for (let a = va & ~0xfff; a < va + len; a += 4096) {
    if (userVirtToPhys(t.mm, Math.max(a, va), true) < 0) return -Errno.EFAULT;
  }
  return 0;
}

function fileOf(t: Task, fd: number): File | null {
  return t.files?.get(fd) ?? null;
}

export function sysRead(k: Kernel, t: Task, fd: number, buf: number, count: number): number {
  const file = fileOf(t, fd);
  if (file === null) return -Errno.EBADF;
  return readToUser(k, t, file, buf, count >>> 0);
}

export function sysWrite(k: Kernel, t: Task, fd: number, buf: number, count: number): number {
  const file = fileOf(t, fd);
  if (file === null) return -Errno.EBADF;
  return writeFromUser(k, t, file, buf, count >>> 0);
}

/** The iovec array at iov: [base, len] pairs, or -EINVAL/-EFAULT as Linux's rw_copy_check_uvector. */
function getIovecs(t: Task, iov: number, iovcnt: number): [number, number][] | number {
  if (iovcnt < 0 || iovcnt > UIO_MAXIOV) return -Errno.EINVAL;
  if (iovcnt === 0) return [];
  const w = getWords(t, iov, iovcnt * 2);
  if (typeof w === "number") return w;
  const out: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const base = w[2 * i] >>> 0;
    const len = w[2 * i + 1];
    if (len < 0) return -Errno.EINVAL;
    if (!accessOk(base, len)) return -Errno.EFAULT;
    const take = Math.min(len, MAX_RW_COUNT - total);
    out.push([base, take]);
    total += take;
  }
  return out;
}

function doReadv(k: Kernel, t: Task, file: File, iov: number, iovcnt: number): number {
  const v = getIovecs(t, iov, iovcnt);
  if (typeof v === "number") return v;
  let done = 0;
  for (const [base, len] of v) {
    if (len === 0) continue;
    const r = readToUser(k, t, file, base, len);
    if (r < 0 || r === WOULD_BLOCK) return done > 0 ? done : r;
    done += r;
    if (r < len) break;
  }
  return done;
}

function doWritev(k: Kernel, t: Task, file: File, iov: number, iovcnt: number): number {
  const v = getIovecs(t, iov, iovcnt);
  if (typeof v === "number") return v;
  let done = 0;
  for (const [base, len] of v) {
    if (len === 0) continue;
    const r = writeFromUser(k, t, file, base, len);
    if (r < 0 || r === WOULD_BLOCK) return done > 0 ? done : r;
    done += r;
    if (r < len) break;
  }
  return done;
}

export function sysReadv(k: Kernel, t: Task, fd: number, iov: number, iovcnt: number): number {
  const file = fileOf(t, fd);
  if (file === null) return -Errno.EBADF;
  return doReadv(k, t, file, iov, iovcnt);
}

export function sysWritev(k: Kernel, t: Task, fd: number, iov: number, iovcnt: number): number {
  const file = fileOf(t, fd);
  if (file === null) return -Errno.EBADF;
  return doWritev(k, t, file, iov, iovcnt);
}

/** Run op with file.pos temporarily at pos (pread/pwrite), restoring the position after. */
function atPosition(file: File, pos: number, op: () => number): number {
  if (pos < 0 || !Number.isSafeInteger(pos)) return -Errno.EINVAL;
  if (file.fop.llseek === noLlseek) return -Errno.ESPIPE;
  const saved = file.pos;
  file.pos = pos;
  try {
    return op();
  } finally {
    file.pos = saved;
  }
}

/** pread64(fd, buf, count, pos_lo, pos_hi). */
export function sysPread64(k: Kernel, t: Task, fd: number, buf: number, count: number, lo: number, hi: number): number {
  const file = fileOf(t, fd);
  if (file === null) return -Errno.EBADF;
  if (!file.readable) return -Errno.EBADF;
  return atPosition(file, join64(lo, hi), () => readToUser(k, t, file, buf, count >>> 0));
}

/** pwrite64(fd, buf, count, pos_lo, pos_hi). */
export function sysPwrite64(k: Kernel, t: Task, fd: number, buf: number, count: number, lo: number, hi: number): number {
  const file = fileOf(t, fd);
  if (file === null) return -Errno.EBADF;
  if (!file.writable) return -Errno.EBADF;
  return atPosition(file, join64(lo, hi), () => writeFromUser(k, t, file, buf, count >>> 0));
}

export function sysLseekCall(k: Kernel, t: Task, fd: number, offset: number, whence: number): number {
  return sysLseek(t.fsCaller, fd, offset | 0, whence);
}

/** _llseek(fd, offset_high, offset_low, loff_t *result, whence). */
export function sysLlseekCall(k: Kernel, t: Task, fd: number, hi: number, lo: number, result: number, whence: number): number {
  const r = sysLlseek(t.fsCaller, fd, join64(lo, hi), whence >>> 0);
  if (r < 0) return r;
  const c = putWords(t, result, split64(r));
  return c < 0 ? c : 0;
}

export function sysIoctlCall(k: Kernel, t: Task, fd: number, cmd: number, arg: number): number {
  return sysIoctl(t.fsCaller, fd, cmd >>> 0, arg >>> 0);
}

const F_SETOWN = 8, F_GETOWN = 9, F_SETSIG = 10, F_GETSIG = 11;
const F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;
const F_UNLCK = 2;

/** fcntl/fcntl64: descriptor commands go to the FdTable; record locks always succeed (one machine, advisory). */
export function sysFcntl(k: Kernel, t: Task, fd: number, cmd: number, arg: number): number {
  const files = t.files;
  if (files === null) return -Errno.EBADF;
  const file = files.get(fd);
  if (file === null) return -Errno.EBADF;
  switch (cmd) {
    case F_GETLK:
    case F_GETLK64: {
      // Nothing is ever locked by someone else: report l_type = F_UNLCK.
      const b = getBytes(t, arg, 2);
      if (typeof b === "number") return b;
      return putBytes(t, arg, Uint8Array.of(F_UNLCK, 0));
    }
    case F_SETLK:
    case F_SETLKW:
    case F_SETLK64:
    case F_SETLKW64: {
      const b = getBytes(t, arg, 16);
      return typeof b === "number" ? b : 0;
    }
    case F_GETOWN:
    case F_GETSIG:
      return 0;
    case F_SETOWN:
    case F_SETSIG:
      return 0;
    case F_GETPIPE_SZ:
      return file.inode.pipe !== null ? 65536 : -Errno.EBADF;
    case F_SETPIPE_SZ:
      return file.inode.pipe !== null ? 65536 : -Errno.EBADF;
    default:
      return files.fcntl(fd, cmd, arg);
  }
}
