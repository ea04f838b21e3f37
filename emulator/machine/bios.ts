// Starting a PC from a ROM image (--bios rom.bin): the image is mapped
// read-only so that it ends at 0xFFFFF (below 1 MiB) and again at the top of
// the 4 GiB space (ending at 0xFFFFFFFF), where the reset vector F000:FFF0
// (linear 0xFFFFFFF0) finds its last 16 bytes. The CPU itself is put in its
// reset state by the machine.

import type { PhysicalMemory } from "../memory/physmem.ts";
import { ImageError } from "./image-error.ts";

export const MIN_ROM = 4 * 1024;
export const MAX_ROM = 256 * 1024;

/** Checks that a ROM image has a size the PC map can hold: 4-256 KiB, a multiple of 4 KiB. Throws ImageError. */
export function validateRom(rom: Uint8Array, name = "bios"): void {
  if (rom.length < MIN_ROM || rom.length > MAX_ROM || rom.length % 4096 !== 0) {
    throw new ImageError(
      `${name}: ROM image is ${rom.length} bytes; it must be 4 KiB to 256 KiB and a multiple of 4 KiB`,
    );
  }
}

/** Maps `rom` below 1 MiB and below 4 GiB. The RAM must be at least 1 MiB. Throws ImageError for a bad size. */
export function mapBios(mem: PhysicalMemory, rom: Uint8Array, name = "bios"): void {
  validateRom(rom, name);
  mem.mapRom(0x100000 - rom.length, rom);
  mem.mapRom(2 ** 32 - rom.length, rom);
}
