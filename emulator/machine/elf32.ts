// Reading the parts of an ELF32 i386 executable a boot loader needs: the
// entry point and the PT_LOAD program headers. Malformed files become
// ImageErrors with a one-line message.

import { ImageError } from "./image-error.ts";

export const PT_LOAD = 1;

export interface ElfSegment {
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
}

export interface Elf32Image {
  entry: number;
  segments: ElfSegment[];
}

/** True when `data` starts with the ELF magic. */
export function isElf(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}

/**
 * Parses an ELF32 little-endian i386 executable. `name` prefixes error
 * messages. Throws ImageError for anything that is not one or is truncated.
 */
export function parseElf32(data: Uint8Array, name: string): Elf32Image {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (!isElf(data) || data.length < 52) throw new ImageError(`${name}: not an ELF file`);
  if (data[4] !== 1) throw new ImageError(`${name}: not a 32-bit ELF file`);
  if (data[5] !== 1) throw new ImageError(`${name}: not a little-endian ELF file`);
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (machine !== 3) throw new ImageError(`${name}: ELF file is not for i386 (machine ${machine})`);
  if (type !== 2) throw new ImageError(`${name}: ELF file is not an executable (type ${type})`);
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phnum > 0 && phentsize < 32) throw new ImageError(`${name}: bad ELF program header size ${phentsize}`);
  if (phoff + phnum * phentsize > data.length) throw new ImageError(`${name}: truncated file (program headers past the end)`);
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    segments.push({
      type: view.getUint32(o, true),
      offset: view.getUint32(o + 4, true),
      vaddr: view.getUint32(o + 8, true),
      paddr: view.getUint32(o + 12, true),
      filesz: view.getUint32(o + 16, true),
      memsz: view.getUint32(o + 20, true),
    });
  }
  return { entry, segments };
}
