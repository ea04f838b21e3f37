// The worker's end of the page's file transfers (FileRequest in
// web/protocol.ts): each request is one step on one open upload or download,
// done on the kernel's VFS as root through system/guest-files.ts, and answered
// with one FileReply. The page sends the next chunk only after the reply, so
// a transfer moves one chunk per turn of the worker's event loop and the
// guest keeps running between chunks.
//
// Determinism: a transfer is user input, like a keystroke. It happens between
// two machine slices, at whatever cycle the worker reaches the message; a run
// is repeatable given the same input at the same cycles.

import type { FileReply, FileRequest } from "../protocol.ts";
import { GuestFileReader, GuestFileWriter, READ_CHUNK, type GuestFileHost } from "../../system/guest-files.ts";
import { errnoMessage } from "../../system/errno-message.ts";

interface Upload {
  path: string;
  writer: GuestFileWriter;
}
interface Download {
  path: string;
  reader: GuestFileReader;
  /** The chunks read so far, each already a Blob (made here, off the page's thread). */
  parts: Blob[];
}

export class FileTransfers {
  private readonly uploads = new Map<number, Upload>();
  private readonly downloads = new Map<number, Download>();

  /**
   * Does one step of a transfer on host's guest (null: no guest yet) and returns the reply.
   * Upload chunks arrive transferred; a download's Blob goes back by handle, so nothing is copied.
   */
  handle(host: GuestFileHost | null, req: FileRequest): FileReply {
    const fail = (message: string): FileReply => ({ type: "file-reply", id: req.id, ok: false, message });
    const ok = (done: number, size: number, blob: Blob | null = null): FileReply => ({ type: "file-reply", id: req.id, ok: true, done, size, blob });
    switch (req.type) {
      case "upload-open": {
        if (host === null) return fail(`upload ${req.path}: the guest is not running`);
        const w = GuestFileWriter.open(host, req.path);
        if (typeof w === "number") return fail(errnoMessage(`upload ${req.path}`, w));
        this.uploads.get(req.id)?.writer.abort();
        this.uploads.set(req.id, { path: req.path, writer: w });
        return ok(0, 0);
      }
      case "upload-write": {
        const u = this.uploads.get(req.id);
        if (!u) return fail("upload: the transfer is no longer open (the guest was reset)");
        const r = u.writer.write(req.bytes);
        if (r < 0) {
          this.uploads.delete(req.id);
          return fail(errnoMessage(`upload ${u.path}`, r));
        }
        return ok(u.writer.written, 0);
      }
      case "upload-close": {
        const u = this.uploads.get(req.id);
        if (!u) return req.commit ? fail("upload: the transfer is no longer open (the guest was reset)") : ok(0, 0);
        this.uploads.delete(req.id);
        if (!req.commit) {
          u.writer.abort();
          return ok(u.writer.written, 0);
        }
        const r = u.writer.commit();
        return r < 0 ? fail(errnoMessage(`upload ${u.path}`, r)) : ok(u.writer.written, u.writer.written);
      }
      case "download-open": {
        if (host === null) return fail(`download ${req.path}: the guest is not running`);
        const r = GuestFileReader.open(host, req.path);
        if (typeof r === "number") return fail(errnoMessage(`download ${req.path}`, r));
        this.downloads.get(req.id)?.reader.close();
        this.downloads.set(req.id, { path: req.path, reader: r, parts: [] });
        return ok(0, r.size);
      }
      case "download-read": {
        const d = this.downloads.get(req.id);
        if (!d) return fail("download: the transfer is no longer open (the guest was reset)");
        const c = d.reader.read(READ_CHUNK);
        if (typeof c === "number") {
          d.reader.close();
          this.downloads.delete(req.id);
          return fail(errnoMessage(`download ${d.path}`, c));
        }
        if (c.length > 0) {
          d.parts.push(new Blob([c as Uint8Array<ArrayBuffer>])); // vfsRead returns a fresh array over a plain ArrayBuffer
          return ok(d.reader.done, d.reader.size);
        }
        // the end: one Blob made of the chunk Blobs (by reference, no copy)
        d.reader.close();
        this.downloads.delete(req.id);
        return ok(d.reader.done, d.reader.size, new Blob(d.parts, { type: "application/octet-stream" }));
      }
      case "download-close": {
        const d = this.downloads.get(req.id);
        this.downloads.delete(req.id);
        d?.reader.close();
        return ok(d?.reader.done ?? 0, d?.reader.size ?? 0);
      }
    }
  }

  /** Drops every open transfer (the guest is being replaced); temporary upload files are removed. */
  abortAll(): void {
    for (const u of this.uploads.values()) u.writer.abort();
    for (const d of this.downloads.values()) d.reader.close();
    this.uploads.clear();
    this.downloads.clear();
  }
}
