// Read-only views of kernel state for the monitor: task lookup, area names and
// flags, the owners of an address space, the reverse map of a frame and a
// dry-run classification of a page fault. Reads guest memory through the
// machine directly, so looking never charges guest cycles.

import type { Kernel } from "../kernel/kernel.ts";
import type { Task } from "../kernel/proc/task.ts";
import type { Mm } from "../kernel/mm/mm.ts";
import type { FaultDecision } from "../kernel/mm/counters.ts";
import type { VmArea } from "../kernel/mm/vma.ts";
import { pageMappers } from "../kernel/mm/rmap.ts";
import type { AddressSpace } from "../kernel/mm/filemap.ts";
import {
  VM_DONTCOPY, VM_EXEC, VM_GROWSDOWN, VM_INSERTPAGE, VM_IO, VM_LOCKED, VM_PFNMAP, VM_READ, VM_SHARED, VM_WRITE,
} from "../kernel/mm/vma.ts";
import { PG } from "../kernel/mm/page.ts";
import { vmNormalPage } from "../kernel/mm/memory.ts";
import { isZeroPte } from "../kernel/mm/fault.ts";
import { STACK_GUARD_GAP, pageDown } from "../kernel/mm/config.ts";
import type { PhysicalMemory } from "../emulator/memory/physmem.ts";
import { hex8 } from "./format.ts";
import { anonVmaName, vmaPermString } from "../kernel/mm/maps.ts";

/** The task with this pid, or null. */
export function findTask(k: Kernel, pid: number): Task | null {
  return k.tasks.get(pid) ?? (k.idle.pid === pid ? k.idle : null);
}

/** Every task using mm, by pid. */
export function tasksOfMm(k: Kernel, mm: Mm): Task[] {
  return [...k.tasks.values()].filter((t) => t.mm === mm).sort((a, b) => a.pid - b.pid);
}

/** The name /proc/PID/maps shows for an area: file path, [heap], [stack] or "". */
export function vmaName(mm: Mm, v: VmArea): string {
  return v.vmFile ? v.vmFile.path ?? "" : anonVmaName(mm, v);
}

/** The monitor's flag words for an area: anon|file|PFNMAP, shared, growsdown, ... */
export function vmaFlagWords(v: VmArea): string[] {
  const f = v.vmFlags;
  const out: string[] = [];
  out.push(f & VM_PFNMAP ? "PFNMAP" : v.vmFile ? "file" : "anon");
  if (f & VM_SHARED) out.push("shared");
  if (f & VM_GROWSDOWN) out.push("growsdown");
  if (f & VM_INSERTPAGE) out.push("insertpage");
  if (f & VM_IO) out.push("io");
  if (f & VM_LOCKED) out.push("locked");
  if (f & VM_DONTCOPY) out.push("dontcopy");
  if (v.anonVma) out.push("anon_vma");
  return out;
}

/** "0804a000-0804b000 rw-p name" (the short form the trace uses). */
export function vmaShort(mm: Mm, v: VmArea): string {
  const name = vmaName(mm, v);
  return `${hex8(v.vmStart)}-${hex8(v.vmEnd)} ${vmaPermString(v)}${name ? " " + name : ""}`;
}

/** One mapping of a frame. */
export interface FrameMapper {
  mm: Mm;
  vma: VmArea | null;
  va: number;
}

/** Reads the PTE of va in mm (uncharged); 0 when no page table. */
export function readPte(mem: PhysicalMemory, mm: Mm, va: number): number {
  const pde = mem.read32(mm.pgd + (va >>> 22) * 4);
  if ((pde & 1) === 0 || pde & 0x80) return 0;
  return mem.read32(((pde & ~0xfff) >>> 0) + ((va >>> 12) & 0x3ff) * 4) >>> 0;
}

/**
 * Every (mm, va) whose PTE maps pfn. Normal frames use the object reverse
 * map (anon_vma or the file's i_mmap); other frames (raw PFNMAP frames, or
 * when the rmap finds nothing) a scan of every mm's user page tables.
 */
