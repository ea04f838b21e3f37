// The page's end of file transfers with the guest (FileRequest/FileReply in
// protocol.ts): an upload streams a Blob to the worker in 1 MiB chunks, one
// in flight (the next is read from the Blob while the worker writes the
// current one); a download pulls 1 MiB chunks, which the worker keeps as
// Blobs and hands over as one Blob at the end. Nothing here runs long on the
// main thread: Blob reads are asynchronous, upload chunks move to the worker
// by transfer, and the page never builds a Blob from bytes (Chromium copies
// them synchronously: a 50 MiB Blob took over 600 ms on this machine).

import type { FileReply, FileRequest, ToWorker } from "./protocol.ts";

/** Bytes per chunk in both directions. */
export const CHUNK_SIZE = 1 << 20;

/** A transfer that failed; message is one line for the page (e.g. "download /x: no such file or directory (ENOENT)"). */
export class TransferError extends Error {
  override name = "TransferError";
}

/** Progress: bytes done, and the total (0 when the size is not known in advance, as for /proc files). */
export type Progress = (done: number, total: number) => void;

type OkReply = Extract<FileReply, { ok: true }>;

export class GuestFileClient {
  private nextId = 0;
  private readonly pending = new Map<number, (r: FileReply) => void>();

  constructor(private readonly send: (msg: ToWorker, transfer?: Transferable[]) => void) {}

  /** Feeds a reply from the worker to the transfer waiting for it. */
  onReply(r: FileReply): void {
    const resolve = this.pending.get(r.id);
    this.pending.delete(r.id);
    resolve?.(r);
  }

  /**
   * Uploads blob to the absolute guest path (written to a temporary name,
   * renamed into place at the end, mode 0644, owner root). Rejects with a
   * TransferError; a failed upload leaves nothing behind in the guest.
   */
  async upload(blob: Blob, path: string, onProgress: Progress): Promise<void> {
    const id = ++this.nextId;
    await this.request({ type: "upload-open", id, path });
    let committed = false;
    let next: Promise<Uint8Array> | null = null;
    try {
      const total = blob.size;
      onProgress(0, total);
      next = total > 0 ? readSlice(blob, 0) : null;
      for (let off = 0; next !== null; ) {
        const bytes = await next;
        if (bytes.length === 0) throw new TransferError(`upload ${path}: the file changed on this computer during the upload`);
        off += bytes.length;
        next = off < total ? readSlice(blob, off) : null; // read ahead while the worker writes
        const r = await this.request({ type: "upload-write", id, bytes }, [bytes.buffer]);
        onProgress(r.done, total);
      }
      await this.request({ type: "upload-close", id, commit: true });
      committed = true;
    } finally {
      if (!committed) {
        next?.catch(() => {}); // a read-ahead nobody waits for any more must not surface as an unhandled rejection
        this.send({ type: "upload-close", id, commit: false });
      }
    }
  }

  /** Downloads the guest file at path into a Blob (assembled by the worker). Rejects with a TransferError. */
  async download(path: string, onProgress: Progress): Promise<Blob> {
    const id = ++this.nextId;
    const opened = await this.request({ type: "download-open", id, path });
    let closed = false;
    try {
      onProgress(0, opened.size);
      for (;;) {
        const r = await this.request({ type: "download-read", id });
        onProgress(r.done, Math.max(opened.size, r.done));
        if (r.blob !== null) {
          closed = true; // the worker closes the file when it reaches the end
          return r.blob;
        }
      }
    } finally {
      if (!closed) this.send({ type: "download-close", id });
    }
  }

  /** Sends one request and waits for its reply; an error reply becomes a TransferError. */
  private request(msg: FileRequest, transfer: Transferable[] = []): Promise<OkReply> {
    return new Promise((resolve, reject) => {
      this.pending.set(msg.id, (r) => (r.ok ? resolve(r) : reject(new TransferError(r.message))));
      this.send(msg, transfer);
    });
  }
}

function readSlice(blob: Blob, off: number): Promise<Uint8Array> {
  return blob
    .slice(off, off + CHUNK_SIZE)
    .arrayBuffer()
    .then(
      (b) => new Uint8Array(b),
      (e: unknown) => Promise.reject(new TransferError(`cannot read the file from this computer: ${e instanceof Error ? e.message : String(e)}`)),
    );
}
