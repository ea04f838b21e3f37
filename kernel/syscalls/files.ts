// The file system calls' entries in the syscall table (Linux i386 numbers).
// The handlers live in fs-rw.ts (data transfer), fs-path.ts (calls naming
// paths, descriptors, pipes), fs-stat.ts (attributes, directory listings)
// and fs-poll.ts (poll/select).

import { Errno } from "../errno.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";
import {
  sysRead, sysWrite, sysReadv, sysWritev, sysPread64, sysPwrite64, sysLseekCall, sysLlseekCall, sysIoctlCall, sysFcntl,
} from "./fs-rw.ts";
import {
  sysOpen, sysOpenatCall, sysCreat, sysCloseCall, sysLinkCall, sysLinkatCall, sysUnlinkCall, sysUnlinkatCall, sysRmdirCall,
  sysMkdirCall, sysMkdiratCall, sysMknodCall, sysMknodatCall, sysRenameCall, sysRenameatCall, sysSymlinkCall,
  sysSymlinkatCall, sysChdirCall, sysFchdirCall, sysChrootCall, sysChmodCall, sysFchmodatCall, sysFchmodCall,
  sysChownCall, sysLchownCall, sysFchownatCall, sysFchownCall, sysAccessCall, sysFaccessatCall, sysTruncateCall,
  sysTruncate64Call, sysFtruncateCall, sysFtruncate64Call, sysUmaskCall, sysReadlinkCall, sysReadlinkatCall,
  sysGetcwdCall, sysDup, sysDup2, sysDup3, sysPipe, sysPipe2,
} from "./fs-path.ts";
import {
  sysFstatat64Call, sysStat64Call, sysLstat64Call, sysFstat64Call, sysOldStat, sysOldLstat, sysOldFstat,
  sysGetdents64Call, sysGetdents, sysStatfsCall, sysFstatfsCall, sysStatfs64Call, sysFstatfs64Call,
} from "./fs-stat.ts";
import { sysPoll, sysPpoll, sysPpollTime64, sysSelect, sysPselect6, sysPselect6Time64 } from "./fs-poll.ts";

const enosys = (): number => -Errno.ENOSYS;

/** fsync/fdatasync/syncfs: the file's own fsync (hostfs writes back), else a valid descriptor is all it takes. */
const syncFd: Parameters<typeof define>[1][number] = (_k, t, fd) => {
  const file = t.files?.get(fd);
  if (!file) return -Errno.EBADF;
  return file.fop.fsync?.(file) ?? 0;
};

export function registerFileSyscalls(table: Syscalls): void {
  define(table, {
    [NR.read]: sysRead,
    [NR.write]: sysWrite,
    [NR.open]: sysOpen,
    [NR.close]: sysCloseCall,
    [NR.creat]: sysCreat,
    [NR.link]: sysLinkCall,
    [NR.unlink]: sysUnlinkCall,
    [NR.chdir]: sysChdirCall,
    [NR.mknod]: sysMknodCall,
    [NR.chmod]: sysChmodCall,
    [NR.lseek]: sysLseekCall,
    [NR.access]: sysAccessCall,
    [NR.sync]: () => 0,
    [NR.rename]: sysRenameCall,
    [NR.mkdir]: sysMkdirCall,
    [NR.rmdir]: sysRmdirCall,
    [NR.dup]: sysDup,
    [NR.pipe]: sysPipe,
    [NR.ioctl]: sysIoctlCall,
    [NR.fcntl]: sysFcntl,
    [NR.umask]: sysUmaskCall,
    [NR.chroot]: sysChrootCall,
    [NR.dup2]: sysDup2,
    [NR.symlink]: sysSymlinkCall,
    [NR.readlink]: sysReadlinkCall,
    [NR.readdir]: enosys, // old_readdir: libcs use getdents
    [NR.truncate]: sysTruncateCall,
    [NR.ftruncate]: sysFtruncateCall,
    [NR.fchmod]: sysFchmodCall,
    [NR.statfs]: sysStatfsCall,
    [NR.fstatfs]: sysFstatfsCall,
    [NR.stat]: sysOldStat,
    [NR.lstat]: sysOldLstat,
    [NR.fstat]: sysOldFstat,
    [NR.fsync]: syncFd,
    [NR.fchdir]: sysFchdirCall,
    [NR._llseek]: sysLlseekCall,
    [NR.getdents]: sysGetdents,
    [NR._newselect]: sysSelect,
    [NR.readv]: sysReadv,
    [NR.writev]: sysWritev,
    [NR.fdatasync]: syncFd,
    [NR.poll]: sysPoll,
    [NR.pread64]: sysPread64,
    [NR.pwrite64]: sysPwrite64,
    [NR.getcwd]: sysGetcwdCall,
    [NR.truncate64]: sysTruncate64Call,
    [NR.ftruncate64]: sysFtruncate64Call,
    [NR.stat64]: sysStat64Call,
    [NR.lstat64]: sysLstat64Call,
    [NR.fstat64]: sysFstat64Call,
    [NR.lchown32]: sysLchownCall,
    [NR.fchown32]: sysFchownCall,
    [NR.chown32]: sysChownCall,
    [NR.getdents64]: sysGetdents64Call,
    [NR.fcntl64]: sysFcntl,
    [NR.statfs64]: sysStatfs64Call,
    [NR.fstatfs64]: sysFstatfs64Call,
    [NR.openat]: sysOpenatCall,
    [NR.mkdirat]: sysMkdiratCall,
    [NR.mknodat]: sysMknodatCall,
    [NR.fchownat]: sysFchownatCall,
    [NR.fstatat64]: sysFstatat64Call,
    [NR.unlinkat]: sysUnlinkatCall,
    [NR.renameat]: sysRenameatCall,
    [NR.linkat]: sysLinkatCall,
    [NR.symlinkat]: sysSymlinkatCall,
    [NR.readlinkat]: sysReadlinkatCall,
    [NR.fchmodat]: sysFchmodatCall,
    [NR.faccessat]: sysFaccessatCall,
    [NR.pselect6]: sysPselect6,
    [NR.ppoll]: sysPpoll,
    [NR.dup3]: sysDup3,
    [NR.pipe2]: sysPipe2,
    [NR.statx]: enosys, // musl falls back to fstatat64
    [NR.pselect6_time64]: sysPselect6Time64,
    [NR.ppoll_time64]: sysPpollTime64,
    [NR.faccessat2]: enosys, // musl falls back to faccessat
  });
}
