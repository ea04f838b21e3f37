// The page-fault decision (Linux handle_mm_fault's choice of handler and what
// that handler will do), as one function of the mm, its areas, the page
// tables and the page cache. The kernel's fault path (fault.ts) acts on it;
// the monitor calls it to predict a held #PF (`pf break ... DECISION`).
// Everything it changes or charges goes through the FaultAccess it is given.

import type { MmContext } from "./context.ts";
import type { FaultDecision } from "./counters.ts";
import type { Mm } from "./mm.ts";
import { vmNormalPage } from "./memory.ts";
import { pageDown, PAGE_SIZE } from "./config.ts";
import { PG } from "./page.ts";
import { ptePfn, ptePresent, pteWrite } from "./pgtable.ts";
import { stackGrowthError } from "./stack.ts";
import { VM_EXEC, VM_GROWSDOWN, VM_PFNMAP, VM_READ, VM_SHARED, VM_WRITE, type VmArea } from "./vma.ts";

/**
 * How the decision reaches what may change: the kernel grows the stack and
 * allocates the page table (charging guest cycles, as the fault path always
 * has); a looker (lookingAccess) only checks and reads.
 */
export interface FaultAccess {
  /** Grows vma down to cover address, or (looking) tells whether it could. True on success. */
  growStack(mm: Mm, vma: VmArea, address: number): boolean;
  /**
   * The PTE for address in mm (0: none, also when there is no page table),
   * or null when the page table cannot be had (out of memory). The kernel's
   * access also makes the table mm's own (sharedpt), as a write needs.
   */
  readPte(mm: Mm, address: number): number | null;
  /**
   * Whether that page table is still shared with another mm (sharedpt), so
   * that the kernel would first unshare it, giving every page in it one more
   * reference and mapping. Always false for the kernel's access, which has
   * unshared it in readPte.
   */
  tableShared(mm: Mm, address: number): boolean;
}

/** Which handler of fault.ts acts on the decision ("none": the decision is final, no page is touched). */
export type FaultAction = "none" | "anonymous" | "no-page" | "swap" | "wp" | "spurious";

/**
 * A fault decision and what it looked at. decision is what the handler will
 * do unless memory runs out ("oom"), a full tmpfs refuses a page ("sigbus"),
 * the page cache read turns a "file-map" into a "file-read" (a hole the
 * store fills counts as map), or a "swap-in" write turns into the COW the
 * swapped page then needs.
 */
export class FaultPlan {
  decision: FaultDecision = "sigsegv";
  action: FaultAction = "none";
  /** The area find_vma gave (it may start above the address), or null. */
  vma: VmArea | null = null;
  /** The area grows down to cover the address (stack growth). */
  grow = false;
  /** The PTE read (0: none). */
  pte = 0;
  /** For a present PTE: its normal page (vmNormalPage), or -1. */
  old = -1;
  /** For a file page: its index in the file. */
  index = 0;
}

/**
 * Decides the fault of mm at address (write: the access was a write; force:
 * a debugger's access, FOLL_FORCE, whose area permissions are not checked)
 * into out, and returns it.
 */
