// Snapshot files for the CLI: --snapshot-save FILE (at exit), --snapshot FILE
// (start from one) and the monitor's savevm/loadvm FILE. The file is
// system/snapshot/system-snapshot.ts's format; every failure is one line.

import { readFileSync, writeFileSync, renameSync, unlinkSync } from "node:fs";
import type { VmalabSystem } from "../system/system.ts";
import { SnapshotError, restoreSnapshot, saveSnapshot, snapshotHeader, type SnapshotHeader } from "../system/snapshot/system-snapshot.ts";

const MIB = 1024 * 1024;

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES") return "permission denied";
  if (code === "ENOSPC") return "no space left on device";
  return code ?? String((e as Error)?.message ?? e);
}

/**
 * Writes the system's snapshot to `path` (through a temporary file renamed
 * into place, so a failed save leaves an older file whole). Returns the line
 * to show; throws SnapshotError with one line.
 */
export function saveSnapshotFile(sys: VmalabSystem, path: string): string {
  const t0 = performance.now();
  const bytes = saveSnapshot(sys);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw new SnapshotError(`cannot write snapshot '${path}': ${reason(e)}`);
  }
  const ms = Math.round(performance.now() - t0);
  return `saved ${path}: ${(bytes.length / MIB).toFixed(1)} MiB at guest cycle ${sys.machine.cycles} (${ms} ms)`;
}

/** Reads a snapshot file and checks it is one this build can restore; SnapshotError with one line otherwise. */
export function readSnapshotFile(path: string): { bytes: Uint8Array; header: SnapshotHeader } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SnapshotError(`cannot read snapshot '${path}': ${reason(e)}`);
  }
  try {
    return { bytes, header: snapshotHeader(bytes) };
  } catch (e) {
    if (e instanceof SnapshotError) throw new SnapshotError(`cannot use snapshot '${path}': ${e.message}`);
    throw e;
  }
}

/**
 * Restores the snapshot at `path` into `sys` (fresh or running); `read` is
 * the file when readSnapshotFile already read it. Returns the line to show.
 * SnapshotError with one line.
 */
export function loadSnapshotFile(sys: VmalabSystem, path: string, read = readSnapshotFile(path)): string {
  const t0 = performance.now();
  const { bytes, header } = read;
  try {
    restoreSnapshot(sys, bytes);
  } catch (e) {
    if (e instanceof SnapshotError) throw new SnapshotError(`cannot use snapshot '${path}': ${e.message}`);
    throw e;
  }
  sys.machine.unpace();
  return `restored ${path}: guest cycle ${header.cycles} (${Math.round(performance.now() - t0)} ms)`;
}
