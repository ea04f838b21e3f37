// statfs: what a file system reports about itself (Linux's struct kstatfs),
// and the two i386 layouts user space reads it in: struct statfs (statfs(2),
// 64 bytes of 32-bit fields) and struct statfs64 (statfs64(2), 84 bytes,
// packed, 64-bit counts).

import { Errno } from "../errno.ts";
import type { SuperBlock } from "./inode.ts";

/** Linux's ST_* mount flags as statfs reports them (include/linux/statfs.h). */
const ST_RDONLY = 0x0001, ST_VALID = 0x0020;
const NAME_MAX = 255;
const PAGE = 4096;

export interface Kstatfs {
  type: number;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
  frsize: number;
  flags: number;
}

/**
 * The statfs of sb. A file system with limits (tmpfs) reports them as
 * shmem_statfs does; one without (ramfs, the initramfs root, proc, pipefs)
 * reports zero blocks and files, as simple_statfs does.
 */
export function statfsOf(sb: SuperBlock): Kstatfs {
  const limited = Number.isFinite(sb.maxPages);
  const blocks = limited ? sb.maxPages : 0;
  const bfree = limited ? Math.max(0, sb.maxPages - sb.usedPages) : 0;
  const files = Number.isFinite(sb.maxInodes) ? sb.maxInodes : 0;
  const ffree = files > 0 ? Math.max(0, files - sb.usedInodes) : 0;
  return {
    type: sb.magic, bsize: PAGE, blocks, bfree, bavail: bfree, files, ffree,
    namelen: NAME_MAX, frsize: PAGE, flags: ST_VALID | (sb.readOnly ? ST_RDONLY : 0),
  };
}

export const STATFS_SIZE = 64;
export const STATFS64_SIZE = 84;

/** struct statfs (i386): -EOVERFLOW when a count does not fit in 32 bits, as Linux's put_compat_statfs. */
export function encodeStatfs(s: Kstatfs): Uint8Array | number {
  if ([s.blocks, s.bfree, s.bavail, s.files, s.ffree].some((n) => n > 0xffffffff)) return -Errno.EOVERFLOW;
  const out = new Uint8Array(STATFS_SIZE);
  const v = new DataView(out.buffer);
  [s.type, s.bsize, s.blocks, s.bfree, s.bavail, s.files, s.ffree, 0, 0, s.namelen, s.frsize, s.flags]
    .forEach((n, i) => v.setUint32(i * 4, n >>> 0, true));
  return out;
}

/** struct statfs64 (i386, packed): type, bsize, five u64 counts, fsid, namelen, frsize, flags, spare[4]. */
export function encodeStatfs64(s: Kstatfs): Uint8Array {
  const out = new Uint8Array(STATFS64_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, s.type >>> 0, true);
  v.setUint32(4, s.bsize, true);
  [s.blocks, s.bfree, s.bavail, s.files, s.ffree].forEach((n, i) => v.setBigUint64(8 + i * 8, BigInt(n), true));
  v.setUint32(56, s.namelen, true);
  v.setUint32(60, s.frsize, true);
  v.setUint32(64, s.flags, true);
  return out;
}
