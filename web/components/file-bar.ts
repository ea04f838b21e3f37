// The file bar above the console: "Upload…" (a file picker, or files dropped
// onto the console) puts files into the guest directory typed next to it
// (/tmp by default; the last one is remembered), "Download…" asks for a
// guest path in a small dialog and saves the file through the browser's
// download. One line shows progress, the result, or the error.

import { GuestFileClient, TransferError } from "../guest-file-client.ts";

export interface FileBarElements {
  uploadButton: HTMLButtonElement;
  fileInput: HTMLInputElement;
  dirInput: HTMLInputElement;
  downloadButton: HTMLButtonElement;
  dialog: HTMLDialogElement;
  pathInput: HTMLInputElement;
  progress: HTMLProgressElement;
  status: HTMLElement;
  /** Where files may be dropped (the console). */
  dropZone: HTMLElement;
}

/** What the page's test hook sees of finished transfers. */
export interface TransferRecord {
  kind: "upload" | "download";
  path: string;
  ok: boolean;
  bytes: number;
  /** When it started (performance.now()) and how long it took, in ms. */
  start: number;
  ms: number;
  message: string;
}

const DIR_KEY = "vmalab.upload-dir";
const PATH_KEY = "vmalab.download-path";
const MiB = 1024 * 1024;

function remembered(key: string, fallback: string): string {
  try {
    return localStorage.getItem(key) || fallback;
  } catch {
    return fallback; // storage disabled
  }
}
function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage disabled: the value lasts until the page is closed
  }
}

function size(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`;
}

/** Wires the file bar; records every finished transfer with onRecord (the test hook). */
export function setupFileBar(el: FileBarElements, client: GuestFileClient, onRecord: (r: TransferRecord) => void): void {
  let busy = false;
  el.dirInput.value = remembered(DIR_KEY, "/tmp");
  el.pathInput.value = remembered(PATH_KEY, "/tmp/");

  const say = (text: string, error = false) => {
    el.status.textContent = text;
    el.status.classList.toggle("error", error);
  };
  const showProgress = (done: number, total: number) => {
    el.progress.hidden = false;
    if (total > 0) {
      el.progress.max = total;
      el.progress.value = done;
    } else el.progress.removeAttribute("value"); // unknown size: indeterminate
  };
  const setBusy = (b: boolean) => {
    busy = b;
    el.uploadButton.disabled = b;
    el.downloadButton.disabled = b;
    if (!b) el.progress.hidden = true;
  };
  const errorText = (e: unknown) => (e instanceof TransferError ? e.message : `transfer failed: ${e instanceof Error ? e.message : String(e)}`);

  async function uploadAll(files: File[]): Promise<void> {
    if (files.length === 0) return;
    if (busy) return say("A transfer is in progress; wait for it to end.", true);
    const dir = el.dirInput.value.trim().replace(/\/+$/, "") || "/";
    if (!dir.startsWith("/")) return say(`upload: the guest directory must be an absolute path (got "${dir}")`, true);
    remember(DIR_KEY, dir);
    setBusy(true);
    try {
      for (const [i, f] of files.entries()) {
        const path = `${dir === "/" ? "" : dir}/${f.name}`;
        const of = files.length > 1 ? ` (${i + 1} of ${files.length})` : "";
        const t0 = performance.now();
        try {
          await client.upload(f, path, (done, total) => {
            showProgress(done, total);
            say(`Uploading ${f.name}${of}: ${size(done)} of ${size(total)}`);
          });
        } catch (e) {
          const message = errorText(e);
          say(message, true);
          onRecord({ kind: "upload", path, ok: false, bytes: 0, start: t0, ms: performance.now() - t0, message });
          return;
        }
        const ms = performance.now() - t0;
        const message = `Uploaded ${path} (${size(f.size)} in ${(ms / 1000).toFixed(1)} s)`;
        say(message);
        onRecord({ kind: "upload", path, ok: true, bytes: f.size, start: t0, ms, message });
      }
    } finally {
      setBusy(false);
    }
  }

  async function download(path: string): Promise<void> {
    if (busy) return say("A transfer is in progress; wait for it to end.", true);
    if (!path.startsWith("/")) return say(`download: the guest path must be absolute (got "${path}")`, true);
    remember(PATH_KEY, path);
    setBusy(true);
    const t0 = performance.now();
    try {
      const blob = await client.download(path, (done, total) => {
        showProgress(done, total);
        say(`Downloading ${path}: ${size(done)}${total > 0 ? ` of ${size(total)}` : ""}`);
      });
      saveBlob(blob, path.slice(path.lastIndexOf("/") + 1) || "download");
      const ms = performance.now() - t0;
      const message = `Downloaded ${path} (${size(blob.size)} in ${(ms / 1000).toFixed(1)} s)`;
      say(message);
      onRecord({ kind: "download", path, ok: true, bytes: blob.size, start: t0, ms, message });
    } catch (e) {
      const message = errorText(e);
      say(message, true);
      onRecord({ kind: "download", path, ok: false, bytes: 0, start: t0, ms: performance.now() - t0, message });
    } finally {
      setBusy(false);
    }
  }

  el.uploadButton.addEventListener("click", () => el.fileInput.click());
  el.fileInput.addEventListener("change", () => {
    const files = Array.from(el.fileInput.files ?? []);
    el.fileInput.value = ""; // the same file can be picked again
    void uploadAll(files);
  });
  el.dirInput.addEventListener("change", () => remember(DIR_KEY, el.dirInput.value.trim()));

  el.downloadButton.addEventListener("click", () => {
    el.dialog.returnValue = ""; // Esc keeps the last returnValue otherwise
    el.dialog.showModal();
    el.pathInput.focus();
    el.pathInput.select();
  });
  el.dialog.addEventListener("close", () => {
    if (el.dialog.returnValue === "download") void download(el.pathInput.value.trim());
  });

  // drag and drop onto the console
  const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes("Files") ?? false;
  el.dropZone.addEventListener("dragover", (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer!.dropEffect = "copy";
    el.dropZone.classList.add("drop-target");
  });
  el.dropZone.addEventListener("dragleave", () => el.dropZone.classList.remove("drop-target"));
  el.dropZone.addEventListener("drop", (e) => {
    el.dropZone.classList.remove("drop-target");
    if (!hasFiles(e)) return;
    e.preventDefault();
    void uploadAll(Array.from(e.dataTransfer!.files));
  });
}

/** Saves blob through the browser's download, as name. */
function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
