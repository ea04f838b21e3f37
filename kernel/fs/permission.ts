// Credentials and the classic Unix permission check (owner, group, other; root
// bypasses everything but execute on a file with no x bit at all).

import type { Inode } from "./inode.ts";
import { Errno } from "../errno.ts";
import { isDir } from "./mode.ts";

/** The file-system identity of a caller (fsuid/fsgid as Linux; groups = supplementary). */
export interface Cred {
  uid: number;
  gid: number;
  groups?: readonly number[];
}

export const ROOT_CRED: Cred = { uid: 0, gid: 0 };

export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

/** 0 if cred may access inode for mask (MAY_* bits), else -EACCES. */
export function inodePermission(inode: Inode, mask: number, cred: Cred): number {
  if (cred.uid === 0) {
    if ((mask & MAY_EXEC) === 0 || isDir(inode.mode) || (inode.mode & 0o111) !== 0) return 0;
    return -Errno.EACCES;
  }
  let bits: number;
  if (cred.uid === inode.uid) bits = (inode.mode >> 6) & 7;
  else if (cred.gid === inode.gid || (cred.groups !== undefined && cred.groups.includes(inode.gid)))
    bits = (inode.mode >> 3) & 7;
  else bits = inode.mode & 7;
  return (bits & mask) === mask ? 0 : -Errno.EACCES;
}
