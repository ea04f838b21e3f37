// User and group ids: the uid/gid calls in their 16-bit (original i386) and
// 32-bit forms: get/set of the real, effective and saved ids, setre*id and
// setres*id with Linux's permission rules.

import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { putBytes, putWords } from "./fs-user.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";

/** The 16-bit calls show ids above 65535 as the overflow id 65534 (high2lowuid). */
export const low16 = (id: number): number => (id > 0xffff ? 65534 : id);
const ID_KEEP = 0xffffffff;
const idArg = (x: number, bits16: boolean): number => {
  const v = x >>> 0;
  if (bits16) return (v & 0xffff) === 0xffff ? ID_KEEP : v & 0xffff;
  return v;
};

function setuid(t: Task, uid: number): number {
  if (uid === ID_KEEP) return -Errno.EINVAL;
  if (t.euid === 0) {
    t.uid = t.euid = t.suid = uid;
    return 0;
  }
  if (uid !== t.uid && uid !== t.suid) return -Errno.EPERM;
  t.euid = uid;
  return 0;
}

function setgid(t: Task, gid: number): number {
  if (gid === ID_KEEP) return -Errno.EINVAL;
  if (t.euid === 0) {
    t.gid = t.egid = t.sgid = gid;
    return 0;
  }
  if (gid !== t.gid && gid !== t.sgid) return -Errno.EPERM;
  t.egid = gid;
  return 0;
}

/** setresuid: each id -1 = unchanged; unprivileged callers may only pick among their current ids. */
function setresuid(t: Task, r: number, e: number, s: number): number {
  const cur = [t.uid, t.euid, t.suid];
  if (t.euid !== 0) for (const x of [r, e, s]) if (x !== ID_KEEP && !cur.includes(x)) return -Errno.EPERM;
  if (r !== ID_KEEP) t.uid = r;
  if (e !== ID_KEEP) t.euid = e;
  if (s !== ID_KEEP) t.suid = s;
  return 0;
}

function setresgid(t: Task, r: number, e: number, s: number): number {
  const cur = [t.gid, t.egid, t.sgid];
  if (t.euid !== 0) for (const x of [r, e, s]) if (x !== ID_KEEP && !cur.includes(x)) return -Errno.EPERM;
  if (r !== ID_KEEP) t.gid = r;
  if (e !== ID_KEEP) t.egid = e;
  if (s !== ID_KEEP) t.sgid = s;
  return 0;
}

/** setreuid: r and e (-1 = unchanged); the saved id follows Linux's rule. */
function setreuid(t: Task, r: number, e: number): number {
  const oldUid = t.uid;
  if (t.euid !== 0) {
    if (r !== ID_KEEP && r !== t.uid && r !== t.euid) return -Errno.EPERM;
    if (e !== ID_KEEP && e !== t.uid && e !== t.euid && e !== t.suid) return -Errno.EPERM;
  }
  if (r !== ID_KEEP) t.uid = r;
  if (e !== ID_KEEP) t.euid = e;
  if (r !== ID_KEEP || (e !== ID_KEEP && e !== oldUid)) t.suid = t.euid;
  return 0;
}

function setregid(t: Task, r: number, e: number): number {
  const oldGid = t.gid;
  if (t.euid !== 0) {
    if (r !== ID_KEEP && r !== t.gid && r !== t.egid) return -Errno.EPERM;
    if (e !== ID_KEEP && e !== t.gid && e !== t.egid && e !== t.sgid) return -Errno.EPERM;
  }
  if (r !== ID_KEEP) t.gid = r;
  if (e !== ID_KEEP) t.egid = e;
  if (r !== ID_KEEP || (e !== ID_KEEP && e !== oldGid)) t.sgid = t.egid;
  return 0;
}

function getres(t: Task, ids: number[], va: number[], bits16: boolean): number {
  for (let i = 0; i < 3; i++) {
    const id = bits16 ? low16(ids[i]) : ids[i];
    const c = bits16 ? putBytes(t, va[i], Uint8Array.of(id & 0xff, id >>> 8)) : putWords(t, va[i], [id]);
    if (c < 0) return c;
  }
  return 0;
}

/** Registers the 16- and 32-bit uid and gid calls in table. */
export function registerIdSyscalls(table: Syscalls): void {
  define(table, {
    [NR.setuid]: (_k, t, uid) => setuid(t, idArg(uid, true)),
    [NR.getuid]: (_k, t) => low16(t.uid),
    [NR.setgid]: (_k, t, gid) => setgid(t, idArg(gid, true)),
    [NR.getgid]: (_k, t) => low16(t.gid),
    [NR.geteuid]: (_k, t) => low16(t.euid),
    [NR.getegid]: (_k, t) => low16(t.egid),
    [NR.setreuid]: (_k, t, r, e) => setreuid(t, idArg(r, true), idArg(e, true)),
    [NR.setregid]: (_k, t, r, e) => setregid(t, idArg(r, true), idArg(e, true)),
    [NR.setresuid]: (_k, t, r, e, s) => setresuid(t, idArg(r, true), idArg(e, true), idArg(s, true)),
    [NR.getresuid]: (_k, t, r, e, s) => getres(t, [t.uid, t.euid, t.suid], [r, e, s], true),
    [NR.setresgid]: (_k, t, r, e, s) => setresgid(t, idArg(r, true), idArg(e, true), idArg(s, true)),
    [NR.getresgid]: (_k, t, r, e, s) => getres(t, [t.gid, t.egid, t.sgid], [r, e, s], true),
    [NR.getuid32]: (_k, t) => t.uid,
    [NR.getgid32]: (_k, t) => t.gid,
    [NR.geteuid32]: (_k, t) => t.euid,
    [NR.getegid32]: (_k, t) => t.egid,
    [NR.setreuid32]: (_k, t, r, e) => setreuid(t, idArg(r, false), idArg(e, false)),
    [NR.setregid32]: (_k, t, r, e) => setregid(t, idArg(r, false), idArg(e, false)),
    [NR.setresuid32]: (_k, t, r, e, s) => setresuid(t, idArg(r, false), idArg(e, false), idArg(s, false)),
    [NR.getresuid32]: (_k, t, r, e, s) => getres(t, [t.uid, t.euid, t.suid], [r, e, s], false),
    [NR.setresgid32]: (_k, t, r, e, s) => setresgid(t, idArg(r, false), idArg(e, false), idArg(s, false)),
    [NR.getresgid32]: (_k, t, r, e, s) => getres(t, [t.gid, t.egid, t.sgid], [r, e, s], false),
    [NR.setuid32]: (_k, t, uid) => setuid(t, idArg(uid, false)),
    [NR.setgid32]: (_k, t, gid) => setgid(t, idArg(gid, false)),
  });
}
