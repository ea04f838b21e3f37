// Encoders for the x86 descriptor formats the kernel writes: GDT segment and
// system descriptors, and IDT gates (Intel SDM vol. 3, chapters 3 and 6).

/** Access bytes of the flat segments and the TSS. */
export const enum Access {
  KERNEL_CODE = 0x9a, // present, DPL 0, code, readable
  KERNEL_DATA = 0x92, // present, DPL 0, data, writable
  USER_CODE = 0xfa, // present, DPL 3, code, readable
  USER_DATA = 0xf2, // present, DPL 3, data, writable
  TSS32 = 0x89, // present, DPL 0, available 32-bit TSS
}

/**
 * A segment descriptor as two little-endian dwords [low, high].
 * limit is in bytes when below 1 MiB, otherwise it must be 4 KiB granular (low 12 bits set)
 * and the G bit is used. flags32 sets D/B (32-bit segment) for code and data.
 */
export function segmentDescriptor(base: number, limit: number, access: number, flags32: boolean): [number, number] {
  let g = 0;
  if (limit > 0xfffff) {
    limit = limit >>> 12;
    g = 1;
  }
  const low = ((base & 0xffff) << 16) | (limit & 0xffff);
  const high =
    ((base >>> 16) & 0xff) |
    ((access & 0xff) << 8) |
    (limit & 0xf0000) |
    ((flags32 ? 1 : 0) << 22) |
    (g << 23) |
    (base & 0xff000000);
  return [low | 0, high | 0];
}

/** A 32-bit interrupt gate (IF cleared on entry) to selector:offset with the given DPL. */
export function interruptGate(selector: number, offset: number, dpl: number): [number, number] {
  const low = (selector << 16) | (offset & 0xffff);
  const high = (offset & 0xffff0000) | 0x8000 | ((dpl & 3) << 13) | (0xe << 8);
  return [low | 0, high | 0];
}
