// Another process's memory as ptrace sees it (Linux access_process_vm with
// FOLL_FORCE, mm/memory.c and mm/gup.c of Linux 4.x): reads and writes go
// through the target mm's page tables and fault path, and a write may go
// into a private area the process itself cannot write (a breakpoint in
// read-only text): the page is copied on write as for any private write, and
// the process keeps seeing it read-only.

import type { Mm } from "./mm.ts";
import { PAGE_SIZE, pageDown } from "./config.ts";
import { handleMmFault } from "./fault.ts";
import { userVirtToPhys } from "./uaccess.ts";
import { pteModify, pteOffset, ptePresent } from "./pgtable.ts";
import { VM_WRITE, isCowMapping, vmPageProt } from "./vma.ts";
import { Errno } from "../errno.ts";

/**
 * Physical address of mm's byte at va for a forced access (Linux FOLL_FORCE):
 * as userVirtToPhys, except that a write to a private area without VM_WRITE
 * but with VM_MAYWRITE breaks copy-on-write through the fault path (of
 * whichever mm design) and leaves the new page mapped read-only, as Linux's
 * maybe_mkwrite does for such an area. -EFAULT when the access is impossible.
 */
function forcedVirtToPhys(mm: Mm, va: number, write: boolean): number {
  const vma = mm.findVma(va);
  if (!write || !vma || vma.vmStart > va || (vma.vmFlags & VM_WRITE)) return userVirtToPhys(mm, va, write);
  // Linux check_vma_flags: a forced write is allowed only where COW keeps it private.
  if (!isCowMapping(vma.vmFlags)) return -Errno.EFAULT;
  const flags = vma.vmFlags;
  const d = handleMmFault(mm, va, true, false, true).decision;
  if (d === "sigsegv" || d === "sigbus" || d === "oom") return -Errno.EFAULT;
  const ptePa = pteOffset(mm, va);
  if (ptePa === 0) return -Errno.EFAULT;
  const pte = mm.ctx.mem.read32(ptePa);
  if (!ptePresent(pte)) return -Errno.EFAULT;
  const prot = pteModify(pte, vmPageProt(flags)); // read-only again (and PROT_NONE stays so)
  if (prot !== pte) {
    mm.ctx.mem.write32(ptePa, prot);
    mm.ctx.flushTlbPage(mm, pageDown(va));
  }
  return ((pte & 0xfffff000) >>> 0) + (va & 0xfff);
}

/**
 * Copies between buf and mm's memory at addr (write: buf into mm; else mm
 * into buf), page by page, as a debugger's access (Linux access_process_vm).
 * Returns the number of bytes transferred: fewer than buf.length when an
 * address is not accessible.
 */
export function accessProcessVm(mm: Mm, addr: number, buf: Uint8Array, write: boolean): number {
  let done = 0;
  while (done < buf.length) {
    const a = (addr + done) >>> 0;
    const chunk = Math.min(PAGE_SIZE - (a & 0xfff), buf.length - done);
    const pa = forcedVirtToPhys(mm, a, write);
    if (pa < 0) break;
    if (write) mm.ctx.mem.writeBytes(pa, buf.subarray(done, done + chunk));
    else buf.set(mm.ctx.mem.readBytes(pa, chunk), done);
    done += chunk;
  }
  return done;
}
