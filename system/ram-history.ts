// The RAM of a timeline's points (system/timeline.ts), page by page, each
// distinct page content stored once: between two points a busy guest changes
// a few hundred of its 32,768 pages (128 MiB), so a point costs those pages
// and a table of page ids instead of a copy of RAM. Pages are found again by
// their content (CRC-32, then compared byte for byte), so a page that goes
// back to an earlier content, or that many points share, is one copy.

import { crc32 } from "node:zlib";

const PAGE = 4096;

/** Node's Buffer (a native memcmp), absent in the browser. */
const NodeBuffer = (globalThis as { Buffer?: { compare(a: Uint8Array, b: Uint8Array): number } }).Buffer;

/** Two whole pages hold the same bytes. */
function samePage(a: Uint8Array, b: Uint8Array): boolean {
  if (NodeBuffer) return NodeBuffer.compare(a, b) === 0;
  const x = new Int32Array(a.buffer, a.byteOffset, PAGE >>> 2), y = new Int32Array(b.buffer, b.byteOffset, PAGE >>> 2);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export class RamHistory {
  private readonly pages: (Uint8Array | null)[] = [];
  private readonly refs: number[] = [];
  private readonly hashes: number[] = [];
  private readonly free: number[] = [];
  private readonly byHash = new Map<number, number[]>();
  private last: Int32Array | null = null;
  /** Bytes of page copies held. */
  bytes = 0;

  /** Records the pages of `ram`; returns their ids, one per page (release them with release()). */
  capture(ram: Uint8Array): Int32Array {
    const n = ram.length / PAGE;
    const ids = new Int32Array(n);
    const prev = this.last;
    for (let i = 0; i < n; i++) {
      const page = ram.subarray(i * PAGE, (i + 1) * PAGE);
      // Most pages did not change since the last capture: one comparison finds them.
      let id = prev !== null && this.pages[prev[i]] !== null && samePage(this.pages[prev[i]]!, page) ? prev[i] : -1;
      if (id < 0) id = this.find(page);
      this.refs[id]++;
      ids[i] = id;
    }
    this.last = ids;
    return ids;
  }

  /** Writes the pages `ids` recorded into `ram`. */
  restore(ids: Int32Array, ram: Uint8Array): void {
    for (let i = 0; i < ids.length; i++) ram.set(this.pages[ids[i]]!, i * PAGE);
  }

  /** Drops one capture: pages no other capture uses are freed. */
  release(ids: Int32Array): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (--this.refs[id] > 0) continue;
      const list = this.byHash.get(this.hashes[id])!;
      list.splice(list.indexOf(id), 1);
      if (list.length === 0) this.byHash.delete(this.hashes[id]);
      this.pages[id] = null;
      this.free.push(id);
      this.bytes -= PAGE;
    }
    if (this.last === ids) this.last = null;
  }

  /** The id of a page with this content, stored now if none is. */
  private find(page: Uint8Array): number {
    const h = crc32(page);
    const list = this.byHash.get(h);
    if (list) for (const c of list) if (samePage(this.pages[c]!, page)) return c;
    const id = this.free.pop() ?? this.pages.length;
    this.pages[id] = page.slice();
    this.refs[id] = 0;
    this.hashes[id] = h;
    if (list) list.push(id);
    else this.byHash.set(h, [id]);
    this.bytes += PAGE;
    return id;
  }
}
