// The part of Node's zlib the snapshot code uses (system/snapshot/), for the
// browser build: vite.config.ts resolves `node:zlib` to this file. Raw
// deflate streams come from fflate, so a file saved in the browser inflates
// in Node and the other way round; CRC-32 is the ISO-HDLC one Node computes
// (reflected polynomial 0xEDB88320), so checksums agree too.

import { deflateSync, inflateSync } from "fflate";

/** Raw deflate (no zlib header), as zlib.deflateRawSync. */
export function deflateRawSync(data: Uint8Array, options: { level?: number } = {}): Uint8Array {
  const level = Math.max(0, Math.min(9, options.level ?? 6)) as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  return deflateSync(data, { level });
}

/** Inflates a raw deflate stream; throws on corrupt data, as zlib.inflateRawSync. */
export function inflateRawSync(data: Uint8Array): Uint8Array {
  return inflateSync(data);
}

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();
const utf8 = new TextEncoder();

/** CRC-32 of `data` (a string as UTF-8), continuing from `value`, as zlib.crc32. */
export function crc32(data: Uint8Array | string, value = 0): number {
  const bytes = typeof data === "string" ? utf8.encode(data) : data;
  let c = ~value;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
