// Thread-local storage descriptors (set_thread_area / get_thread_area): three
// GDT entries per task (6-8, as on Linux/i386), written into the GDT when the
// task runs. musl puts its thread pointer in %gs through entry 6.

import type { Kernel } from "../kernel.ts";
import type { Mm } from "../mm/mm.ts";
import type { Task } from "./task.ts";
import { GDT_ENTRY_TLS_ENTRIES, GDT_ENTRY_TLS_MIN, GDT_PA } from "../arch/layout.ts";
import { copyFromUser, copyToUser } from "../mm/uaccess.ts";
import { Errno } from "../errno.ts";

/** struct user_desc is 16 bytes: entry_number, base_addr, limit, flag bits. */
const USER_DESC_SIZE = 16;

/**
 * Encodes a struct user_desc as a GDT descriptor pair (Linux fill_ldt): [0, 0] for an
 * empty one, null for one Linux refuses in the TLS array (tls_desc_okay: only present
 * 32-bit data segments, since a 16-bit or not-present DPL 3 segment is a way to make
 * the kernel's return to user mode fault).
 */
function descriptorFromUser(base: number, limit: number, bits: number): [number, number] | null {
  const seg32 = bits & 1, contents = (bits >>> 1) & 3, readExecOnly = (bits >>> 3) & 1;
  const limitInPages = (bits >>> 4) & 1, notPresent = (bits >>> 5) & 1, useable = (bits >>> 6) & 1;
  const ldtEmpty = base === 0 && limit === 0 && contents === 0 && readExecOnly === 1 && seg32 === 0 && limitInPages === 0 && notPresent === 1 && useable === 0;
  // All zero but entry_number: what programs have long meant by "no segment" (Linux 3.19's LDT_zero).
  const ldtZero = base === 0 && limit === 0 && (bits & 0x7f) === 0;
  if (ldtEmpty || ldtZero) return [0, 0];
  if (!seg32 || contents > 1 || notPresent) return null;
  const type = ((readExecOnly ^ 1) << 1) | (contents << 2) | 1;
  const access = 0x10 | 0x60 | 0x80 | type;
  const low = ((base & 0xffff) << 16) | (limit & 0xffff);
  const high = ((base >>> 16) & 0xff) | (access << 8) | (limit & 0xf0000) | (useable << 20) | (seg32 << 22) | (limitInPages << 23) | (base & 0xff000000);
  return [low | 0, high | 0];
}

/**
 * set_thread_area semantics on task t from the user_desc at uaddr of mm: picks a
 * free slot when entry_number is -1 (and writes it back) if canAllocate,
 * installs the descriptor. clone(CLONE_SETTLS) passes canAllocate false, so
 * -1 is EINVAL there (Linux do_set_thread_area's can_allocate). 0 or -errno.
 */
export function setTlsFromUser(k: Kernel, t: Task, mm: Mm, uaddr: number, canAllocate = true): number {
  const raw = copyFromUser(mm, uaddr, USER_DESC_SIZE);
  if (typeof raw === "number") return raw;
  const v = new DataView(raw.buffer, raw.byteOffset, USER_DESC_SIZE);
  // Linux do_set_thread_area's order: a slot is taken and written back before the
  // entry number and then the descriptor are checked.
  let entry = v.getInt32(0, true);
  if (entry === -1 && canAllocate) {
    for (let i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++) {
      if (t.tls[i * 2] === 0 && t.tls[i * 2 + 1] === 0) {
        entry = GDT_ENTRY_TLS_MIN + i;
        break;
      }
    }
    if (entry === -1) return -Errno.ESRCH;
    v.setInt32(0, entry, true);
    const w = copyToUser(mm, uaddr, raw.slice(0, 4));
    if (w < 0) return w;
  }
  if (entry < GDT_ENTRY_TLS_MIN || entry >= GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES) return -Errno.EINVAL;
  const d = descriptorFromUser(v.getUint32(4, true), v.getUint32(8, true), v.getUint32(12, true));
  if (!d) return -Errno.EINVAL;
  const i = entry - GDT_ENTRY_TLS_MIN;
  t.tls[i * 2] = d[0];
  t.tls[i * 2 + 1] = d[1];
  if (t === k.current) loadTls(k, t);
  return 0;
}

/** get_thread_area: fills the user_desc at uaddr for its entry_number. */
export function getTlsToUser(k: Kernel, t: Task, mm: Mm, uaddr: number): number {
  const raw = copyFromUser(mm, uaddr, 4);
  if (typeof raw === "number") return raw;
  const entry = new DataView(raw.buffer, raw.byteOffset, 4).getInt32(0, true);
  if (entry < GDT_ENTRY_TLS_MIN || entry >= GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES) return -Errno.EINVAL;
  const i = entry - GDT_ENTRY_TLS_MIN;
  const low = t.tls[i * 2] >>> 0, high = t.tls[i * 2 + 1] >>> 0;
  const base = ((low >>> 16) | ((high & 0xff) << 16) | (high & 0xff000000)) >>> 0;
  const limit = (low & 0xffff) | (high & 0xf0000);
  const access = (high >>> 8) & 0xff;
  const bits =
    ((high >>> 22) & 1) | (((access >>> 2) & 3) << 1) | ((((access >>> 1) & 1) ^ 1) << 3) |
    (((high >>> 23) & 1) << 4) | ((((access >>> 7) & 1) ^ 1) << 5) | (((high >>> 20) & 1) << 6);
  const out = new Uint8Array(USER_DESC_SIZE);
  const v = new DataView(out.buffer);
  v.setInt32(0, entry, true);
  v.setUint32(4, base, true);
  v.setUint32(8, limit, true);
  v.setUint32(12, low === 0 && high === 0 ? 0x28 : bits, true);
  void k;
  return copyToUser(mm, uaddr, out);
}

/** Writes t's TLS descriptors into the GDT (on every switch to t). */
export function loadTls(k: Kernel, t: Task): void {
  const phys = k.x86.phys;
  for (let i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++) {
    const at = GDT_PA + (GDT_ENTRY_TLS_MIN + i) * 8;
    phys.write32(at, t.tls[i * 2]);
    phys.write32(at + 4, t.tls[i * 2 + 1]);
  }
}
