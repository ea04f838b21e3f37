// The built-in initramfs (userland/build/initramfs.cpio, with the benchmark
// programs at /bench/*) read from disk once, for the Node-side runs of
// system/guest-run.ts: the benchmarks, `vmalab diff-designs` and their tests.

import { readFileSync } from "node:fs";

export const INITRD_URL = new URL("../userland/build/initramfs.cpio", import.meta.url);

let initrd: Uint8Array | null = null;
/** The initramfs image, read once. Throws with a clear message when it has not been built. */
export function builtinInitrd(): Uint8Array {
  if (!initrd) {
    try {
      initrd = readFileSync(INITRD_URL);
    } catch {
      throw new Error(`no initramfs at ${INITRD_URL.pathname}: run \`npm run build:userland\` first`);
    }
  }
  return initrd;
}
