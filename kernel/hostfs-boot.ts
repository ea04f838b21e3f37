// Mounting the host folders at boot: when the host-folder device is present,
// each folder it shares is mounted on the guest path it names (its mount tag),
// the directories on the way made as `mkdir -p` would, before init runs. The
// device's requests and data go through one kernel frame and a bounce buffer
// of HOSTFS_BOUNCE_PAGES kernel frames, kept for the kernel's lifetime.

import type { Kernel } from "./kernel.ts";
import { Errno } from "./errno.ts";
import type { FsCaller } from "./fs/fscontext.ts";
import type { MountTable } from "./fs/mount.ts";
import type { FsClock } from "./fs/inode.ts";
import { mkdev } from "./fs/mode.ts";
import { sysMkdirat } from "./fs/dirops.ts";
import { lookupAt, AT_FDCWD } from "./fs/open.ts";
import { createHostfs } from "./fs/hostfs.ts";
import { HostFsChannel, hostFsPresent, hostFsShares } from "./arch/hostfs-channel.ts";

/** Bounce-buffer frames: the most one read or write request moves is 16 pages (64 KiB, RW_CHUNK). */
export const HOSTFS_BOUNCE_PAGES = 16;
/** Minor device numbers of hostfs mounts start here (major 0, as Linux's anonymous devices). */
const HOSTFS_MINOR_BASE = 40;

/** mkdir -p path (absolute): 0 or -errno. */
function mkdirP(caller: FsCaller, path: string): number {
  let prefix = "";
  for (const c of path.split("/").filter((s) => s !== "")) {
    prefix += "/" + c;
    const r = sysMkdirat(caller, AT_FDCWD, prefix, 0o755);
    if (r < 0 && r !== -Errno.EEXIST) return r;
  }
  return 0;
}

/**
 * Mounts every share of the host-folder device (none when there is no
 * device). Result: null, or a one-line reason the boot cannot go on.
 */
export function mountHostShares(k: Kernel, caller: FsCaller, ns: MountTable, clock: FsClock): string | null {
  if (!hostFsPresent(k.x86)) return null;
  const n = hostFsShares(k.x86);
  if (n === 0) return null;
  const frames = k.mmctx.frames;
  const pfns: number[] = [];
  for (let i = 0; i < 1 + HOSTFS_BOUNCE_PAGES; i++) {
    const pfn = frames.allocKernelPage();
    if (pfn < 0) return "hostfs: no memory for the device's buffers";
    pfns.push(pfn);
  }
  const chan = new HostFsChannel(k.x86, pfns[0] * 4096, pfns.slice(1).map((p) => p * 4096));
  for (let i = 0; i < n; i++) {
    const fs = createHostfs(chan, i, mkdev(0, HOSTFS_MINOR_BASE + i), clock);
    if (typeof fs === "number") return `hostfs: cannot attach host folder ${i} (${Errno[-fs] ?? `error ${-fs}`})`;
    const made = mkdirP(caller, fs.guestPath);
    if (made < 0) return `hostfs: cannot make mount point ${fs.guestPath} (${Errno[-made] ?? `error ${-made}`})`;
    const at = lookupAt(caller, AT_FDCWD, fs.guestPath, true);
    if (typeof at === "number") return `hostfs: cannot find mount point ${fs.guestPath} (${Errno[-at]})`;
    const r = ns.mount(fs.sb, at);
    if (r < 0) return `hostfs: cannot mount on ${fs.guestPath} (${Errno[-r] ?? `error ${-r}`})`;
  }
  return null;
}
