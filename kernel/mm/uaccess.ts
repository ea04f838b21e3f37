// Kernel access to user memory of an mm (copy_to_user / copy_from_user): each
// page is resolved through the real page tables, faulting it in (including
// copy-on-write for writes) exactly as the MMU would make the kernel do.

import { Errno } from "../errno.ts";
import { PAGE_SIZE, TASK_SIZE } from "./config.ts";
import { handleMmFault } from "./fault.ts";
import type { Mm } from "./mm.ts";
import { pteOffset, ptePresent, pteUser, pteWrite, _PAGE_ACCESSED, _PAGE_DIRTY } from "./pgtable.ts";

/**
 * Physical address backing user address va of mm for a read or write,
 * faulting the page in if needed and setting the accessed/dirty bits as the
 * MMU would. Returns -EFAULT if the access is illegal (or memory ran out).
 */
export function userVirtToPhys(mm: Mm, va: number, write: boolean): number {
  va >>>= 0;
  if (va >= TASK_SIZE) return -Errno.EFAULT;
  const mem = mm.ctx.mem;
  let ptePa = pteOffset(mm, va);
  let pte = ptePa ? mem.read32(ptePa) : 0;
  if (!ptePresent(pte) || !pteUser(pte) || (write && !pteWrite(pte))) {
    const d = handleMmFault(mm, va, write, false).decision;
    if (d === "sigsegv" || d === "sigbus" || d === "oom") return -Errno.EFAULT;
    ptePa = pteOffset(mm, va);
    pte = mem.read32(ptePa);
    if (!ptePresent(pte) || !pteUser(pte) || (write && !pteWrite(pte))) return -Errno.EFAULT;
  }
  const bits = _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
  if ((pte & bits) !== bits) mem.write32(ptePa, (pte | bits) >>> 0);
  return ((pte & 0xfffff000) >>> 0) + (va & 0xfff);
}

/** Copies data to user memory at va. 0, or -EFAULT (possibly after copying a prefix). */
export function copyToUser(mm: Mm, va: number, data: Uint8Array): number {
  let done = 0;
  while (done < data.length) {
    const a = va + done;
    const chunk = Math.min(PAGE_SIZE - (a & 0xfff), data.length - done);
    const pa = userVirtToPhys(mm, a, true);
    if (pa < 0) return pa;
    mm.ctx.mem.writeBytes(pa, data.subarray(done, done + chunk));
    done += chunk;
  }
  return 0;
}

/** Reads len bytes of user memory at va; -EFAULT if any byte is not readable. */
export function copyFromUser(mm: Mm, va: number, len: number): Uint8Array | number {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const a = va + done;
    const chunk = Math.min(PAGE_SIZE - (a & 0xfff), len - done);
    const pa = userVirtToPhys(mm, a, false);
    if (pa < 0) return pa;
    out.set(mm.ctx.mem.readBytes(pa, chunk), done);
    done += chunk;
  }
  return out;
}
