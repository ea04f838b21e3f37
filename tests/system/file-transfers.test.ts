// The web worker's file-transfer steps (web/worker/file-transfers.ts) on a
// real guest in Node: an upload in chunks, a download that comes back as one
// Blob, error replies as one line, and dropping open transfers on a reset.

import { describe, expect, it } from "vitest";
import { GuestSession } from "../support/guest.ts";
import { FileTransfers } from "../../web/worker/file-transfers.ts";
import type { FileReply, FileRequest } from "../../web/protocol.ts";

const MiB = 1 << 20;

describe("web worker file transfers", () => {
  it("uploads in chunks, downloads as a Blob, reports errors and aborts on reset", async () => {
    const s = new GuestSession();
    const t = new FileTransfers();
    const step = (req: FileRequest): FileReply => t.handle(s.sys, req);
    const data = new Uint8Array(3 * MiB + 5).map((_, i) => (i * 31) & 0xff);

    expect(step({ type: "upload-open", id: 1, path: "/tmp/a.bin" })).toMatchObject({ ok: true });
    for (let off = 0; off < data.length; off += MiB) {
      expect(step({ type: "upload-write", id: 1, bytes: data.slice(off, off + MiB) })).toMatchObject({ ok: true, done: Math.min(off + MiB, data.length) });
      s.run(":"); // the guest runs between chunks
    }
    expect(step({ type: "upload-close", id: 1, commit: true })).toMatchObject({ ok: true, done: data.length });
    expect(s.run("ls -l /tmp/a.bin")).toMatch(/^-rw-r--r-- .* root .* 3145733 /);

    expect(step({ type: "download-open", id: 2, path: "/tmp/a.bin" })).toMatchObject({ ok: true, size: data.length });
    let r: FileReply;
    let steps = 0;
    do {
      r = step({ type: "download-read", id: 2 });
      if (!r.ok) throw new Error(r.message);
      steps++;
    } while (r.blob === null);
    expect(steps).toBe(5); // four chunks and the end
    expect(Buffer.from(await r.blob.arrayBuffer()).equals(Buffer.from(data))).toBe(true);
    expect(step({ type: "download-read", id: 2 })).toMatchObject({ ok: false, message: expect.stringMatching(/no longer open/) });

    expect(step({ type: "download-open", id: 3, path: "/tmp/none" })).toEqual({
      type: "file-reply", id: 3, ok: false, message: "download /tmp/none: no such file or directory (ENOENT)",
    });
    expect(t.handle(null, { type: "upload-open", id: 4, path: "/tmp/b" })).toMatchObject({ ok: false, message: "upload /tmp/b: the guest is not running" });

    // an upload open when the page reboots the guest leaves no temporary file
    expect(step({ type: "upload-open", id: 5, path: "/tmp/c" })).toMatchObject({ ok: true });
    expect(step({ type: "upload-write", id: 5, bytes: new Uint8Array(100) })).toMatchObject({ ok: true });
    t.abortAll();
    expect(step({ type: "upload-write", id: 5, bytes: new Uint8Array(100) })).toMatchObject({ ok: false, message: expect.stringMatching(/reset/) });
    expect(s.run("ls -1a /tmp")).toBe(".\n..\na.bin");
    expect(s.check()).toEqual([]);
  });
});
