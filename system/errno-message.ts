// One-line messages for -errno results of host-side operations on the guest
// (the web page's file transfers, monitor commands): the text a person reads
// plus the errno name from kernel/errno.ts, e.g.
// "/tmp/x: no space left on the guest's file system (ENOSPC)".

import { Errno } from "../kernel/errno.ts";

const TEXT: Partial<Record<Errno, string>> = {
  [Errno.ENOENT]: "no such file or directory",
  [Errno.ENOTDIR]: "a part of the path is not a directory",
  [Errno.EISDIR]: "is a directory",
  [Errno.ENOSPC]: "no space left on the guest's file system",
  [Errno.ENOMEM]: "the guest is out of memory",
  [Errno.EACCES]: "permission denied",
  [Errno.EPERM]: "operation not permitted",
  [Errno.EROFS]: "read-only file system",
  [Errno.ENAMETOOLONG]: "file name too long",
  [Errno.ELOOP]: "too many levels of symbolic links",
  [Errno.EINVAL]: "not a regular file or not an absolute path",
  [Errno.EFBIG]: "file too large",
  [Errno.EXDEV]: "cannot rename across file systems",
  [Errno.EBUSY]: "busy",
  [Errno.ESTALE]: "the guest was reset during the transfer",
  [Errno.ENOSYS]: "this guest has no kernel file system (the echo fixture)",
  [Errno.EIO]: "I/O error",
};

/** "<what>: <text> (<ENAME>)" for err = -errno (or errno); unknown numbers show as "error N". */
export function errnoMessage(what: string, err: number): string {
  const n = Math.abs(err);
  const name = Errno[n] ?? `errno ${n}`;
  const text = TEXT[n as Errno] ?? `error ${n}`;
  return `${what}: ${text} (${name})`;
}
