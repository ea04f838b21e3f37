// A small file-system world for the fs unit tests: a ramfs root, a mount
// table, and a root caller with an fd table.
import { createRamfs } from "../../../kernel/fs/ramfs.ts";
import { ChrdevTable } from "../../../kernel/fs/chrdev.ts";
import { MountTable } from "../../../kernel/fs/mount.ts";
import { FsContext } from "../../../kernel/fs/fscontext.ts";
import type { FsCaller } from "../../../kernel/fs/fscontext.ts";
import { FdTable } from "../../../kernel/fs/fdtable.ts";
import { mkdev } from "../../../kernel/fs/mode.ts";
import type { FsClock } from "../../../kernel/fs/inode.ts";
import type { UserAccess } from "../../../kernel/fs/file.ts";

export class TestClock implements FsClock {
  s = 1_700_000_000;
  ns = 5;
  sec(): number {
    return this.s;
  }
  nsec(): number {
    return this.ns;
  }
}

/** A fake user address space: a flat 64 KiB array, addresses below 0x100 fault. */
export class FakeUser implements UserAccess {
  mem = new Uint8Array(65536);
  copyFromUser(addr: number, len: number): Uint8Array | number {
    if (addr < 0x100 || addr + len > this.mem.length) return -14;
    return this.mem.slice(addr, addr + len);
  }
  copyToUser(addr: number, src: Uint8Array): number {
    if (addr < 0x100 || addr + src.length > this.mem.length) return -14;
    this.mem.set(src, addr);
    return 0;
  }
  u32(addr: number): number {
    return new DataView(this.mem.buffer).getUint32(addr, true);
  }
}

export function makeWorld() {
  const clock = new TestClock();
  const chrdevs = new ChrdevTable();
  const sb = createRamfs({ dev: mkdev(0, 1), clock, chrdevs });
  const ns = new MountTable(sb);
  const fs = new FsContext(ns, ns.rootPath, ns.rootPath);
  const user = new FakeUser();
  const caller: FsCaller = { fs, files: new FdTable(), cred: { uid: 0, gid: 0 }, waiter: null, user, pid: 1, pgrp: 1, sid: 1 };
  return { clock, sb, ns, fs, caller, user, chrdevs };
}

export function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
export function str(b: Uint8Array | number): string {
  if (typeof b === "number") return `errno:${b}`;
  return String.fromCharCode(...b);
}
