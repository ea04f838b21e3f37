// devfs: the /dev directory (a ramfs instance populated with device nodes) and
// the basic character drivers, registered in the chrdev table under Linux's
// numbers: mem 1:1, null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9,
// tty 5:0 (the caller's controlling terminal), console 5:1.

import { Errno } from "../errno.ts";
import type { FileOps, File, IoCaller } from "./file.ts";
import { POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "./file.ts";
import type { Inode, FsClock, SuperBlock } from "./inode.ts";
import { createRamfs } from "./ramfs.ts";
import type { ChrdevTable } from "./chrdev.ts";
import { mkdev, S_IFCHR, S_IFDIR } from "./mode.ts";
import { ROOT_CRED } from "./permission.ts";
import { attachTty } from "../tty/ttyfile.ts";
import { TMPFS_MAGIC } from "./tmpfs.ts";
export { TMPFS_MAGIC };
import type { Tty } from "../tty/tty.ts";
import { named } from "../named.ts";

export const MEM_MAJOR = 1;
export const TTYAUX_MAJOR = 5;


/** Positionless read/write "seek" of /dev/null and friends: always succeeds at 0 (as Linux's noop_llseek/null_lseek). */
function zeroLlseek(file: File): number {
  file.pos = 0;
  return 0;
}

const pollAlways = (): number => POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;

export const nullFops: FileOps = named("devfs.nullFops", {
  read: () => 0,
  write: (_f, src) => src.length,
  llseek: zeroLlseek,
  poll: pollAlways,
});

export const zeroFops: FileOps = named("devfs.zeroFops", {
  read: (_f, dst) => {
    dst.fill(0);
    return dst.length;
  },
  fills: true,
  write: (_f, src) => src.length,
  llseek: zeroLlseek,
  poll: pollAlways,
});

export const fullFops: FileOps = named("devfs.fullFops", {
  read: (_f, dst) => {
    dst.fill(0);
    return dst.length;
  },
  fills: true,
  write: (_f, src) => (src.length === 0 ? 0 : -Errno.ENOSPC),
  llseek: zeroLlseek,
  poll: pollAlways,
});

/** A deterministic generator (xoshiro128**) for /dev/random, /dev/urandom and AT_RANDOM. */
export class KernelRandom {
  private s = new Uint32Array(4);

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Reset the state from a 32-bit seed (expanded with splitmix32). */
  reseed(seed: number): void {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  next32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }

  fill(dst: Uint8Array): void {
    for (let i = 0; i < dst.length; i += 4) {
      let v = this.next32();
      for (let k = 0; k < 4 && i + k < dst.length; k++, v >>>= 8) dst[i + k] = v & 0xff;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export function randomFops(rng: KernelRandom): FileOps {
  return {
    read: (_f, dst) => {
      rng.fill(dst);
      return dst.length;
    },
    fills: true,
    write: (_f, src) => src.length,
    llseek: zeroLlseek,
    poll: pollAlways,
  };
}

/** How devfs finds terminals: the console, and the caller's controlling terminal for /dev/tty. */
export interface DevfsTtys {
  console: Tty;
  /** The controlling terminal of the calling task, or null (then /dev/tty gives ENXIO). */
  controlling(caller: IoCaller): Tty | null;
}

export interface DevfsOptions {
  dev: number;
  clock: FsClock;
  ttys: DevfsTtys;
  rng: KernelRandom;
  /** The kernel's driver table; the basic drivers are registered into it. */
  chrdevs: ChrdevTable;
}

/** Register the basic character drivers (idempotent: later calls replace earlier ones). */
export function registerBasicDrivers(table: ChrdevTable, ttys: DevfsTtys, rng: KernelRandom): void {
  table.register(MEM_MAJOR, 3, nullFops);
  table.register(MEM_MAJOR, 5, zeroFops);
  table.register(MEM_MAJOR, 7, fullFops);
  const rnd = randomFops(rng);
  table.register(MEM_MAJOR, 8, rnd);
  table.register(MEM_MAJOR, 9, rnd);
  table.register(TTYAUX_MAJOR, 1, {
    open(_inode: Inode, file: File): number {
      attachTty(file, ttys.console);
      return 0;
    },
  });
  table.register(TTYAUX_MAJOR, 0, {
    open(_inode: Inode, file: File, caller: IoCaller): number {
      const tty = ttys.controlling(caller);
      if (tty === null) return -Errno.ENXIO;
      attachTty(file, tty);
      return 0;
    },
  });
}

/** The standard nodes: [name, mode, major, minor]. */
export const DEV_NODES: readonly [string, number, number, number][] = [
  ["null", 0o666, 1, 3],
  ["zero", 0o666, 1, 5],
  ["full", 0o666, 1, 7],
  ["random", 0o666, 1, 8],
  ["urandom", 0o666, 1, 9],
  ["tty", 0o666, 5, 0],
  ["console", 0o600, 5, 1],
  ["mem", 0o640, 1, 1],
  ["vmstat", 0o444, 10, 240],
];

/**
 * A devfs instance (tmpfs-like, mounted on /dev) with the standard nodes,
 * /dev/fd -> /proc/self/fd, /dev/stdin|stdout|stderr, and the drivers registered.
 */
export function createDevfs(opts: DevfsOptions): SuperBlock {
  registerBasicDrivers(opts.chrdevs, opts.ttys, opts.rng);
  const sb = createRamfs({ dev: opts.dev, clock: opts.clock, type: "devtmpfs", magic: TMPFS_MAGIC, chrdevs: opts.chrdevs });
  const root = sb.root;
  for (const [name, perm, major, minor] of DEV_NODES) {
    root.iop.create!(root, name, S_IFCHR | perm, mkdev(major, minor), ROOT_CRED);
  }
  root.iop.create!(root, "pts", S_IFDIR | 0o755, 0, ROOT_CRED);
  const links: [string, string][] = [["fd", "/proc/self/fd"], ["stdin", "/proc/self/fd/0"], ["stdout", "/proc/self/fd/1"], ["stderr", "/proc/self/fd/2"]];
  for (const [name, target] of links) root.iop.symlink!(root, name, target, ROOT_CRED);
  return sb;
}
