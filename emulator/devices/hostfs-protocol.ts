// The host-folder device's wire format (docs/hostfs.md): one request block
// per call, a 4 KiB page of guest physical memory that the driver fills and
// the device answers in place, plus a list of guest data pages for the bytes
// a call moves. Shared by the device (emulator/devices/hostfs.ts) and, through
// kernel/arch, by the kernel's driver. Errors are Linux errno numbers, as
// 9P2000.L's Rlerror carries them.

/** First of the device's ports: 32-bit OUT of a request block's physical address runs it; IN reads HOSTFS_MAGIC. */
export const HOSTFS_PORT = 0x0d10;
/** BASE+4: IN gives the number of shares (host folders) the device serves. */
export const HOSTFS_PORT_SHARES = HOSTFS_PORT + 4;
export const HOSTFS_PORT_COUNT = 8;
/** "HFS1" read from HOSTFS_PORT: a device is present and speaks version 1. */
export const HOSTFS_MAGIC = 0x31534648;

/** Fixed guest cycles one request costs (a device round trip), plus DATA_CYCLES_PER_4B per 4 data bytes moved. */
export const HOSTFS_REQUEST_CYCLES = 4000;
export const HOSTFS_DATA_CYCLES_PER_4B = 1;

/** Most data pages one request may list (256 KiB). */
export const HOSTFS_MAX_PAGES = 64;
/** Longest name in a request (NAME_MAX). */
export const HOSTFS_NAME_MAX = 255;

/** Request codes (offset REQ.OP). */
export const enum HostFsOp {
  ATTACH = 1, // arg0 = share index -> attr of the root; arg0 := flags (SHARE_RO); name1 := guest mount path
  LOOKUP = 2, // node, name1 -> attr of the child (never follows a symlink)
  GETATTR = 3, // node -> attr
  READ = 4, // node, offset, count, pages -> bytes read
  WRITE = 5, // node, offset, count, pages -> bytes written; attr after
  CREATE = 6, // node (dir), name1, arg0 = mode -> attr of the new regular file (exclusive)
  MKDIR = 7, // node, name1, arg0 = mode -> attr
  SYMLINK = 8, // node, name1, target = count bytes in pages -> attr
  LINK = 9, // node (dir), name1, arg0 = existing node -> attr
  UNLINK = 10, // node (dir), name1, arg0 = 1 for rmdir -> 0
  RENAME = 11, // node (old dir), name1, arg0 = new dir node, name2 -> 0
  READLINK = 12, // node, count (capacity), pages -> length of the target
  READDIR = 13, // node, offset = cookie, count, pages -> bytes of records
  SETATTR = 14, // node, arg0 = SETATTR_* mask, arg1 = mode, offset = size, times in the attr area -> attr
  OPEN = 15, // node, arg0 = 1 to write: keep a host file open (until CLOSE) -> 0
  CLOSE = 16, // node -> 0
  FSYNC = 17, // node -> 0
}

export const SHARE_RO = 1;
export const SETATTR_MODE = 1;
export const SETATTR_SIZE = 2;
export const SETATTR_ATIME = 4;
export const SETATTR_MTIME = 8;

/** Byte offsets inside the request block. */
export const enum Req {
  OP = 0,
  RESULT = 4, // i32: >= 0, or -errno
  NODE = 8,
  ARG0 = 12,
  ARG1 = 16,
  OFFSET_LO = 20,
  OFFSET_HI = 24,
  COUNT = 28,
  NPAGES = 32,
  ATTR = 64, // the attr record (ATTR_SIZE bytes)
  NAME1 = 192, // u16 length + bytes
  NAME2 = 464, // u16 length + bytes
  PAGES = 1024, // u32 physical page addresses
  SIZE = 4096,
}

/** The attr record: a node's stat, host ids and times as the host has them. */
export const enum Attr {
  NODE = 0,
  MODE = 4,
  NLINK = 8,
  SIZE_LO = 12,
  SIZE_HI = 16,
  BLOCKS = 20, // 512-byte blocks (low 32 bits)
  INO_LO = 24,
  INO_HI = 28,
  ATIME = 32,
  ATIME_NS = 36,
  MTIME = 40,
  MTIME_NS = 44,
  CTIME = 48,
  CTIME_NS = 52,
  RDEV = 56,
  SIZE = 64,
}

/** A READDIR record: u32 next cookie, u32 ino (low bits), u8 d_type, u8 name length, name bytes. */
export const DIRENT_HEADER = 10;

/** Linux (i386 and generic) errno numbers the device answers with. */
export const LinuxErrno = {
  EPERM: 1, ENOENT: 2, EIO: 5, EBADF: 9, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18,
  ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ETXTBSY: 26, EFBIG: 27, ENOSPC: 28,
  EROFS: 30, EMLINK: 31, ENAMETOOLONG: 36, ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40, EOVERFLOW: 75, EOPNOTSUPP: 95,
  EDQUOT: 122, ESTALE: 116,
} as const;
