// The reverse map: from a frame to the PTEs that map it, object-based. An
// anonymous page belongs to an Anonmm at index va >> 12 (Hugh
// Dickins's anonmm scheme, "rmap 10 add anonmm rmap", 2.6.6-mm, May 2004): every mm has an anonmm, and all the mms forked
// from one exec share a bundle of anonmms listed on the bundle's head, so the
// page can only be mapped at that one address in the mms of its bundle. A
// file page belongs to an AddressSpace whose i_mmap lists the areas mapping
// the file. pageReferenced and tryToUnmap (page reclaim) walk these.

import { panic } from "../panic.ts";
import type { MmContext } from "./context.ts";
import type { Mm } from "./mm.ts";
import { PG, type PageOwner } from "./page.ts";
import { pteMkold, pteOffset, ptePfn, ptePresent, pteYoung } from "./pgtable.ts";
import type { VmArea } from "./vma.ts";
import type { AddressSpace } from "./filemap.ts";
import { PAGE_SIZE } from "./config.ts";

/**
 * struct anonmm: one mm's anonymous memory, kept after the mm is gone while
 * pages faulted into it live on in forked mms. count = 1 for the mm + 1 per
 * page + (head only) 1 for itself and 1 per other member of the bundle.
 */
export class Anonmm implements PageOwner {
  readonly kind = "anon" as const;
  count: number;
  /** The mm, or null once it exited. */
  mm: Mm | null;
  readonly head: Anonmm;
  /** On the head: the other members, oldest first. */
  readonly list: Anonmm[] = [];
  readonly ctx: MmContext;
  constructor(mm: Mm, head: Anonmm | null) {
    this.mm = mm;
    this.ctx = mm.ctx;
    this.head = head ?? this;
    this.count = head ? 1 : 2;
  }
  /** A page owned by this anonmm was freed (Linux clear_page_anon). */
  pageFreed(): void {
    if (--this.count === 0) freeAnonmm(this);
    else if (this === this.head) maybeFreeHead(this);
  }
  /** The members of the bundle, starting with `first` and wrapping around (head first otherwise). */
  *bundleFrom(first: Anonmm): Generator<Anonmm> {
    const all = [this.head, ...this.head.list];
    const i = Math.max(0, all.indexOf(first));
    for (let k = 0; k < all.length; k++) yield all[(i + k) % all.length];
  }
}

/** Live bundle heads of a context (for the self-check and tests). */
function headsOf(ctx: MmContext): Set<Anonmm> {
  return ctx.anonmmHeads;
}

/** A fresh mm starts a new bundle (Linux exec_rmap). */
export function execRmap(mm: Mm): void {
  const a = new Anonmm(mm, null);
  mm.anonmm = a;
  headsOf(mm.ctx).add(a);
}

/** A forked mm joins its parent's bundle (Linux dup_rmap). */
export function dupRmap(mm: Mm, oldmm: Mm): void {
  const head = oldmm.anonmm!.head;
  const a = new Anonmm(mm, head);
  head.count++;
  head.list.push(a);
  mm.anonmm = a;
}

/** mm goes away (exit, or exec emptying it); its anonmm lingers while pages reference it (Linux exit_rmap). */
export function exitRmap(mm: Mm): void {
  const a = mm.anonmm;
  if (!a) return;
  mm.anonmm = null;
  a.mm = null;
  if (--a.count === 0) freeAnonmm(a);
  else if (a === a.head) maybeFreeHead(a);
}

function freeAnonmm(a: Anonmm): void {
  const head = a.head;
  if (a === head) panic("freeAnonmm: head reached count 0");
  const i = head.list.indexOf(a);
  if (i < 0) panic("freeAnonmm: anonmm not on its head's list");
  head.list.splice(i, 1);
  if (--head.count === 0) panic("freeAnonmm: head count reached 0");
  maybeFreeHead(head);
}

function maybeFreeHead(head: Anonmm): void {
  if (head.count !== 1 || head.mm !== null) return;
  if (head.list.length !== 0) panic("maybeFreeHead: head with members at count 1");
  head.count = 0;
  headsOf(head.ctx).delete(head);
}

/** Gives a new anonymous page its reverse mapping: mm's anonmm at va (Linux page_add_anon_rmap). */
export function pageAddAnonRmap(ctx: MmContext, pfn: number, mm: Mm, va: number): void {
  const a = mm.anonmm;
  if (!a) panic("pageAddAnonRmap: mm has no anonmm");
  ctx.frames.mapping[pfn] = a;
  ctx.frames.index[pfn] = va >>> 12;
  a.count++;
}

export interface PageMapping {
  mm: Mm;
  vma: VmArea;
  va: number;
  /** Physical address of the PTE. */
  ptePa: number;
}

/**
 * Every PTE mapping frame pfn, found through the reverse map only: the
 * anonmm bundle for anonymous pages, i_mmap for file pages. Allocates: for
 * reclaim's slow path, the monitor and checks.
 */
export function pageMappers(ctx: MmContext, pfn: number): PageMapping[] {
  const out: PageMapping[] = [];
  if (!ctx.frames.isNormal(pfn) || ctx.frames.count[pfn] === 0) return out;
  const owner = ctx.frames.mapping[pfn];
  const index = ctx.frames.index[pfn];
  const probe = (mm: Mm, vma: VmArea | null, va: number): void => {
    if (!vma || va < vma.vmStart || va >= vma.vmEnd) return;
    const ptePa = pteOffset(mm, va);
    if (ptePa === 0) return;
    const pte = ctx.mem.read32(ptePa);
    if (ptePresent(pte) && ptePfn(pte) === pfn) out.push({ mm, vma, va, ptePa });
  };
  if (owner instanceof Anonmm && ctx.frames.flags[pfn] & PG.ANON) {
    const va = index * PAGE_SIZE;
    for (const a of owner.bundleFrom(owner)) if (a.mm) probe(a.mm, a.mm.findVma(va), va);
  } else if (owner?.kind === "file") {
    for (const vma of (owner as AddressSpace).iMmap) probe(vma.vmMm, vma, vma.vmStart + (index - vma.vmPgoff) * PAGE_SIZE);
  }
  return out;
}

/**
 * Counts the PTEs mapping pfn that the MMU marked accessed since the last
 * call, clearing the bits (and the TLB entries of the current mm) (Linux
 * page_referenced). An anonymous page whose anonmm's mm is extinct migrates
 * to the first live mm of its bundle that maps it (the anonmm patch's page_referenced_anon).
 */
export function pageReferenced(ctx: MmContext, pfn: number): number {
  let referenced = 0;
  const maps = pageMappers(ctx, pfn);
  for (const m of maps) {
    const pte = ctx.mem.read32(m.ptePa);
    if (!pteYoung(pte)) continue;
    referenced++;
    ctx.mem.write32(m.ptePa, pteMkold(pte));
    ctx.flushTlbPage(m.mm, m.va);
  }
  const owner = ctx.frames.mapping[pfn];
  if (owner instanceof Anonmm && owner.mm === null && maps.length > 0) migrateAnonPage(ctx, pfn, maps[0].mm.anonmm!);
  return referenced;
}

/** Moves an anonymous page's reverse mapping to anonmm `to` of the same bundle. */
export function migrateAnonPage(ctx: MmContext, pfn: number, to: Anonmm): void {
  const from = ctx.frames.mapping[pfn];
  if (!(from instanceof Anonmm) || from.head !== to.head) panic("migrateAnonPage: not the same bundle");
  if (from === to) return;
  ctx.frames.mapping[pfn] = to;
  to.count++;
  from.pageFreed();
}
