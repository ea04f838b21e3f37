// Debian's busybox-static for i386: the guest's shell (ash) and its usual
// tools. The userland build fetches the pinned package, puts /bin/busybox in
// the image with one symbolic link per applet where busybox's own
// `--install -s` would put it, and writes the NOTICE that says what it is and
// where its source is.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { unpackPinned, type PinnedPackage } from "./debian-package.ts";
import { S_IFDIR, S_IFREG, writeCpio } from "./cpio.ts";
import { runToExit } from "../system/run-to-exit.ts";

/** The package, pinned: Debian 12 (bookworm) main, i386. */
export const BUSYBOX: PinnedPackage & { source: string; licence: string } = {
  name: "busybox-static:i386",
  version: "1:1.35.0-4+deb12u1+b1",
  sha256: "725ef9e6fbac4ab79b353165b05005e8c140d6e42177ebbc202ff1e13ded8b7c",
  source: "busybox 1:1.35.0-4+deb12u1",
  licence: "GPL-2",
};

/** The busybox binary of the pinned package, or why it cannot be had. */
export function fetchBusybox(): Uint8Array | { error: string } {
  const r = unpackPinned(BUSYBOX);
  return "error" in r ? r : new Uint8Array(readFileSync(join(r.root, "bin/busybox")));
}

/**
 * The applets' install paths as the binary itself lists them
 * (`busybox --list-full`: "bin/ash", "usr/bin/awk", ...), by running it on
 * vmalab with nothing else in the image. Throws when the run fails.
 */
export function busyboxApplets(busybox: Uint8Array): string[] {
  const image = writeCpio([
    { name: "bin", mode: S_IFDIR | 0o755 },
    { name: "bin/busybox", mode: S_IFREG | 0o755, data: busybox },
    ...["dev", "proc", "tmp"].map((name) => ({ name, mode: S_IFDIR | 0o755 })),
  ]);
  const r = runToExit(["/bin/busybox", "--list-full"], { builtinInitrd: image });
  if (r.waitStatus !== 0) throw new Error(`busybox --list-full ended with wait status ${r.waitStatus}: ${r.output.slice(0, 200)}`);
  const applets = r.output.split("\n").filter((l) => l !== "");
  if (!applets.includes("bin/sh")) throw new Error(`busybox --list-full has no bin/sh: ${r.output.slice(0, 200)}`);
  return applets;
}

/** The NOTICE file, in the image and as userland/NOTICE. */
export function busyboxNotice(): string {
  return [
    "Third-party software in the vmalab guest image (userland/build/initramfs.cpio)",
    "",
    `/bin/busybox and its applet links: Debian package ${BUSYBOX.name} ${BUSYBOX.version}`,
    `  .deb sha256 ${BUSYBOX.sha256}`,
    `  licence ${BUSYBOX.licence} (the package's /usr/share/doc/busybox-static/copyright)`,
    `  source package ${BUSYBOX.source}, from Debian's archive:`,
    `    apt-get source busybox=${BUSYBOX.source.split(" ")[1]}`,
    "    https://sources.debian.org/src/busybox/",
    "",
    "Everything else in the image is built from this repository's userland/.",
    "",
  ].join("\n");
}
