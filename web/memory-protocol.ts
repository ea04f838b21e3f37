// Messages of the memory pictures (web/components/memory-views.ts) and the
// worker side that computes them (web/worker/memory-snapshot.ts) from the
// monitor's data functions (monitor/memory-data.ts). Snapshots carry typed
// arrays that the worker transfers, never copies.

import type { AreaData } from "../monitor/memory-data.ts";

/** The pictures: address space, physical memory, fault timeline, page-table grid. */
export type MemView = "as" | "phys" | "faults" | "pt";

/** A process the pid selector offers. */
export interface ProcInfo {
  pid: number;
  comm: string;
}

/** One process's address space (monitor addressSpaceData), null when the pid has none. */
export interface AsSnapshot {
  pid: number;
  comm: string;
  pgd: number;
  areas: AreaData[];
  states: Uint8Array;
  ptes: Uint32Array;
  pdes: Uint32Array;
  /** Per user PDE: 1 where the page table is shared with another address space (sharedpt). */
  sharedTables: Uint8Array;
  /** User linear addresses whose TLB entry is stale (monitor `info tlb` STALE); empty unless the process is the one in CR3. */
  staleTlb: Uint32Array;
}

/** New page faults since the previous snapshot, one array element per fault. */
export interface FaultBatch {
  seqs: Float64Array;
  cycles: Float64Array;
  pids: Int32Array;
  addresses: Uint32Array;
  /** Index into FaultSnapshot.decisions. */
  decisions: Uint8Array;
  errors: Uint8Array;
  newPfns: Int32Array;
  /** The command name of each pid in this batch (the process may be gone by now). */
  comms: [number, string][];
}

/** What the worker posts at most 10 times a second while a picture is open. */
export interface MemSnapshot {
  view: MemView;
  /** Snapshot number since boot of the worker. */
  seq: number;
  /** Guest cycle counter when taken. */
  cycle: number;
  /** Guest cycles per second (the timeline's time axis). */
  hz: number;
  procs: ProcInfo[];
  /** Why there is nothing to draw ("no kernel"), or null. */
  error: string | null;
  /** View "as" and "pt": the chosen process. */
  as: AsSnapshot | null;
  /** Page-state and frame-owner legends, by value (from the monitor's names). */
  pageStates: readonly string[];
  frameOwners: readonly string[];
  /** View "phys": owner of every frame (index pfn). */
  owners: Uint8Array | null;
  firstPfn: number;
  /** View "faults": the decisions' names (by index) and the new faults. */
  decisions: readonly string[];
  faults: FaultBatch | null;
}

/**
 * Detail requests: a walk (hover/click in the address space), a frame's
 * reverse map, a page table; and time travel from the fault timeline:
 * recording on or off, going back to a fault by its sequence number (the
 * machine is stopped there).
 */
export type MemQuery =
  | { kind: "walk"; pid: number; va: number }
  | { kind: "frame"; pfn: number }
  | { kind: "ptable"; pid: number; pdi: number }
  | { kind: "record"; on: boolean }
  | { kind: "goto-fault"; seq: number };

/** The answer: the monitor's text for the same question, and raw values for drawing. */
export interface MemReply {
  type: "mem-reply";
  id: number;
  text: string;
  /** walk: [pde, pte or -1, pfn, count, mapcount]; frame: [owner, count, mapcount]; ptable: the 1024 PTEs. */
  values: Uint32Array | null;
}
