// Debian's own i386 packages for the tests that run real distribution
// binaries (fetched and cached by tools/debian-package.ts, never committed).
// Callers skip with the reason when they cannot be had (tests/support/skip.ts).

import { unpackDebianPackages, type UnpackedPackages } from "../../tools/debian-package.ts";

export type DebianRoot = UnpackedPackages;

/**
 * The packages (e.g. ["libc6:i386", "coreutils:i386"]) unpacked into one root,
 * downloaded once per machine, or why they cannot be had here.
 */
export function debianRoot(packages: readonly string[]): DebianRoot | { skip: string } {
  const r = unpackDebianPackages(packages);
  return "error" in r ? { skip: r.error } : r;
}