export function faultDecide(
  mm: Mm, address: number, write: boolean, force: boolean, access: FaultAccess, out: FaultPlan = new FaultPlan(),
): FaultPlan {
  address >>>= 0;
  out.action = "none";
  out.grow = false;
  out.pte = 0;
  out.old = -1;
  out.index = 0;
  const vma = mm.vmas[mm.searchIndex(address)] ?? null; // find_vma without touching its cache
  out.vma = vma;
  out.decision = "sigsegv";
  if (!vma) return out;
  if (vma.vmStart > address) {
    if (!(vma.vmFlags & VM_GROWSDOWN)) return out;
    if (!access.growStack(mm, vma, address)) return out;
    out.grow = true;
  }
  if (!force && (write ? !(vma.vmFlags & VM_WRITE) : !(vma.vmFlags & (VM_READ | VM_EXEC | VM_WRITE)))) return out;
  const pte = access.readPte(mm, address);
  if (pte === null) {
    out.decision = "oom";
    return out;
  }
  out.pte = pte;
  if (pte === 0) {
    const file = vma.vmFile;
    if (file) {
      // vmStart may still lie above address when only looking at a stack that would grow.
      const index = vma.vmPgoff + Math.floor((address - vma.vmStart) / PAGE_SIZE);
      out.index = index;
      if (index * PAGE_SIZE >= file.size) {
        out.decision = "sigbus";
        return out;
      }
      out.action = "no-page";
      out.decision = write && !(vma.vmFlags & VM_SHARED) ? "cow-copy"
        : file.mapping.findPage(index) >= 0 || file.storePage ? "file-map" : "file-read";
      return out;
    }
    out.action = "anonymous";
    out.decision = out.grow ? "stack-growth" : write ? "demand-zero" : "zero-page";
    return out;
  }
  if (!ptePresent(pte)) {
    out.action = "swap";
    out.decision = "swap-in";
    return out;
  }
  if (write && !pteWrite(pte)) {
    out.action = "wp";
    out.old = vmNormalPage(mm.ctx, vma, pageDown(address), pte);
    out.decision = wpDecision(mm.ctx, vma, out.old, pte, access.tableShared(mm, address) ? 1 : 0);
    return out;
  }
  out.action = "spurious"; // allowed by the PTE: a stale TLB entry
  out.decision = "spurious";
  return out;
}

/**
 * What a write to the present read-only PTE pte of vma does (Linux
 * do_wp_page's choice); old is vmNormalPage's answer for it, extraRefs the
 * references and mappings the page will have gained by then (1 when its page
 * table is yet to be unshared). A shared mapping, or an anonymous page nobody
 * else references, is reused; the shared zero page gets a zeroed page of its
 * own; a normal page is copied; a raw PFN-mapped frame is copied as the user
 * sees it.
 */
export function wpDecision(
  ctx: MmContext, vma: VmArea, old: number, pte: number, extraRefs = 0,
): "cow-reuse" | "cow-copy" | "demand-zero" | "pfn-cow" {
  const frames = ctx.frames;
  if (vma.vmFlags & VM_SHARED) return "cow-reuse";
  if (old >= 0 && (frames.flags[old] & PG.ANON) !== 0 &&
    frames.count[old] + extraRefs === 1 && frames.mapcount[old] + extraRefs === 1) return "cow-reuse";
  return old >= 0 ? "cow-copy" : isZeroPte(ctx, vma, old, pte) ? "demand-zero" : "pfn-cow";
}

/**
 * True if a present PTE of vma maps the shared zero page (Linux is_zero_pfn):
 * old is vmNormalPage's answer; a PFN-mapped area's raw frame never counts.
 */
export function isZeroPte(ctx: MmContext, vma: VmArea, old: number, pte: number): boolean {
  return old < 0 && !(vma.vmFlags & VM_PFNMAP) && ptePfn(pte) === ctx.zeroPfn;
}

/**
 * A FaultAccess that changes nothing: page tables are read with read32, a
 * physical-memory read the caller chooses (the monitor's neither charges
 * guest cycles nor sets A/D bits), and a stack is only checked for whether
 * it could grow.
 */
export function lookingAccess(read32: (pa: number) => number): FaultAccess {
  /** The PDE covering address, when it points at a page table (not a 4 MiB page); else 0. */
  const pde = (mm: Mm, address: number): number => {
    const e = read32(mm.pgd + (address >>> 22) * 4);
    return (e & 1) === 0 || e & 0x80 ? 0 : e;
  };
  return {
    growStack: (mm, vma, address) => stackGrowthError(mm, vma, address) === 0,
    readPte(mm, address) {
      const e = pde(mm, address);
      return e === 0 ? 0 : read32(((e & ~0xfff) >>> 0) + ((address >>> 12) & 0x3ff) * 4) >>> 0;
    },
    tableShared(mm, address) {
      const e = pde(mm, address);
      return e !== 0 && mm.ctx.frames.count[e >>> 12] > 1;
    },
  };
}
