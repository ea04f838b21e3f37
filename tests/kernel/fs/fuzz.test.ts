import { describe, it, expect } from "vitest";
import { makeWorld } from "./world.ts";
import { KernelRandom } from "../../../kernel/fs/devfs.ts";
import { sysOpen, sysClose, sysChdir, sysGetcwd, sysTruncate, AT_FDCWD } from "../../../kernel/fs/open.ts";
import { sysMkdir, sysRmdir, sysUnlink, sysRename, sysSymlinkat, sysLinkat, sysReadlinkat } from "../../../kernel/fs/dirops.ts";
import { sysRead, sysWrite, sysLlseek } from "../../../kernel/fs/readwrite.ts";
import { sysStat64, sysLstat64 } from "../../../kernel/fs/stat.ts";
import { sysGetdents64 } from "../../../kernel/fs/readdir.ts";
import { O_RDONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND } from "../../../kernel/fs/file.ts";
import type { Inode } from "../../../kernel/fs/inode.ts";
import { isDir } from "../../../kernel/fs/mode.ts";

/** Walk a ramfs tree checking link counts and parent pointers; returns the inodes reached. */
function check(dir: Inode, seen: Set<Inode>): void {
  seen.add(dir);
  let subdirs = 0;
  for (const [, e] of dir.entries!) {
    if (isDir(e.inode.mode)) {
      subdirs++;
      expect(e.inode.parent).toBe(dir);
      check(e.inode, seen);
    } else {
      seen.add(e.inode);
    }
  }
  expect(dir.nlink).toBe(2 + subdirs);
}

describe("VFS under random operations", () => {
  it("never throws and keeps link counts, parents and inode usage consistent", () => {
    const w = makeWorld();
    const c = w.caller;
    const rng = new KernelRandom(42);
    const pick = <T,>(xs: readonly T[]): T => xs[rng.next32() % xs.length];
    const parts = ["a", "b", "c", "l", ".", "..", ""];
    const path = () => {
      const n = 1 + (rng.next32() % 4);
      let p = rng.next32() % 2 ? "/" : "";
      for (let i = 0; i < n; i++) p += pick(parts) + (i < n - 1 || rng.next32() % 5 === 0 ? "/" : "");
      return p || "a";
    };
    const fds: number[] = [];
    for (let step = 0; step < 4000; step++) {
      const op = rng.next32() % 16;
      const p = path();
      switch (op) {
        case 0: {
          const fd = sysOpen(c, p, pick([O_RDONLY, O_RDWR | O_CREAT, O_RDWR | O_TRUNC, O_RDWR | O_APPEND | O_CREAT]), 0o644);
          if (fd >= 0) fds.push(fd);
          break;
        }
        case 1:
          sysMkdir(c, p, 0o755);
          break;
        case 2:
          sysRmdir(c, p);
          break;
        case 3:
          sysUnlink(c, p);
          break;
        case 4:
          sysRename(c, p, path());
          break;
        case 5:
          sysSymlinkat(c, path(), AT_FDCWD, p);
          break;
        case 6:
          sysLinkat(c, AT_FDCWD, p, AT_FDCWD, path(), 0);
          break;
        case 7:
          if (fds.length) sysWrite(c, pick(fds), new Uint8Array(rng.next32() % 9000));
          break;
        case 8:
          if (fds.length) sysRead(c, pick(fds), rng.next32() % 9000);
          break;
        case 9:
          if (fds.length) sysLlseek(c, pick(fds), (rng.next32() % 20000) - 5000, rng.next32() % 5);
          break;
        case 10:
          if (fds.length) sysGetdents64(c, pick(fds), rng.next32() % 200);
          break;
        case 11:
          sysChdir(c, p);
          sysGetcwd(c, 4096);
          break;
        case 12:
          sysStat64(c, p);
          sysLstat64(c, p);
          sysReadlinkat(c, AT_FDCWD, p, 100);
          break;
        case 13:
          sysTruncate(c, p, rng.next32() % 10000);
          break;
        case 14:
          if (fds.length) sysClose(c, fds.splice(rng.next32() % fds.length, 1)[0]);
          break;
        case 15:
          if (fds.length > 0 && rng.next32() % 3 === 0) c.files.dup(pick(fds));
          break;
      }
    }
    const seen = new Set<Inode>();
    check(w.sb.root, seen);
    c.files.closeAll();
    const live = new Set<Inode>();
    check(w.sb.root, live);
    expect(w.sb.usedInodes).toBe(live.size);
    let pages = 0;
    for (const i of live) pages += i.data?.allocatedPages ?? 0;
    expect(w.sb.usedPages).toBe(pages);
  });
});
