// The file system calls' entries in the syscall table (Linux i386 numbers).
// The handlers live in fs-rw.ts (data transfer), fs-path.ts (calls naming
// paths, descriptors, pipes), fs-stat.ts (attributes, directory listings)
// and fs-poll.ts (poll/select).

import { Errno } from "../errno.ts";
import { define, type Syscalls } from "./table.ts";
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
    3: sysRead,
    4: sysWrite,
    5: sysOpen,
    6: sysCloseCall,
    8: sysCreat,
    9: sysLinkCall,
    10: sysUnlinkCall,
    12: sysChdirCall,
    14: sysMknodCall,
    15: sysChmodCall,
    19: sysLseekCall,
    33: sysAccessCall,
    36: () => 0, // sync
    38: sysRenameCall,
    39: sysMkdirCall,
    40: sysRmdirCall,
    41: sysDup,
    42: sysPipe,
    54: sysIoctlCall,
    55: sysFcntl,
    60: sysUmaskCall,
    61: sysChrootCall,
    63: sysDup2,
    83: sysSymlinkCall,
    85: sysReadlinkCall,
    89: enosys, // readdir (old_readdir): libcs use getdents
    92: sysTruncateCall,
    93: sysFtruncateCall,
    94: sysFchmodCall,
    99: sysStatfsCall,
    100: sysFstatfsCall,
    106: sysOldStat,
    107: sysOldLstat,
    108: sysOldFstat,
    118: syncFd, // fsync
    133: sysFchdirCall,
    140: sysLlseekCall,
    141: sysGetdents,
    142: sysSelect,
    145: sysReadv,
    146: sysWritev,
    148: syncFd, // fdatasync
    168: sysPoll,
    180: sysPread64,
    181: sysPwrite64,
    183: sysGetcwdCall,
    193: sysTruncate64Call,
    194: sysFtruncate64Call,
    195: sysStat64Call,
    196: sysLstat64Call,
    197: sysFstat64Call,
    198: sysLchownCall, // lchown32
    207: sysFchownCall, // fchown32
    212: sysChownCall, // chown32
    220: sysGetdents64Call,
    221: sysFcntl, // fcntl64
    268: sysStatfs64Call,
    269: sysFstatfs64Call,
    295: sysOpenatCall,
    296: sysMkdiratCall,
    297: sysMknodatCall,
    298: sysFchownatCall,
    300: sysFstatat64Call,
    301: sysUnlinkatCall,
    302: sysRenameatCall,
    303: sysLinkatCall,
    304: sysSymlinkatCall,
    305: sysReadlinkatCall,
    306: sysFchmodatCall,
    307: sysFaccessatCall,
    308: sysPselect6,
    309: sysPpoll,
    330: sysDup3,
    331: sysPipe2,
    383: enosys, // statx: musl falls back to fstatat64
    413: sysPselect6Time64,
    414: sysPpollTime64,
    439: enosys, // faccessat2: musl falls back to faccessat
  });
}
