// The guest programs of `npm run bench:cpu`: small multiboot kernels (src/*.asm, built
// into bin/ by build.sh) that both vmalab and v86 boot through their multiboot loaders.
// Each runs a fixed amount of work, prints "<name> <checksum>\n" on COM1 and halts with
// interrupts off (the contract is in src/frame.inc).

import { readFileSync } from "node:fs";

export interface KernelWorkload {
  /** Name used on the command line, in the table and as the kernel's first output word. */
  name: string;
  /** One line for the table. */
  description: string;
}

export const KERNEL_WORKLOADS: readonly KernelWorkload[] = [
  { name: "int", description: "integer loop: ALU, table loads/stores, branches, call/ret" },
  { name: "mem", description: "loads/stores (dword, word, byte) over 16 MiB, a new page each iteration" },
  { name: "call", description: "recursive calls, an indirect call, jump-table dispatch, conditional branches" },
  { name: "string", description: "REP STOSB, REP MOVSD, REPE CMPSB over 64 KiB buffers" },
];

/** Guest RAM both emulators get for the kernels (the kernels map and use 32 MiB). */
export const KERNEL_RAM = 32 << 20;

/** Byte offset of the `iterations` dword in every kernel image (src/frame.inc). */
const ITERATIONS_OFFSET = 32;

/** Path of the built kernel `name` (bin/NAME.bin beside this file). */
export function kernelPath(name: string): string {
  return new URL(`./bin/${name}.bin`, import.meta.url).pathname;
}

/** The kernel's bytes; with `iterations` (1 .. 2^31-1) that count is patched in, else the built default runs. Throws for an unknown name. */
export function kernelImage(name: string, iterations?: number, path = kernelPath(name)): Uint8Array {
  if (!KERNEL_WORKLOADS.some((w) => w.name === name)) throw new Error(`unknown CPU workload '${name}'`);
  const image = new Uint8Array(readFileSync(path));
  if (iterations !== undefined) {
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > 0x7fffffff) throw new RangeError(`iterations must be 1 .. 2^31-1, not ${iterations}`);
    new DataView(image.buffer, image.byteOffset).setUint32(ITERATIONS_OFFSET, iterations, true);
  }
  return image;
}

/** The iteration count an image will run (the dword at offset 32). */
export function kernelIterations(image: Uint8Array): number {
  return new DataView(image.buffer, image.byteOffset).getUint32(ITERATIONS_OFFSET, true);
}
