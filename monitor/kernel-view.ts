// Read-only views of kernel state for the monitor: task lookup, area names and
// flags, the owners of an address space, the reverse map of a frame and the
// kernel's fault decision taken as a dry run. Reads guest memory through the
// machine directly, so looking never charges guest cycles.

import type { Kernel } from "../kernel/kernel.ts";
import type { Task } from "../kernel/proc/task.ts";
import type { Mm } from "../kernel/mm/mm.ts";
import type { FaultDecision } from "../kernel/mm/counters.ts";
import type { VmArea } from "../kernel/mm/vma.ts";
import { pageMappers } from "../kernel/mm/rmap.ts";
import type { AddressSpace } from "../kernel/mm/filemap.ts";
import { VM_DONTCOPY, VM_GROWSDOWN, VM_INSERTPAGE, VM_IO, VM_LOCKED, VM_PFNMAP, VM_SHARED } from "../kernel/mm/vma.ts";
import { PG } from "../kernel/mm/page.ts";
import { lookingAccess, type FaultAccess } from "../kernel/mm/fault-decision.ts";
import type { PhysicalMemory } from "../emulator/memory/physmem.ts";
import { hex8 } from "./format.ts";
import { vmaName, vmaPermString } from "../kernel/mm/maps.ts";

/** The task with this pid, or null. */
export function findTask(k: Kernel, pid: number): Task | null {
  return k.tasks.get(pid) ?? (k.idle.pid === pid ? k.idle : null);
}

/** Every task using mm, by pid. */
export function tasksOfMm(k: Kernel, mm: Mm): Task[] {
  return [...k.tasks.values()].filter((t) => t.mm === mm).sort((a, b) => a.pid - b.pid);
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
          const v = mm.vmas[mm.searchIndex(va)]; // find_vma without its cache or its charge: the monitor only looks
          out.push({ mm, vma: v && v.vmStart <= va ? v : null, va });
        }
      }
    }
  }
  return { via: "page-table scan", mappers: out };
}

/**
 * The monitor's way into the kernel's fault decision (kernel/mm
 * faultDecide): page tables read through the machine's memory (no guest
 * cycles, no A/D bits), a stack only checked for whether it could grow.
 */
export function monitorFaultAccess(mem: PhysicalMemory): FaultAccess {
  return lookingAccess((pa) => mem.read32(pa));
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
