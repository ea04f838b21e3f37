// File type and permission bits of st_mode, device numbers, and the d_type
// values of getdents64, with Linux's numbers.

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
export const S_IALLUGO = 0o7777;

export const isDir = (mode: number): boolean => (mode & S_IFMT) === S_IFDIR;
export const isReg = (mode: number): boolean => (mode & S_IFMT) === S_IFREG;
export const isLnk = (mode: number): boolean => (mode & S_IFMT) === S_IFLNK;
export const isFifo = (mode: number): boolean => (mode & S_IFMT) === S_IFIFO;

export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

/** d_type for a mode: the file type bits shifted down, as Linux's fs_umode_to_dtype. */
export function modeToDtype(mode: number): number {
  return (mode & S_IFMT) >>> 12;
}

/** The kernel-internal dev_t: major in the high 12 bits, minor in the low 20 (MKDEV). */
export function mkdev(major: number, minor: number): number {
  return ((major & 0xfff) * 0x100000 + (minor & 0xfffff)) >>> 0;
}
export const devMajor = (dev: number): number => Math.floor(dev / 0x100000) & 0xfff;
export const devMinor = (dev: number): number => dev & 0xfffff;

/** The user-visible encoding of a dev_t (new_encode_dev): what stat64 reports. */
export function encodeDev(dev: number): number {
  const major = devMajor(dev);
  const minor = devMinor(dev);
  return ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) >>> 0;
}

/** Inverse of encodeDev, for mknod's dev argument. */
export function decodeDev(u: number): number {
  const major = (u & 0xfff00) >>> 8;
  const minor = (u & 0xff) | ((u >>> 12) & 0xfff00);
  return mkdev(major, minor);
}
