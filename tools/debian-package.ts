// Debian's own i386 packages, fetched with `apt-get download` from the
// archive this machine's APT points at (Debian 12, with the i386 architecture
// added by `dpkg --add-architecture i386`, as .ci/run does), unpacked with
// dpkg-deb into a cache under the system's temporary directory. Used by the
// userland build (busybox, pinned by version and sha256) and by the tests that
// run distribution binaries (tests/support/debian.ts). Nothing fetched here is
// committed.

import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface UnpackedPackages {
  /** A directory holding the packages unpacked as on a Debian system (/lib, /usr/bin, ...). */
  root: string;
  /** The .deb files it was made from (name_version_arch.deb, URL-quoted as apt-get writes them). */
  debs: string[];
}

/** A package pinned to one build: apt-get's `name:arch=version` and the .deb's sha256. */
export interface PinnedPackage {
  name: string;
  version: string;
  sha256: string;
}

const CACHE = join(tmpdir(), "vmalab-debian");

/**
 * Downloads `packages` (apt-get download arguments such as "libc6:i386" or
 * "busybox-static:i386=1:1.35.0-4+deb12u1+b1") and unpacks them into one root,
 * once per machine: the cache is keyed by the argument list. When `sha256` is
 * given (one digest per package, in order) each .deb must match it.
 * Result: the root, or a one-line reason it cannot be had here (no apt-get,
 * no network, the version gone from the archive, a digest mismatch).
 */
export function unpackDebianPackages(packages: readonly string[], sha256?: readonly string[]): UnpackedPackages | { error: string } {
  const dir = join(CACHE, packages.join("+").replace(/[^\w+.-]/g, "_"));
  const root = join(dir, "root");
  if (existsSync(root)) return { root, debs: debsIn(dir) };
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    execFileSync("apt-get", ["download", ...packages], { cwd: work, stdio: "pipe", timeout: 120_000 });
    const debs = debsIn(work);
    if (sha256) {
      if (debs.length !== sha256.length) throw new Error(`expected ${sha256.length} .deb files, apt-get wrote ${debs.length}`);
      debs.forEach((d, i) => {
        const got = createHash("sha256").update(readFileSync(join(work, d))).digest("hex");
        if (got !== sha256[i]) throw new Error(`${decodeURIComponent(d)} has sha256 ${got}, not the pinned ${sha256[i]}`);
      });
    }
    for (const d of debs) execFileSync("dpkg-deb", ["-x", d, "root"], { cwd: work, stdio: "pipe" });
    mkdirSync(CACHE, { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    return { root, debs };
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    const err = e as { stderr?: Buffer; message: string };
    const why = (err.stderr?.toString().trim().split("\n").pop() || err.message).slice(0, 200);
    return { error: `cannot fetch Debian's ${packages.join(" ")} (apt-get download, with i386 added by dpkg --add-architecture): ${why}` };
  }
}

/** unpackDebianPackages for one pinned package. */
export function unpackPinned(p: PinnedPackage): UnpackedPackages | { error: string } {
  return unpackDebianPackages([`${p.name}=${p.version}`], [p.sha256]);
}

function debsIn(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".deb")).sort();
}
