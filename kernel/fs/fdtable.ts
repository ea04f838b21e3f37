// The per-process descriptor table (struct files_struct): lowest-free
// allocation, close-on-exec bits, dup/dup2/dup3, fcntl, and RLIMIT_NOFILE.

import { Errno } from "../errno.ts";
import type { File } from "./file.ts";
import { fget, fput, O_CLOEXEC, SETFL_MASK } from "./file.ts";

export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_GETLK = 5;
export const F_SETLK = 6;
export const F_SETLKW = 7;
export const F_GETLK64 = 12;
export const F_SETLK64 = 13;
export const F_SETLKW64 = 14;
export const F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;

/** Linux's default soft RLIMIT_NOFILE, and the kernel's hard ceiling (fs.nr_open). */
export const NR_OPEN_DEFAULT = 1024;
export const NR_OPEN_MAX = 1048576;

export class FdTable {
  private files: (File | null)[] = [];
  private cloexec: boolean[] = [];
  /** RLIMIT_NOFILE (soft): descriptors must be below it. The process layer keeps it current. */
  nofile = NR_OPEN_DEFAULT;
  /** Tasks sharing this table (CLONE_FILES; Linux's files_struct.count). */
  users = 1;

  /** The open file at fd, or null (also for negative/huge fds). */
  get(fd: number): File | null {
    if (!Number.isInteger(fd) || fd < 0 || fd >= this.files.length) return null;
    return this.files[fd];
  }

  getCloexec(fd: number): boolean {
    return this.get(fd) !== null && this.cloexec[fd];
  }

  /** Lowest free fd >= minFd below the limit, or -EMFILE. */
  private findFree(minFd: number): number {
    for (let fd = minFd; fd < this.nofile; fd++) if (fd >= this.files.length || this.files[fd] === null) return fd;
    return -Errno.EMFILE;
  }

  private put(fd: number, file: File, cloexec: boolean): void {
    while (this.files.length <= fd) {
      this.files.push(null);
      this.cloexec.push(false);
    }
    this.files[fd] = file;
    this.cloexec[fd] = cloexec;
  }

  /** Install file (taking over the caller's reference) at the lowest free fd >= minFd. fd or -EMFILE (file not consumed then). */
  install(file: File, cloexec: boolean, minFd = 0): number {
    const fd = this.findFree(minFd);
    if (fd < 0) return fd;
    this.put(fd, file, cloexec);
    return fd;
  }

  /** Close fd: 0 or -EBADF. */
  close(fd: number): number {
    const file = this.get(fd);
    if (file === null) return -Errno.EBADF;
    this.files[fd] = null;
    this.cloexec[fd] = false;
    this.trim();
    fput(file);
    return 0;
  }

  private trim(): void {
    while (this.files.length > 0 && this.files[this.files.length - 1] === null) {
      this.files.pop();
      this.cloexec.pop();
    }
  }

  /** dup(): the lowest free descriptor sharing oldfd's File (close-on-exec clear). */
  dup(oldfd: number): number {
    const file = this.get(oldfd);
    if (file === null) return -Errno.EBADF;
    const fd = this.install(file, false);
    if (fd >= 0) fget(file);
    return fd;
  }

  /** dup2(): newfd becomes a copy of oldfd, closing what was there; oldfd == newfd checks validity only. */
  dup2(oldfd: number, newfd: number): number {
    const file = this.get(oldfd);
    if (file === null) return -Errno.EBADF;
    if (oldfd === newfd) return newfd;
    return this.replace(file, newfd, false);
  }

  /** dup3(): as dup2 but oldfd == newfd is -EINVAL and flags may be O_CLOEXEC. */
  dup3(oldfd: number, newfd: number, flags: number): number {
    if ((flags & ~O_CLOEXEC) !== 0 || oldfd === newfd) return -Errno.EINVAL;
    const file = this.get(oldfd);
    if (file === null) return -Errno.EBADF;
    return this.replace(file, newfd, (flags & O_CLOEXEC) !== 0);
  }

  private replace(file: File, newfd: number, cloexec: boolean): number {
    if (!Number.isInteger(newfd) || newfd < 0 || newfd >= this.nofile) return -Errno.EBADF;
    const old = this.get(newfd);
    this.put(newfd, fget(file), cloexec);
    if (old !== null) fput(old);
    return newfd;
  }

  /** fcntl for the descriptor-level commands; unknown commands give -EINVAL. */
  fcntl(fd: number, cmd: number, arg: number): number {
    const file = this.get(fd);
    if (file === null) return -Errno.EBADF;
    switch (cmd) {
      case F_DUPFD:
      case F_DUPFD_CLOEXEC: {
        if (arg < 0 || arg >= this.nofile) return -Errno.EINVAL;
        const nfd = this.install(file, cmd === F_DUPFD_CLOEXEC, arg);
        if (nfd >= 0) fget(file);
        return nfd;
      }
      case F_GETFD:
        return this.cloexec[fd] ? FD_CLOEXEC : 0;
      case F_SETFD:
        this.cloexec[fd] = (arg & FD_CLOEXEC) !== 0;
        return 0;
      case F_GETFL:
        return file.flags;
      case F_SETFL:
        file.flags = (file.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        return 0;
      default:
        return -Errno.EINVAL;
    }
  }

  /** A copy for fork: same Files (references taken), same close-on-exec bits. */
  fork(): FdTable {
    const t = new FdTable();
    t.nofile = this.nofile;
    for (let fd = 0; fd < this.files.length; fd++) {
      const f = this.files[fd];
      if (f !== null) t.put(fd, fget(f), this.cloexec[fd]);
    }
    return t;
  }

  /** exec: close every close-on-exec descriptor. */
  closeOnExec(): void {
    for (let fd = 0; fd < this.files.length; fd++) if (this.files[fd] !== null && this.cloexec[fd]) this.close(fd);
  }

  /** exit: close everything. */
  closeAll(): void {
    for (let fd = this.files.length - 1; fd >= 0; fd--) if (this.files[fd] !== null) this.close(fd);
  }

  /** Open descriptors in increasing order (for /proc/<pid>/fd and the monitor). */
  openFds(): number[] {
    const out: number[] = [];
    for (let fd = 0; fd < this.files.length; fd++) if (this.files[fd] !== null) out.push(fd);
    return out;
  }
}
