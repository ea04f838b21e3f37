// The snapshot bar under the file bar: "Save machine" stores the whole
// running machine in the browser under the name typed next to it; the list
// shows what is stored (newest first), and Restore boots it, Download saves
// it as a file, Delete drops it; "Open…" stores a snapshot file from this
// computer and boots it. One line says what happened. The page starts from
// the newest stored snapshot (main.ts); "Fresh boot" boots afresh.

import type { SnapshotInfo, ToWorker } from "../protocol.ts";

export interface SnapshotBarElements {
  nameInput: HTMLInputElement;
  saveButton: HTMLButtonElement;
  list: HTMLSelectElement;
  restoreButton: HTMLButtonElement;
  downloadButton: HTMLButtonElement;
  deleteButton: HTMLButtonElement;
  openButton: HTMLButtonElement;
  fileInput: HTMLInputElement;
  freshButton: HTMLButtonElement;
  status: HTMLElement;
}

const MiB = 1024 * 1024;

/** One list entry: name, design and command line, guest time, size, when. */
function describe(s: SnapshotInfo): string {
  const when = new Date(s.savedAt).toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" });
  return `${s.name} — ${s.cmdline}, cycle ${s.cycles.toLocaleString("en")}, ${(s.size / MiB).toFixed(1)} MiB, ${when}`;
}

export class SnapshotBar {
  private stored: SnapshotInfo[] = [];
  /** The name of the file being opened, booted once the worker has stored it. */
  private opening: string | null = null;

  constructor(
    private readonly el: SnapshotBarElements,
    private readonly send: (msg: ToWorker, transfer?: Transferable[]) => void,
    /** Boots the stored snapshot `name`, or afresh (null). */
    private readonly boot: (name: string | null) => void,
  ) {
    el.saveButton.addEventListener("click", () => {
      const name = el.nameInput.value.trim();
      this.say(`saving ${name}…`);
      send({ type: "snapshot-save", name });
    });
    el.restoreButton.addEventListener("click", () => {
      const name = this.selected();
      if (name) boot(name);
    });
    el.freshButton.addEventListener("click", () => boot(null));
    el.deleteButton.addEventListener("click", () => {
      const name = this.selected();
      if (name) send({ type: "snapshot-delete", name });
    });
    el.downloadButton.addEventListener("click", () => {
      const name = this.selected();
      if (name) send({ type: "snapshot-export", name });
    });
    el.openButton.addEventListener("click", () => el.fileInput.click());
    el.fileInput.addEventListener("change", () => {
      const file = el.fileInput.files?.[0];
      el.fileInput.value = "";
      if (file) void this.open(file);
    });
    this.update([]);
  }

  /** The stored snapshots changed (the worker's list). */
  update(list: SnapshotInfo[], note: string | null = null): void {
    this.stored = list;
    const keep = this.selected();
    this.el.list.replaceChildren(
      ...(list.length === 0 ? [new Option("no snapshots stored", "")] : list.map((s) => new Option(describe(s), s.name))),
    );
    if (keep && list.some((s) => s.name === keep)) this.el.list.value = keep;
    for (const b of [this.el.restoreButton, this.el.downloadButton, this.el.deleteButton]) b.disabled = list.length === 0;
    this.el.list.disabled = list.length === 0;
    if (note) this.say(note);
  }

  /** The newest stored snapshot, or null. */
  newest(): SnapshotInfo | null {
    return this.stored[0] ?? null;
  }

  /** The worker's answer to a save, delete or open (an opened file is booted once it is stored). */
  result(ok: boolean, message: string): void {
    const opened = this.opening;
    this.opening = null;
    this.say(ok ? message : `error: ${message}`);
    if (ok && opened !== null) this.boot(opened);
  }

  /** A snapshot the worker handed over as a file: the browser downloads it. */
  download(name: string, blob: Blob): void {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${name.replace(/[^\w.-]+/g, "_")}.vmss`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
    this.say(`downloaded ${name} (${(blob.size / MiB).toFixed(1)} MiB)`);
  }

  /** Shows a line in the bar. */
  say(text: string): void {
    this.el.status.textContent = text;
  }

  private selected(): string | null {
    return this.el.list.value || null;
  }

  private async open(file: File): Promise<void> {
    const name = file.name.replace(/\.vmss$/, "").slice(0, 64) || "opened";
    const bytes = new Uint8Array(await file.arrayBuffer());
    this.opening = name;
    this.say(`opening ${file.name}…`);
    this.send({ type: "snapshot-import", name, bytes }, [bytes.buffer]);
  }
}
