// Whole-machine snapshots kept in the browser (IndexedDB, database "vmalab",
// store "snapshots", one record per name), for the page's Save and Restore
// and the monitor tab's savevm/loadvm NAME. The records are read once when
// the worker starts and kept in memory, so the monitor's commands stay
// synchronous; writes go to IndexedDB in the background, in order. Without
// IndexedDB (a private window that refuses it) snapshots last until the page
// is closed, and `persistent` says so.

import type { SnapshotInfo } from "../protocol.ts";

interface SnapshotRecord extends SnapshotInfo {
  bytes: Uint8Array;
}

const DB = "vmalab";
const STORE = "snapshots";

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error("IndexedDB request failed"));
  });
}

export class SnapshotStore {
  private readonly records = new Map<string, SnapshotRecord>();
  private db: IDBDatabase | null = null;
  /** Background writes, chained so that they land in the order they were made. */
  private writes: Promise<void> = Promise.resolve();
  /** Why the last background write failed (shown by the next list), or null. */
  lastError: string | null = null;

  /** Opens the database and reads every record; resolves even without IndexedDB (memory only). */
  async open(): Promise<void> {
    try {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "name" });
      this.db = await request(req);
      const all = (await request(this.db.transaction(STORE).objectStore(STORE).getAll())) as SnapshotRecord[];
      for (const r of all) this.records.set(r.name, r);
    } catch (e) {
      this.db = null;
      this.lastError = `browser storage unavailable (${e instanceof Error ? e.message : String(e)}): snapshots last until the page closes`;
    }
  }

  /** Snapshots are kept across page loads. */
  get persistent(): boolean {
    return this.db !== null;
  }

  /** What is stored, newest first. */
  list(): SnapshotInfo[] {
    return [...this.records.values()].map(({ bytes: _b, ...info }) => info).sort((a, b) => b.savedAt - a.savedAt);
  }

  get(name: string): Uint8Array | null {
    return this.records.get(name)?.bytes ?? null;
  }

  /** Keeps `bytes` under info.name (replacing one of that name); stored in the background. */
  put(info: SnapshotInfo, bytes: Uint8Array): void {
    const rec = { ...info, bytes };
    this.records.set(info.name, rec);
    this.write((s) => s.put(rec));
  }

  delete(name: string): void {
    this.records.delete(name);
    this.write((s) => s.delete(name));
  }

  private write(op: (s: IDBObjectStore) => IDBRequest): void {
    const db = this.db;
    if (!db) return;
    this.writes = this.writes.then(
      () =>
        new Promise<void>((resolve) => {
          const tx = db.transaction(STORE, "readwrite");
          op(tx.objectStore(STORE));
          tx.oncomplete = () => resolve();
          tx.onerror = tx.onabort = () => {
            this.lastError = `could not store a snapshot in the browser: ${tx.error?.message ?? "transaction aborted"}`;
            resolve();
          };
        }),
    );
  }
}
