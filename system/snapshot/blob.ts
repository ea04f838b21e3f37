// Large byte arrays in a snapshot (guest RAM above all): whole 4 KiB pages of
// zeros are dropped (a page map records which pages are present), the rest is
// deflated at the fastest level. Most of a freshly booted 128 MiB PC is zeros.

import { deflateRawSync, inflateRawSync } from "node:zlib";

const PAGE = 4096;

/** Encodes `bytes` (any length); result: pageCount u32, present map (one byte per page), then deflated pages. */
export function encodeBlob(bytes: Uint8Array, level = 1): Uint8Array {
  const pages = Math.ceil(bytes.length / PAGE);
  const map = new Uint8Array(pages);
  const aligned = bytes.byteOffset % 4 === 0;
  const words = aligned ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2) : null;
  let present = 0;
  for (let p = 0; p < pages; p++) {
    const start = p * PAGE;
    const end = Math.min(start + PAGE, bytes.length);
    let nonzero = false;
    if (words && end - start === PAGE) {
      for (let w = start >>> 2, e = end >>> 2; w < e; w++) if (words[w] !== 0) { nonzero = true; break; }
    } else {
      for (let i = start; i < end; i++) if (bytes[i] !== 0) { nonzero = true; break; }
    }
    if (nonzero) { map[p] = 1; present++; }
  }
  const body = new Uint8Array(pages + present * PAGE);
  body.set(map, 0);
  let o = pages;
  for (let p = 0; p < pages; p++) {
    if (map[p] === 0) continue;
    const start = p * PAGE;
    body.set(bytes.subarray(start, Math.min(start + PAGE, bytes.length)), o);
    o += PAGE;
  }
  const packed = deflateRawSync(body, { level });
  const out = new Uint8Array(8 + packed.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, pages, true);
  v.setUint32(4, bytes.length, true);
  out.set(packed, 8);
  return out;
}

/** Decodes encodeBlob's output into `into` (exactly the original length) or a new array. Throws on corrupt data. */
export function decodeBlob(blob: Uint8Array, into?: Uint8Array): Uint8Array {
  const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const pages = v.getUint32(0, true);
  const length = v.getUint32(4, true);
  const out = into ?? new Uint8Array(length);
  if (out.length !== length) throw new Error(`snapshot: blob of ${length} bytes restored into ${out.length}`);
  const body = inflateRawSync(blob.subarray(8));
  let o = pages;
  for (let p = 0; p < pages; p++) {
    const start = p * PAGE;
    const end = Math.min(start + PAGE, length);
    if (body[p] === 0) out.fill(0, start, end);
    else {
      out.set(body.subarray(o, o + end - start), start);
      o += PAGE;
    }
  }
  return out;
}
