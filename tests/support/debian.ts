// Debian's own i386 packages for the tests that run real distribution
// binaries: fetched with `apt-get download` (Debian 12's archive, with the
// i386 architecture added as .ci/run does) into a cache under the system's
// temporary directory, unpacked with dpkg-deb, never committed. Callers skip
// with the reason when they cannot be had (tests/support/skip.ts).

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DebianRoot {
  /** A directory holding the packages unpacked as on a Debian system (/lib, /usr/bin, ...). */
  root: string;
  /** The .deb files it was made from (name_version_arch.deb), for messages. */
  debs: string[];
}

/**
 * The packages (e.g. ["libc6:i386", "coreutils:i386"]) unpacked into one root,
 * downloaded once per machine (the cache is keyed by the package list), or
 * why they cannot be had here.
 */
export function debianRoot(packages: readonly string[]): DebianRoot | { skip: string } {
  const dir = join(tmpdir(), "vmalab-debian", packages.join("+").replace(/[^\w+.-]/g, "_"));
  const root = join(dir, "root");
  if (existsSync(root)) return { root, debs: readdirSync(dir).filter((f) => f.endsWith(".deb")) };
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    execFileSync("apt-get", ["download", ...packages], { cwd: work, stdio: "pipe", timeout: 120_000 });
    const debs = readdirSync(work).filter((f) => f.endsWith(".deb"));
    for (const d of debs) execFileSync("dpkg-deb", ["-x", d, "root"], { cwd: work, stdio: "pipe" });
    mkdirSync(join(dir, ".."), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    return { root, debs };
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    const err = e as { stderr?: Buffer; message: string };
    const why = (err.stderr?.toString().trim().split("\n").pop() ?? err.message).slice(0, 200);
    return { skip: `cannot fetch Debian's ${packages.join(" ")} (apt-get download, with i386 added by dpkg --add-architecture): ${why}` };
  }
}
