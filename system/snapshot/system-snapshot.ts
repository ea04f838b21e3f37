// Snapshots of a whole running system: the machine (CPU with FPU, RAM, TLB,
// devices, pending clock events), the kernel (tasks, mm, page cache, files,
// pending timers, the console tty) and the host-folder device, in one file.
//
// A snapshot is restored into a freshly built system booted with the same
// memory size and command line (the file records them): the object-graph
// reader (graph.ts) refills the fresh system's objects in place, so the
// closures its constructors wired (port handlers, IRQ lines, system calls,
// the host's console callbacks) stay and see the restored state. Every other
// reference is data: classes by name (classes.gen.ts), operation tables and
// timer functions by the names kernel/named.ts gives them.
//
// File: "VMSS", format version, header length, a JSON header (what the
// restoring system must be built with, and a fingerprint of this build's
// code), CRC-32 of the graph, then the graph (graph.ts). A file from another
// build, a truncated or a corrupted one is refused with one line
// (SnapshotError), before anything is changed.

import { crc32 } from "node:zlib";
import { ClassRegistry } from "./registry.ts";
import { readGraph, writeGraph } from "./graph.ts";
import { SNAPSHOT_CLASSES } from "./classes.gen.ts";
import { dropAllRegions } from "../../emulator/cpu/icache.ts";
import { namedValues } from "../../kernel/named.ts";
// Every kernel module that names a value (kernel/named.ts) is loaded by now, in
// any process, so saving and restoring processes see the same names and build.
import "../../kernel/boot.ts";
import type { VmalabSystem } from "../system.ts";

const MAGIC = 0x53534d56; // "VMSS"
const FORMAT = 1;

/** A snapshot that cannot be used; `message` is one line for the user. */
export class SnapshotError extends Error {}

/** What the restoring system must be built with (SystemOptions of the one that saved). */
export interface SnapshotHeader {
  format: number;
  /** Hash of the code whose objects the file holds: another build refuses the file. */
  build: string;
  memorySize: number;
  cmdline: string;
  initArgv: string[] | null;
  /** Host folders shared (their count: the device's state is in the file). */
  shares: number;
  /** Guest cycles at the save. */
  cycles: number;
}

let registry: ClassRegistry | null = null;
let build = "";

/** The classes and named values a snapshot refers to, and this build's fingerprint of them. */
function snapshotRegistry(): ClassRegistry {
  if (registry !== null) return registry;
  const r = new ClassRegistry(SNAPSHOT_CLASSES);
  let h = 0;
  const mix = (s: string): void => {
    h = crc32(s, h);
  };
  for (const [name, ctor] of Object.entries(SNAPSHOT_CLASSES).sort(([a], [b]) => (a < b ? -1 : 1))) {
    mix(name);
    mix(Function.prototype.toString.call(ctor));
  }
  for (const [name, value] of [...namedValues()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    r.addExternal(name, value);
    mix(name);
    mix(typeof value === "function" ? Function.prototype.toString.call(value) : Object.keys(value as object).join(","));
  }
  build = (h >>> 0).toString(16).padStart(8, "0");
  registry = r;
  return r;
}

function rootOf(sys: VmalabSystem): object {
  return { machine: sys.machine, kernel: sys.kernel, hostfs: sys.hostfs };
}

/**
 * The system's whole state as a snapshot file. Call between machine slices
 * (never inside one). Throws SnapshotError when some state cannot be saved
 * as data (a bug: the message names where).
 */
export function saveSnapshot(sys: VmalabSystem): Uint8Array {
  const reg = snapshotRegistry();
  const g = writeGraph(rootOf(sys), reg);
  const unregistered = g.opaque.find((o) => o.kind.startsWith("unregistered class"));
  if (unregistered) throw new SnapshotError(`snapshot: cannot save ${unregistered.path} (${unregistered.kind})`);
  const o = sys.options;
  const header: SnapshotHeader = {
    format: FORMAT,
    build,
    memorySize: sys.machine.mem.ramSize,
    cmdline: o.cmdline ?? "",
    initArgv: o.initArgv ?? null,
    shares: o.hostShares?.length ?? 0,
    cycles: sys.machine.cycles,
  };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(16 + head.length + g.bytes.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, MAGIC, true);
  v.setUint32(4, FORMAT, true);
  v.setUint32(8, head.length, true);
  v.setUint32(12, crc32(g.bytes) >>> 0, true);
  out.set(head, 16);
  out.set(g.bytes, 16 + head.length);
  return out;
}

/** The parts of a snapshot file, checked: SnapshotError when it is not one this build can restore. */
function parse(bytes: Uint8Array): { header: SnapshotHeader; graph: Uint8Array } {
  snapshotRegistry();
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 16 || v.getUint32(0, true) !== MAGIC) throw new SnapshotError("not a vmalab snapshot");
  const format = v.getUint32(4, true);
  if (format !== FORMAT) throw new SnapshotError(`snapshot format ${format}, this vmalab reads format ${FORMAT}`);
  const headLen = v.getUint32(8, true);
  if (16 + headLen > bytes.length) throw new SnapshotError("snapshot is truncated");
  let header: SnapshotHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headLen))) as SnapshotHeader;
  } catch {
    throw new SnapshotError("snapshot header is corrupted");
  }
  if (header.build !== build) throw new SnapshotError(`snapshot was made by another vmalab build (${header.build}; this is ${build}): boot afresh`);
  const graph = bytes.subarray(16 + headLen);
  if ((crc32(graph) >>> 0) !== v.getUint32(12, true)) throw new SnapshotError("snapshot is truncated or corrupted (checksum mismatch)");
  return { header, graph };
}

