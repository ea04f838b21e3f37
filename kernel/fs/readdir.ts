// getdents64: directory entries as `struct linux_dirent64` records:
//   u64 d_ino | s64 d_off | u16 d_reclen | u8 d_type | char d_name[] NUL-terminated,
// each record padded to a multiple of 8 bytes. d_off is the position of the
// next entry; the File's pos advances past what was returned.

import { Errno } from "../errno.ts";
import type { File } from "./file.ts";
import { isDir } from "./mode.ts";
import type { FsCaller } from "./fscontext.ts";

/** Largest buffer one call fills, whatever count the guest passed. */
export const GETDENTS_CHUNK = 65536;
const HEADER = 19;

/** Size of the record for a name of nameLen bytes. */
export function direntReclen(nameLen: number): number {
  return (HEADER + nameLen + 1 + 7) & ~7;
}

/**
 * Fill up to count bytes of records from file's position. Result: the bytes
 * (length 0 at end of directory), -ENOTDIR, -EBADF (O_PATH) or -EINVAL when
 * count cannot hold the next record.
 */
export function getdents64(file: File, count: number): Uint8Array | number {
  const dir = file.inode;
  if (!isDir(dir.mode) || dir.iop.iterate === undefined) return -Errno.ENOTDIR;
  if (!file.readable) return -Errno.EBADF;
  if (count < 0) return -Errno.EINVAL;
  const cap = Math.min(count, GETDENTS_CHUNK);
  const out = new Uint8Array(cap);
  const v = new DataView(out.buffer);
  let used = 0;
  let tooSmall = false;
  dir.iop.iterate(dir, file.pos, (name, ino, dtype, nextPos) => {
    const reclen = direntReclen(name.length);
    if (used + reclen > cap) {
      if (used === 0) tooSmall = true;
      return false;
    }
    v.setUint32(used, ino >>> 0, true);
    v.setUint32(used + 4, Math.floor(ino / 0x1_0000_0000), true);
    v.setUint32(used + 8, nextPos >>> 0, true);
    v.setInt32(used + 12, Math.floor(nextPos / 0x1_0000_0000), true);
    v.setUint16(used + 16, reclen, true);
    out[used + 18] = dtype;
    for (let i = 0; i < name.length; i++) out[used + HEADER + i] = name.charCodeAt(i) & 0xff;
    // The rest of the record (NUL terminator and padding) is already zero.
    used += reclen;
    file.pos = nextPos;
    return true;
  });
  if (tooSmall) return -Errno.EINVAL;
  return out.subarray(0, used);
}

/** getdents64(2) on a descriptor. */
export function sysGetdents64(caller: FsCaller, fd: number, count: number): Uint8Array | number {
  const file = caller.files.get(fd);
  if (file === null) return -Errno.EBADF;
  return getdents64(file, count);
}
