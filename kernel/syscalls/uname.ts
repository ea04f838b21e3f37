// System identification: uname (struct new_utsname), sethostname and
// setdomainname (root only; the names live in Kernel.uts), and personality,
// the execution domain, which is always PER_LINUX here.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { getBytes, putBytes, latin1 } from "./fs-user.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";

/**
 * uname fields. machine is "i686", not the emulated CPU's "i486": scripts and
 * build tools that look at `uname -m` commonly accept i686 as "32-bit x86" and
 * reject i486; the userland here is built with -march=i486 and never asks.
 */
export const UTS_SYSNAME = "Linux";
export const UTS_RELEASE = "5.10.0-vmalab";
export const UTS_VERSION = "#1 SMP PREEMPT vmalab";
export const UTS_MACHINE = "i686";
const UTS_LEN = 65;

/** struct new_utsname: six NUL-padded 65-byte fields (390 bytes). */
export function encodeUtsname(k: Kernel): Uint8Array {
  const out = new Uint8Array(UTS_LEN * 6);
  const u = k.uts;
  [UTS_SYSNAME, u.node, UTS_RELEASE, UTS_VERSION, UTS_MACHINE, u.domain].forEach((s, i) => out.set(latin1(s.slice(0, UTS_LEN - 1)), i * UTS_LEN));
  return out;
}

function setUtsField(k: Kernel, t: Task, va: number, len: number, field: "node" | "domain"): number {
  if (t.euid !== 0) return -Errno.EPERM;
  if (len < 0 || len > UTS_LEN - 1) return -Errno.EINVAL;
  const b = getBytes(t, va, len);
  if (typeof b === "number") return b;
  let s = "";
  for (const c of b) {
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  k.uts[field] = s;
  return 0;
}

/** Registers uname, sethostname, setdomainname and personality in table. */
export function registerUnameSyscalls(table: Syscalls): void {
  define(table, {
    [NR.sethostname]: (k, t, va, len) => setUtsField(k, t, va, len, "node"),
    [NR.setdomainname]: (k, t, va, len) => setUtsField(k, t, va, len, "domain"),
    [NR.uname]: (k, t, va) => putBytes(t, va, encodeUtsname(k)),
    [NR.personality]: () => 0, // the previous persona: PER_LINUX, and it stays so
  });
}