/** Reads a snapshot's header (what to build the restoring system with); SnapshotError when unusable. */
export function snapshotHeader(bytes: Uint8Array): SnapshotHeader {
  return parse(bytes).header;
}

/**
 * Restores `bytes` into `sys`, a system built with the header's memory size,
 * command line, init arguments and as many host shares (freshly, or one that
 * has run: its whole state is replaced; how the host paces it stays).
 * Afterwards `sys` continues exactly where the saved one was:
 * same cycles, output and state. SnapshotError (nothing changed) when the
 * file is unusable or `sys` does not match it; after a failure inside the
 * restore itself, `sys` must be discarded.
 */
export function restoreSnapshot(sys: VmalabSystem, bytes: Uint8Array): void {
  const { header, graph } = parse(bytes);
  const o = sys.options;
  if (sys.machine.mem.ramSize !== header.memorySize) throw new SnapshotError(`snapshot needs ${header.memorySize / 1048576} MiB of RAM, this machine has ${sys.machine.mem.ramSize / 1048576}`);
  if ((o.cmdline ?? "") !== header.cmdline) throw new SnapshotError(`snapshot was made with the command line "${header.cmdline}"`);
  if ((o.hostShares?.length ?? 0) !== header.shares) throw new SnapshotError(`snapshot was made with ${header.shares} shared host folder(s)`);
  readInto(sys, graph, snapshotRegistry());
}

/** Reads a graph into `sys`'s objects, keeping what belongs to the host driving it. */
function readInto(sys: VmalabSystem, graph: Uint8Array, reg: ClassRegistry): void {
  const pace = sys.machine.paceIdle;
  const afterSlice = sys.machine.afterSlice;
  const onFault = sys.kernel.mmctx.onFault; // a host's observer (the monitor's fault trace)
  const r = readGraph(graph, reg, { into: rootOf(sys) });
  sys.machine.paceIdle = pace;
  sys.machine.afterSlice = afterSlice;
  sys.kernel.mmctx.onFault = onFault;
  const lost = r.unresolved.filter((p) => !/^root\.machine\.cpu\.icache\.regions\[\d+\]\.fn\[\d+\] \(function\)$/.test(p));
  if (lost.length > 0) throw new SnapshotError(`snapshot: cannot restore ${lost[0]}${lost.length > 1 ? ` and ${lost.length - 1} more` : ""}`);
  // Compiled regions are a cache of host functions: dropped, they compile again when hot.
  dropAllRegions(sys.machine.cpu.icache);
}

/** The snapshot registry plus the system's RAM buffer, written by reference. */
function registryWithRam(sys: VmalabSystem): ClassRegistry {
  const reg = new ClassRegistry(SNAPSHOT_CLASSES);
  for (const [name, value] of namedValues()) reg.addExternal(name, value);
  reg.addExternal("the machine's RAM", sys.machine.mem.ram.buffer);
  return reg;
}

/**
 * The system's state without the contents of RAM, for a recorder that keeps
 * the RAM itself (system/timeline.ts): the RAM buffer is written as a
 * reference to the machine's own. For the same process and system only (no
 * header, no checks).
 */
export function saveStateWithoutRam(sys: VmalabSystem): Uint8Array {
  return writeGraph(rootOf(sys), registryWithRam(sys)).bytes;
}

/** Puts back a saveStateWithoutRam state; RAM keeps its contents (the caller writes the saved ones). */
export function restoreStateWithoutRam(sys: VmalabSystem, state: Uint8Array): void {
  readInto(sys, state, registryWithRam(sys));
}
