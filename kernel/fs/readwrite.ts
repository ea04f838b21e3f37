// read/write/lseek/_llseek/pread64/pwrite64/ioctl on descriptors. Guest
// sizes are untrusted: a read allocates at most the bytes it can return (the
// rest of a regular file) or RW_CHUNK for streams; the syscall layer copies
// write data in at most RW_CHUNK pieces.

import { Errno } from "../errno.ts";
import type { FsCaller } from "./fscontext.ts";
import type { File } from "./file.ts";
import { genericLlseek, O_NONBLOCK, noLlseek, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "./file.ts";
import { isReg, isDir } from "./mode.ts";

/** Largest single transfer a stream read allocates; bigger requests return short counts. */
export const RW_CHUNK = 65536;
/** Linux's MAX_RW_COUNT on i386 (INT_MAX rounded down to a page). */
export const MAX_RW_COUNT = 0x7ffff000;

export const FIOCLEX = 0x5451;
export const FIONCLEX = 0x5450;
export const FIONBIO = 0x5421;
export const FIONREAD = 0x541b;

function readBufferFor(file: File, count: number, pos: number): Uint8Array {
  const n = file.inode.data !== null ? Math.max(0, Math.min(count, file.inode.size - pos)) : Math.min(count, RW_CHUNK);
  return new Uint8Array(n);
}

/** Read up to count bytes at the file position. Result: the bytes, -errno, or WOULD_BLOCK. */
export function vfsRead(caller: FsCaller, file: File, count: number): Uint8Array | number {
  if (!file.readable) return -Errno.EBADF;
  if (file.fop.read === undefined) return isDir(file.inode.mode) ? -Errno.EISDIR : -Errno.EINVAL;
  if (!Number.isInteger(count) || count < 0) return -Errno.EINVAL;
  const dst = readBufferFor(file, Math.min(count, MAX_RW_COUNT), file.pos);
  if (count > 0 && dst.length === 0 && file.inode.data !== null) return dst;
  const n = file.fop.read(file, dst, caller);
  return n < 0 ? n : dst.subarray(0, n);
}

export function sysRead(caller: FsCaller, fd: number, count: number): Uint8Array | number {
  const file = caller.files.get(fd);
  if (file === null) return -Errno.EBADF;
  return vfsRead(caller, file, count);
}

/** Write src at the file position (O_APPEND: at the end). Result: bytes written, -errno or WOULD_BLOCK. */
export function vfsWrite(caller: FsCaller, file: File, src: Uint8Array): number {
  if (!file.writable) return -Errno.EBADF;
  if (file.fop.write === undefined) return isDir(file.inode.mode) ? -Errno.EISDIR : -Errno.EINVAL;
  return file.fop.write(file, src.length > MAX_RW_COUNT ? src.subarray(0, MAX_RW_COUNT) : src, caller);
}

export function sysWrite(caller: FsCaller, fd: number, src: Uint8Array): number {
  const file = caller.files.get(fd);
  if (file === null) return -Errno.EBADF;
  return vfsWrite(caller, file, src);
}

/** Runs op on fd's file with its position at pos, then restores the position (pread64/pwrite64). */
function atPos<T>(caller: FsCaller, fd: number, pos: number, op: (file: File) => T): T | number {
  const file = caller.files.get(fd);
  if (file === null) return -Errno.EBADF;
  if (pos < 0 || !Number.isSafeInteger(pos)) return -Errno.EINVAL;
  if (file.fop.llseek === noLlseek) return -Errno.ESPIPE;
  const saved = file.pos;
  file.pos = pos;
  const r = op(file);
  file.pos = saved;
  return r;
}

/** pread64: read at pos without moving the file position; -ESPIPE on pipes and ttys. */
export function sysPread64(caller: FsCaller, fd: number, count: number, pos: number): Uint8Array | number {
  return atPos(caller, fd, pos, (file) => vfsRead(caller, file, count));
}

/** Seek with a 64-bit offset (_llseek): the new position or -errno. */
export function sysLlseek(caller: FsCaller, fd: number, offset: number, whence: number): number {
  const file = caller.files.get(fd);
  if (file === null) return -Errno.EBADF;
  if (whence < 0 || whence > 4) return -Errno.EINVAL;
  return (file.fop.llseek ?? genericLlseek)(file, offset, whence);
}

/** lseek(2) with a 32-bit off_t: a position past 2^31-1 is set but reported as -EOVERFLOW. */
export function sysLseek(caller: FsCaller, fd: number, offset: number, whence: number): number {
  const r = sysLlseek(caller, fd, offset | 0, whence);
  if (r > 0x7fffffff) return -Errno.EOVERFLOW;
  return r;
}

/** ioctl(2): the descriptor-level commands, then the file's driver; -ENOTTY if it has none. */
export function sysIoctl(caller: FsCaller, fd: number, cmd: number, arg: number): number {
  const file = caller.files.get(fd);
  if (file === null) return -Errno.EBADF;
  cmd >>>= 0;
  switch (cmd) {
    case FIOCLEX:
      return caller.files.fcntl(fd, 2, 1);
    case FIONCLEX:
      return caller.files.fcntl(fd, 2, 0);
    case FIONBIO: {
      if (caller.user === null) return -Errno.EFAULT;
      const b = caller.user.copyFromUser(arg, 4);
      if (typeof b === "number") return b;
      const on = (b[0] | b[1] | b[2] | b[3]) !== 0;
      file.flags = on ? file.flags | O_NONBLOCK : file.flags & ~O_NONBLOCK;
      return 0;
    }
    case FIONREAD:
      if (isReg(file.inode.mode)) {
        if (caller.user === null) return -Errno.EFAULT;
        const out = new Uint8Array(4);
        new DataView(out.buffer).setInt32(0, Math.max(0, Math.min(0x7fffffff, file.inode.size - file.pos)), true);
        return caller.user.copyToUser(arg, out);
      }
      break;
  }
  if (file.fop.ioctl === undefined) return -Errno.ENOTTY;
  return file.fop.ioctl(file, cmd, arg, caller);
}

/** Linux's DEFAULT_POLLMASK: files without a poll method are always ready. */
export const DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
