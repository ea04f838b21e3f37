// Reading system-call arguments out of user memory and writing results back:
// path names (bytes, one char per byte, as namei expects), 32-bit words,
// byte strings. Every helper returns -EFAULT instead of throwing.

import { Errno } from "../errno.ts";
import type { Task } from "../proc/task.ts";
import { copyFromUser, copyToUser, userVirtToPhys } from "../mm/uaccess.ts";
import { PATH_MAX } from "../fs/namei.ts";
import { TASK_SIZE } from "../mm/config.ts";

/** Linux access_ok: [addr, addr+len) lies in user space. */
export function accessOk(addr: number, len: number): boolean {
  addr >>>= 0;
  return len >= 0 && addr + len <= TASK_SIZE;
}

/**
 * The NUL-terminated string at va (at most max-1 bytes before the NUL):
 * the text, -EFAULT, or -ENAMETOOLONG. Empty strings are returned as "".
 */
export function getUserString(t: Task, va: number, max = PATH_MAX): string | number {
  const mm = t.mm;
  if (mm === null) return -Errno.EFAULT;
  let a = va >>> 0;
  let s = "";
  while (s.length < max) {
    const pa = userVirtToPhys(mm, a, false);
    if (pa < 0) return pa;
    const n = Math.min(4096 - (a & 0xfff), max - s.length);
    const chunk = mm.ctx.mem.readBytes(pa, n);
    let end = chunk.indexOf(0);
    const done = end >= 0;
    if (!done) end = n;
    for (let i = 0; i < end; i++) s += String.fromCharCode(chunk[i]);
    if (done) return s;
    a += n;
  }
  return -Errno.ENAMETOOLONG;
}

/** A path argument: the string, or -EFAULT/-ENAMETOOLONG. */
export function getPath(t: Task, va: number): string | number {
  return getUserString(t, va, PATH_MAX);
}

/** len bytes at va, or -EFAULT. */
export function getBytes(t: Task, va: number, len: number): Uint8Array | number {
  if (t.mm === null || !accessOk(va, len)) return -Errno.EFAULT;
  return copyFromUser(t.mm, va >>> 0, len);
}

/** Store bytes at va: 0 or -EFAULT. */
export function putBytes(t: Task, va: number, data: Uint8Array): number {
  if (t.mm === null || !accessOk(va, data.length)) return -Errno.EFAULT;
  return copyToUser(t.mm, va >>> 0, data);
}

/** The little-endian 32-bit words at va (signed), or -EFAULT (as a number result, check with Array.isArray). */
export function getWords(t: Task, va: number, count: number): Int32Array | number {
  const b = getBytes(t, va, count * 4);
  if (typeof b === "number") return b;
  const out = new Int32Array(count);
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < count; i++) out[i] = v.getInt32(i * 4, true);
  return out;
}

/** Store 32-bit words at va: 0 or -EFAULT. */
export function putWords(t: Task, va: number, words: readonly number[]): number {
  const b = new Uint8Array(words.length * 4);
  const v = new DataView(b.buffer);
  for (let i = 0; i < words.length; i++) v.setUint32(i * 4, words[i] >>> 0, true);
  return putBytes(t, va, b);
}

/** A 64-bit signed value from two 32-bit halves (lo unsigned, hi signed). */
export function join64(lo: number, hi: number): number {
  return (hi | 0) * 0x1_0000_0000 + (lo >>> 0);
}

/** Split a (safe) integer into [lo, hi] 32-bit words. */
export function split64(x: number): [number, number] {
  const hi = Math.floor(x / 0x1_0000_0000);
  return [(x - hi * 0x1_0000_0000) >>> 0, hi | 0];
}

/** Bytes of a JS string (one byte per char, latin1). */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