export function frameMappers(k: Kernel, mem: PhysicalMemory, pfn: number): { via: string; mappers: FrameMapper[] } {
  const ctx = k.mmctx;
  const fr = ctx.frames;
  const out: FrameMapper[] = [];
  if (fr.isNormal(pfn) && fr.count[pfn] > 0) {
    const owner = fr.mapping[pfn];
    const index = fr.index[pfn];
    const probe = (vma: VmArea, va: number): void => {
      if (va < vma.vmStart || va >= vma.vmEnd) return;
      const pte = readPte(mem, vma.vmMm, va);
      if (pte & 1 && pte >>> 12 === pfn) out.push({ mm: vma.vmMm, vma, va });
    };
    if (owner?.kind === "anon" && fr.flags[pfn] & PG.ANON) {
      for (const m of pageMappers(ctx, pfn)) out.push({ mm: m.mm, vma: m.vma, va: m.va });
      return { via: "anonmm", mappers: out };
    }
    if (owner?.kind === "file") {
      for (const vma of (owner as AddressSpace).iMmap) probe(vma, vma.vmStart + (index - vma.vmPgoff) * 4096);
      if (out.length > 0 || fr.mapcount[pfn] === 0) return { via: "i_mmap", mappers: out };
    }
  }
  for (const mm of ctx.mms) {
    for (let i = 0; i < 768; i++) {
      const pde = mem.read32(mm.pgd + i * 4);
      if ((pde & 1) === 0 || pde & 0x80) continue;
      const pt = (pde & ~0xfff) >>> 0;
      for (let j = 0; j < 1024; j++) {
        const pte = mem.read32(pt + j * 4);
        if (pte & 1 && pte >>> 12 === pfn) {
          const va = (i * 1024 + j) * 4096;
          const v = mm.findVma(va);
          out.push({ mm, vma: v && v.vmStart <= va ? v : null, va });
        }
      }
    }
  }
  return { via: "page-table scan", mappers: out };
}

/**
 * What handleMmFault would decide for this fault, computed without changing
 * anything (the monitor's `pf break ... DECISION` needs it before the kernel
 * runs). Mirrors kernel/mm/fault.ts; "file-read" vs "file-map" depends on the
 * page cache, "oom" cannot be predicted.
 */
export function classifyFault(k: Kernel, mem: PhysicalMemory, mm: Mm, address: number, write: boolean): FaultDecision {
  address >>>= 0;
  const fr = k.mmctx.frames;
  const i = mm.searchIndex(address);
  const vma = mm.vmas[i];
  if (!vma) return "sigsegv";
  let grew = false;
  if (vma.vmStart > address) {
    if (!(vma.vmFlags & VM_GROWSDOWN) || !stackCanGrow(mm, vma, address)) return "sigsegv";
    grew = true;
  }
  if (write ? !(vma.vmFlags & VM_WRITE) : !(vma.vmFlags & (VM_READ | VM_EXEC | VM_WRITE))) return "sigsegv";
  const pte = readPte(mem, mm, address);
  if (pte === 0) {
    if (vma.vmFile) {
      if (write && !(vma.vmFlags & VM_SHARED)) return "cow-copy";
      const index = ((address - vma.vmStart) >>> 12) + vma.vmPgoff;
      return vma.vmFile.mapping.findPage(index) >= 0 || vma.vmFile.storePage ? "file-map" : "file-read";
    }
    return grew ? "stack-growth" : write ? "demand-zero" : "zero-page";
  }
  if (!(pte & 1)) return "swap-in";
  if (write && !(pte & 2)) {
    const old = vmNormalPage(k.mmctx, vma, (address & ~0xfff) >>> 0, pte);
    if (vma.vmFlags & VM_SHARED) return "cow-reuse";
    if (old >= 0 && fr.flags[old] & PG.ANON && fr.count[old] === 1 && fr.mapcount[old] === 1) return "cow-reuse";
    return old >= 0 ? "cow-copy" : isZeroPte(k.mmctx, vma, old, pte) ? "demand-zero" : "pfn-cow";
  }
  return "spurious";
}

/** expandStack's refusals (RLIMIT_STACK, RLIMIT_AS, the guard gap), checked without growing. */
function stackCanGrow(mm: Mm, vma: VmArea, address: number): boolean {
  const addr = pageDown(address);
  if (vma.vmEnd - addr > mm.limits.stack) return false;
  if ((mm.totalVm + ((vma.vmStart - addr) >>> 12)) * 4096 > mm.limits.as) return false;
  const { prev } = mm.findVmaPrev(addr);
  return !(prev && prev !== vma && !(prev.vmFlags & VM_GROWSDOWN) && addr - prev.vmEnd < STACK_GUARD_GAP);
}

/** The words the trace uses for a decision. */
export const DECISION_TEXT: Record<FaultDecision, string> = {
  "demand-zero": "demand-zero",
  "zero-page": "zero page",
  "cow-copy": "COW copy",
  "cow-reuse": "COW reuse",
  "file-read": "file read",
  "file-map": "file map (page cache hit)",
  "pfn-cow": "PFN COW",
  "stack-growth": "stack growth",
  spurious: "spurious (TLB refresh)",
  "swap-in": "swap-in",
  sigsegv: "SIGSEGV",
  sigbus: "SIGBUS",
  oom: "out of memory",
};

/** Decision names a user may type in `pf break` (the kernel's names plus the trace's words joined by '-'). */
export function parseDecision(word: string): FaultDecision | null {
  const w = word.toLowerCase().replace(/_/g, "-");
  for (const [d, text] of Object.entries(DECISION_TEXT)) {
    if (w === d || w === text.toLowerCase().split(" (")[0].replace(/ /g, "-")) return d as FaultDecision;
  }
  if (w === "cow") return "cow-copy";
  return null;
}
