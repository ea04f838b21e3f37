// Builders for small multiboot images (bytes) used by the machine and CLI tests.

export const MB_MAGIC = 0x1badb002;

/** A multiboot header: magic, flags, checksum, then `fields` (address fields) if given. */
export function mbHeader(flags: number, fields: number[] = [], checksumDelta = 0): Uint8Array {
  const words = [MB_MAGIC, flags >>> 0, (-(MB_MAGIC + flags) + checksumDelta) >>> 0, ...fields];
  const out = new Uint8Array(words.length * 4);
  const v = new DataView(out.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
  return out;
}

export interface Segment {
  vaddr: number;
  paddr: number;
  data: Uint8Array;
  memsz: number;
}

/** An ELF32 i386 executable with the given PT_LOAD segments; segment data starts at file offset 0x100. */
export function buildElf(entry: number, segments: Segment[]): Uint8Array {
  const phoff = 52;
  let offset = 0x100;
  const offsets = segments.map((s) => {
    const o = offset;
    offset += (s.data.length + 3) & ~3;
    return o;
  });
  const out = new Uint8Array(offset);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 3, true); // EM_386
  v.setUint32(20, 1, true);
  v.setUint32(24, entry >>> 0, true);
  v.setUint32(28, phoff, true);
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, segments.length, true);
  segments.forEach((s, i) => {
    const p = phoff + i * 32;
    v.setUint32(p, 1, true);
    v.setUint32(p + 4, offsets[i], true);
    v.setUint32(p + 8, s.vaddr >>> 0, true);
    v.setUint32(p + 12, s.paddr >>> 0, true);
    v.setUint32(p + 16, s.data.length, true);
    v.setUint32(p + 20, s.memsz, true);
    v.setUint32(p + 24, 7, true);
    out.set(s.data, offsets[i]);
  });
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
