// The memory manager's public surface for the process layer, procfs, the
// monitor and the benchmarks. Boot with bootMm(); everything else takes an Mm.

import type { PhysMem, TlbControl } from "../arch/phys.ts";
import { MmContext, type MmHooks } from "./context.ts";
import { selectDesign } from "./designs.ts";

export interface BootMmOptions {
  mem: PhysMem;
  tlb: TlbControl;
  ramSize: number;
  /** Physical memory below this is never handed out (kernel image, boot structures, stubs). */
  reservedEnd: number;
  /** Physical address of the master page directory (swapper_pg_dir). */
  masterPgdPa: number;
  /** Physical address of the shared zero page (a zeroed frame below reservedEnd). */
  zeroPagePa: number;
  /** The mm= boot option: classic | vma | lazy | sharedpt. */
  design: string;
  hooks: MmHooks;
}

/** Creates the memory manager. Throws a RangeError for an unknown design name. */
export function bootMm(o: BootMmOptions): MmContext {
  return new MmContext({ ...o, design: selectDesign(o.design) });
}

export { MmContext, FaultResult, type MmHooks } from "./context.ts";
export { MM_DESIGNS, selectDesign, type MmDesign, type MmDesignName } from "./designs.ts";
export { Mm, UNLIMITED, type MmLimits } from "./mm.ts";
export * from "./vma.ts";
export { newMm, forkMm, exitMm, execMm, zapPageRange, copyPageRange, vmNormalPage, remapPfnRange, vmInsertPage } from "./memory.ts";
export { handleMmFault } from "./fault.ts";
export {
  doMmap, doMunmap, sysBrk, getUnmappedArea, makePagesPresent, PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC,
  MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS, MAP_GROWSDOWN, MAP_DENYWRITE, MAP_EXECUTABLE, MAP_LOCKED,
  MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK, MAP_STACK, MAP_FIXED_NOREPLACE,
} from "./mmap.ts";
export { sysMprotect, sysMadvise, MADV_DONTNEED, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK } from "./mprotect.ts";
export { expandStack } from "./stack.ts";
export { AddressSpace, ShmemFile, type FileBacking } from "./filemap.ts";
export { copyToUser, copyFromUser, userVirtToPhys } from "./uaccess.ts";
export { checkFrames } from "./check.ts";
export { anonVmaName, vmaName, vmaPermString, vmCounts, codePages } from "./maps.ts";
export { faultDecide, lookingAccess, FaultPlan, type FaultAccess } from "./fault-decision.ts";
export { pageMappers, type PageMapping } from "./rmap.ts";
export { MmCounters, Profiler, type FaultDecision } from "./counters.ts";
export { PG } from "./page.ts";
