// Saving and restoring the machine in the browser: the page's Save, Open and
// Download buttons and the monitor tab's savevm/loadvm NAME, over the same
// snapshot files as the CLI (system/snapshot/system-snapshot.ts), kept in
// the browser by snapshot-store.ts. Every failure is one line.

import type { VmalabSystem } from "../../system/system.ts";
import { SnapshotError, restoreSnapshot, saveSnapshot, snapshotHeader } from "../../system/snapshot/system-snapshot.ts";
import { CommandError } from "../../monitor/format.ts";
import type { VmStateStore } from "../../monitor/monitor.ts";
import type { SnapshotStore } from "./snapshot-store.ts";
import type { Guest } from "./guest.ts";

const MIB = 1048576;

type Outcome = { ok: true; message: string } | { ok: false; message: string };

/** A name for a stored snapshot: 1 to 64 characters, no control characters. */
function checkName(name: string): string | null {
  if (name.length === 0 || name.length > 64) return "a snapshot name has 1 to 64 characters";
  if (/[\x00-\x1f\x7f]/.test(name)) return "a snapshot name has no control characters";
  return null;
}

/** Saves `sys` under `name` (call with no watchpoint armed in guest memory); the line to show. Throws SnapshotError. */
function save(store: SnapshotStore, sys: VmalabSystem, name: string): string {
  const bad = checkName(name);
  if (bad) throw new SnapshotError(bad);
  const t0 = performance.now();
  const bytes = saveSnapshot(sys);
  store.put({ name, savedAt: Date.now(), cycles: sys.machine.cycles, cmdline: sys.options.cmdline ?? "", size: bytes.length }, bytes);
  const where = store.persistent ? "in this browser" : "until the page closes";
  return `saved ${name} ${where}: ${(bytes.length / MIB).toFixed(1)} MiB at guest cycle ${sys.machine.cycles} (${Math.round(performance.now() - t0)} ms)`;
}

/** The page's Save: the running guest under `name`. */
export function saveToStore(store: SnapshotStore, guest: Guest, name: string): Outcome {
  if (!guest.system) return { ok: false, message: "the echo fixture cannot be saved (boot the kernel)" };
  try {
    const sys = guest.system;
    return { ok: true, message: guest.monitor.debugger.withoutWatches(() => save(store, sys, name)) };
  } catch (e) {
    if (e instanceof SnapshotError) return { ok: false, message: e.message };
    throw e;
  }
}

/**
 * savevm/loadvm NAME for the monitor tab, over the store. loadvm restores in
 * place, so it needs a snapshot of the same design and command line (the
 * page's Restore boots whatever the snapshot was made with). `loaded` runs
 * after a restore, `changed` after either.
 */
export function browserVmState(store: SnapshotStore, sys: VmalabSystem, hooks: { loaded(): void; changed(): void }): VmStateStore {
  const oneLine = (f: () => string): string => {
    try {
      const text = f();
      hooks.changed();
      return text;
    } catch (e) {
      throw e instanceof SnapshotError ? new CommandError(e.message) : e;
    }
  };
  return {
    save: (name) => oneLine(() => save(store, sys, name)), // the monitor disarms watchpoints around it

    load: (name) =>
      oneLine(() => {
        const bytes = store.get(name);
        if (!bytes) throw new SnapshotError(`no snapshot named ${name} in this browser`);
        const t0 = performance.now();
        restoreSnapshot(sys, bytes);
        sys.machine.unpace();
        hooks.loaded();
        return `restored ${name}: guest cycle ${sys.machine.cycles} (${Math.round(performance.now() - t0)} ms)`;
      }),
  };
}

/** Stores a snapshot file from this computer under `name`, once its header says this build can restore it. */
export function importSnapshot(store: SnapshotStore, name: string, bytes: Uint8Array): Outcome {
  const bad = checkName(name);
  if (bad) return { ok: false, message: bad };
  try {
    const h = snapshotHeader(bytes);
    store.put({ name, savedAt: Date.now(), cycles: h.cycles, cmdline: h.cmdline, size: bytes.length }, bytes);
    return { ok: true, message: `opened ${name}: guest cycle ${h.cycles}, ${h.cmdline}` };
  } catch (e) {
    if (e instanceof SnapshotError) return { ok: false, message: `cannot use ${name}: ${e.message}` };
    throw e;
  }
}

/** A stored snapshot as a file to download. */
export function exportSnapshot(store: SnapshotStore, name: string): { ok: true; blob: Blob } | { ok: false; message: string } {
  const bytes = store.get(name);
  if (!bytes) return { ok: false, message: `no snapshot named ${name} in this browser` };
  return { ok: true, blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }) };
}
