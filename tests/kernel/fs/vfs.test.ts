import { describe, it, expect } from "vitest";
import { makeWorld, bytes, str } from "./world.ts";
import { Errno } from "../../../kernel/errno.ts";
import { sysFchmodat, sysOpen, sysClose, sysChdir, sysGetcwd, sysFtruncate, sysTruncate, sysFaccessat, sysMknodat, AT_FDCWD, sysOpenat } from "../../../kernel/fs/open.ts";
import { sysMkdir, sysRmdir, sysUnlink, sysRename, sysSymlinkat, sysReadlinkat, sysLinkat } from "../../../kernel/fs/dirops.ts";
import { sysRead, sysWrite, sysLlseek, sysLseek, sysPread64 } from "../../../kernel/fs/readwrite.ts";
import { sysStat64, sysLstat64, sysFstat64 } from "../../../kernel/fs/stat.ts";
import { sysGetdents64 } from "../../../kernel/fs/readdir.ts";
import { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC, O_NONBLOCK } from "../../../kernel/fs/file.ts";
import { F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC, FD_CLOEXEC } from "../../../kernel/fs/fdtable.ts";
import { createRamfs } from "../../../kernel/fs/ramfs.ts";
import { mkdev, S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO } from "../../../kernel/fs/mode.ts";
import { lookupAt } from "../../../kernel/fs/open.ts";

function writeFile(w: ReturnType<typeof makeWorld>, path: string, text: string) {
  const fd = sysOpen(w.caller, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  expect(fd).toBeGreaterThanOrEqual(0);
  expect(sysWrite(w.caller, fd, bytes(text))).toBe(text.length);
  sysClose(w.caller, fd);
}
function readFile(w: ReturnType<typeof makeWorld>, path: string): string {
  const fd = sysOpen(w.caller, path, O_RDONLY, 0);
  if (fd < 0) return `errno:${fd}`;
  const r = sysRead(w.caller, fd, 1 << 30);
  sysClose(w.caller, fd);
  return str(r);
}

describe("path resolution", () => {
  it("handles . and .. and repeated slashes, .. at root stays at root", () => {
    const w = makeWorld();
    expect(sysMkdir(w.caller, "/a", 0o755)).toBe(0);
    expect(sysMkdir(w.caller, "/a/b", 0o755)).toBe(0);
    writeFile(w, "/a/b/f", "hello");
    expect(readFile(w, "//a/./b/../b//f")).toBe("hello");
    expect(readFile(w, "/../../a/b/f")).toBe("hello");
    expect(sysChdir(w.caller, "/a/b")).toBe(0);
    expect(readFile(w, "f")).toBe("hello");
    expect(readFile(w, "../b/./f")).toBe("hello");
    expect(str(sysGetcwd(w.caller, 100))).toBe("/a/b\0");
    expect(sysGetcwd(w.caller, 4)).toBe(-Errno.ERANGE);
  });

  it("gives ENOENT, ENOTDIR, ENAMETOOLONG and ELOOP as Linux", () => {
    const w = makeWorld();
    writeFile(w, "/file", "x");
    expect(sysOpen(w.caller, "", O_RDONLY, 0)).toBe(-Errno.ENOENT);
    expect(sysOpen(w.caller, "/nope", O_RDONLY, 0)).toBe(-Errno.ENOENT);
    expect(sysOpen(w.caller, "/nope/x", O_RDONLY, 0)).toBe(-Errno.ENOENT);
    expect(sysOpen(w.caller, "/file/x", O_RDONLY, 0)).toBe(-Errno.ENOTDIR);
    expect(sysOpen(w.caller, "/file/", O_RDONLY, 0)).toBe(-Errno.ENOTDIR);
    expect(sysOpen(w.caller, "/" + "n".repeat(256), O_RDONLY, 0)).toBe(-Errno.ENAMETOOLONG);
    expect(sysOpen(w.caller, "/" + "n".repeat(255), O_RDONLY, 0)).toBe(-Errno.ENOENT);
    expect(sysOpen(w.caller, "/" + "a/".repeat(2048), O_RDONLY, 0)).toBe(-Errno.ENAMETOOLONG);
    expect(sysSymlinkat(w.caller, "/loop2", AT_FDCWD, "/loop1")).toBe(0);
    expect(sysSymlinkat(w.caller, "/loop1", AT_FDCWD, "/loop2")).toBe(0);
    expect(sysOpen(w.caller, "/loop1", O_RDONLY, 0)).toBe(-Errno.ELOOP);
    expect(sysOpen(w.caller, "/file", O_RDONLY | O_DIRECTORY, 0)).toBe(-Errno.ENOTDIR);
    expect(sysOpen(w.caller, "/", O_WRONLY, 0)).toBe(-Errno.EISDIR);
  });

  it("follows up to 40 symlinks and fails on the 41st", () => {
    const w = makeWorld();
    writeFile(w, "/target", "T");
    expect(sysSymlinkat(w.caller, "/target", AT_FDCWD, "/l0")).toBe(0);
    for (let i = 1; i <= 40; i++) expect(sysSymlinkat(w.caller, `/l${i - 1}`, AT_FDCWD, `/l${i}`)).toBe(0);
    expect(readFile(w, "/l39")).toBe("T"); // 40 links followed
    expect(readFile(w, "/l40")).toBe(`errno:${-Errno.ELOOP}`); // 41
  });

  it("resolves relative symlinks from the link's directory, O_NOFOLLOW gives ELOOP", () => {
    const w = makeWorld();
    sysMkdir(w.caller, "/d", 0o755);
    writeFile(w, "/d/real", "R");
    expect(sysSymlinkat(w.caller, "real", AT_FDCWD, "/d/ln")).toBe(0);
    expect(sysSymlinkat(w.caller, "d", AT_FDCWD, "/dl")).toBe(0);
    expect(readFile(w, "/d/ln")).toBe("R");
    expect(readFile(w, "/dl/ln")).toBe("R");
    expect(readFile(w, "/dl/../d/real")).toBe("R");
    expect(sysOpen(w.caller, "/d/ln", O_RDONLY | O_NOFOLLOW, 0)).toBe(-Errno.ELOOP);
    expect(str(sysReadlinkat(w.caller, AT_FDCWD, "/d/ln", 100))).toBe("real");
    expect(str(sysReadlinkat(w.caller, AT_FDCWD, "/d/ln", 2))).toBe("re");
    expect(sysReadlinkat(w.caller, AT_FDCWD, "/d/real", 100)).toBe(-Errno.EINVAL);
    expect(sysSymlinkat(w.caller, "x", AT_FDCWD, "/d/ln")).toBe(-Errno.EEXIST);
  });

  it("crosses mounts both ways and reports EXDEV for rename across them", () => {
    const w = makeWorld();
    sysMkdir(w.caller, "/tmp", 0o1777);
    const tmp = createRamfs({ dev: mkdev(0, 2), clock: w.clock, type: "tmpfs" });
    const at = lookupAt(w.caller, AT_FDCWD, "/tmp", true);
    if (typeof at === "number") throw new Error("lookup");
    expect(w.ns.mount(tmp, at)).toBe(0);
    writeFile(w, "/tmp/x", "in tmp");
    writeFile(w, "/y", "in root");
    expect(readFile(w, "/tmp/../y")).toBe("in root");
    expect(sysChdir(w.caller, "/tmp")).toBe(0);
    expect(str(sysGetcwd(w.caller, 64))).toBe("/tmp\0");
    expect(readFile(w, "../tmp/x")).toBe("in tmp");
    expect(sysRename(w.caller, "/tmp/x", "/x")).toBe(-Errno.EXDEV);
    expect(sysRmdir(w.caller, "/tmp")).toBe(-Errno.EBUSY);
    const st = sysStat64(w.caller, "/tmp/x");
    if (typeof st === "number") throw new Error("stat");
    expect(new DataView(st.buffer).getUint32(0, true)).toBe(2); // st_dev 0:2
  });
});

describe("open and file I/O", () => {
  it("O_CREAT|O_EXCL, O_TRUNC, O_APPEND, lseek and holes", () => {
    const w = makeWorld();
    const c = w.caller;
    const fd = sysOpen(c, "/f", O_RDWR | O_CREAT | O_EXCL, 0o600);
    expect(fd).toBe(0);
    expect(sysOpen(c, "/f", O_RDWR | O_CREAT | O_EXCL, 0o600)).toBe(-Errno.EEXIST);
    expect(sysWrite(c, fd, bytes("abcdef"))).toBe(6);
    expect(sysLlseek(c, fd, 0, 0)).toBe(0);
    expect(str(sysRead(c, fd, 3))).toBe("abc");
    expect(sysLlseek(c, fd, -1, 1)).toBe(2);
    expect(sysLlseek(c, fd, -10, 1)).toBe(-Errno.EINVAL);
    expect(sysLlseek(c, fd, 0, 7)).toBe(-Errno.EINVAL);
    expect(sysLlseek(c, fd, 10, 2)).toBe(16);
    expect(sysWrite(c, fd, bytes("Z"))).toBe(1);
    expect(readFile(w, "/f")).toBe("abcdef" + "\0".repeat(10) + "Z");
    expect(sysLseek(c, fd, 0, 0)).toBe(0);
    expect(sysLlseek(c, fd, 0x80000000, 0)).toBe(0x80000000);
    expect(str(sysRead(c, fd, 100))).toBe("");
    sysClose(c, fd);
    const a = sysOpen(c, "/f", O_WRONLY | O_APPEND, 0);
    expect(sysWrite(c, a, bytes("!"))).toBe(1);
    expect(readFile(w, "/f").length).toBe(18);
    sysClose(c, a);
    const t = sysOpen(c, "/f", O_WRONLY | O_TRUNC, 0);
    expect(readFile(w, "/f")).toBe("");
    expect(sysFtruncate(c, t, 5000)).toBe(0);
    expect(readFile(w, "/f")).toBe("\0".repeat(5000));
    expect(sysTruncate(c, "/f", 3)).toBe(0);
    expect(sysTruncate(c, "/f", -1)).toBe(-Errno.EINVAL);
    expect(sysPread64(c, t, 10, 0)).toBe(-Errno.EBADF);
    const r = sysOpen(c, "/f", O_RDONLY, 0);
    expect(sysFtruncate(c, r, 0)).toBe(-Errno.EINVAL);
    expect(sysWrite(c, r, bytes("x"))).toBe(-Errno.EBADF);
    expect(str(sysPread64(c, r, 10, 1))).toBe("\0\0");
    expect(sysRead(c, 99, 10)).toBe(-Errno.EBADF);
    expect(sysRead(c, -1, 10)).toBe(-Errno.EBADF);
  });

  it("a huge read count allocates only what the file holds", () => {
    const w = makeWorld();
    writeFile(w, "/small", "12345");
    const fd = sysOpen(w.caller, "/small", O_RDONLY, 0);
    const r = sysRead(w.caller, fd, 0x7fffffff);
    expect(r).toBeInstanceOf(Uint8Array);
    expect((r as Uint8Array).buffer.byteLength).toBe(5);
  });

  it("keeps an unlinked open file readable until the last close", () => {
    const w = makeWorld();
    writeFile(w, "/gone", "still here");
    const fd = sysOpen(w.caller, "/gone", O_RDONLY, 0);
    expect(sysUnlink(w.caller, "/gone")).toBe(0);
    expect(sysOpen(w.caller, "/gone", O_RDONLY, 0)).toBe(-Errno.ENOENT);
    expect(str(sysRead(w.caller, fd, 100))).toBe("still here");
    const st = sysFstat64(w.caller, fd) as Uint8Array;
    expect(new DataView(st.buffer).getUint32(20, true)).toBe(0); // nlink
    expect(sysClose(w.caller, fd)).toBe(0);
    expect(sysClose(w.caller, fd)).toBe(-Errno.EBADF);
  });

  it("checks permissions for non-root callers and access()", () => {
    const w = makeWorld();
    writeFile(w, "/secret", "s");
    sysMkdir(w.caller, "/pub", 0o777);
    expect(sysFchmodat(w.caller, AT_FDCWD, "/pub", 0o777)).toBe(0);
    const user = { ...w.caller, cred: { uid: 1000, gid: 1000 } };
    (lookupAt(w.caller, AT_FDCWD, "/secret", true) as { inode: { mode: number } }).inode.mode = S_IFREG | 0o600;
    expect(sysOpen(user, "/secret", O_RDONLY, 0)).toBe(-Errno.EACCES);
    expect(sysFaccessat(user, AT_FDCWD, "/secret", 4)).toBe(-Errno.EACCES);
    expect(sysFaccessat(user, AT_FDCWD, "/secret", 0)).toBe(0);
    expect(sysFaccessat(w.caller, AT_FDCWD, "/secret", 6)).toBe(0);
    expect(sysFaccessat(w.caller, AT_FDCWD, "/secret", 1)).toBe(-Errno.EACCES);
    expect(sysFaccessat(w.caller, AT_FDCWD, "/secret", 8)).toBe(-Errno.EINVAL);
    expect(sysOpen(user, "/newfile", O_WRONLY | O_CREAT, 0o644)).toBe(-Errno.EACCES);
    const fd = sysOpen(user, "/pub/mine", O_WRONLY | O_CREAT, 0o666);
    expect(fd).toBeGreaterThanOrEqual(0);
    const st = sysStat64(w.caller, "/pub/mine") as Uint8Array;
    const v = new DataView(st.buffer);
    expect(v.getUint32(16, true)).toBe(S_IFREG | 0o644); // umask 022
    expect(v.getUint32(24, true)).toBe(1000);
    expect(v.getUint32(28, true)).toBe(1000);
    expect(sysMknodat(user, AT_FDCWD, "/pub/dev", 0o20666, 0x103)).toBe(-Errno.EPERM);
    expect(sysMknodat(user, AT_FDCWD, "/pub/fifo", S_IFIFO | 0o644, 0)).toBe(0);
    expect(sysFchmodat(user, AT_FDCWD, "/secret", 0o777)).toBe(-Errno.EPERM);
    expect(sysFchmodat(user, AT_FDCWD, "/pub/mine", 0o600)).toBe(0);
  });
});

describe("directories", () => {
  it("mkdir/rmdir errors: EEXIST, ENOTEMPTY, ENOTDIR, EINVAL for '.', EBUSY for '/'", () => {
    const w = makeWorld();
    const c = w.caller;
    expect(sysMkdir(c, "/d", 0o755)).toBe(0);
    expect(sysMkdir(c, "/d", 0o755)).toBe(-Errno.EEXIST);
    expect(sysMkdir(c, "/", 0o755)).toBe(-Errno.EEXIST);
    expect(sysMkdir(c, "/x/y", 0o755)).toBe(-Errno.ENOENT);
    writeFile(w, "/d/f", "");
    expect(sysRmdir(c, "/d")).toBe(-Errno.ENOTEMPTY);
    expect(sysRmdir(c, "/d/f")).toBe(-Errno.ENOTDIR);
    expect(sysRmdir(c, "/d/.")).toBe(-Errno.EINVAL);
    expect(sysRmdir(c, "/d/..")).toBe(-Errno.ENOTEMPTY);
    expect(sysRmdir(c, "/")).toBe(-Errno.EBUSY);
    expect(sysUnlink(c, "/d")).toBe(-Errno.EISDIR);
    expect(sysUnlink(c, "/d/f/")).toBe(-Errno.ENOTDIR);
    expect(sysUnlink(c, "/d/f")).toBe(0);
    expect(sysRmdir(c, "/d/")).toBe(0);
    expect(sysRmdir(c, "/d")).toBe(-Errno.ENOENT);
  });

  it("counts directory links like Linux (2 + subdirectories)", () => {
    const w = makeWorld();
    sysMkdir(w.caller, "/p", 0o755);
    sysMkdir(w.caller, "/p/a", 0o755);
    sysMkdir(w.caller, "/p/b", 0o755);
    writeFile(w, "/p/f", "");
    const nlink = (p: string) => new DataView((sysStat64(w.caller, p) as Uint8Array).buffer).getUint32(20, true);
    expect(nlink("/p")).toBe(4);
    expect(nlink("/p/a")).toBe(2);
    sysRename(w.caller, "/p/a", "/a");
    expect(nlink("/p")).toBe(3);
    expect(nlink("/")).toBe(4); // ., .. of /, p, a
  });

  it("getcwd of a removed directory is ENOENT", () => {
    const w = makeWorld();
    sysMkdir(w.caller, "/gone", 0o755);
    sysChdir(w.caller, "/gone");
    sysRmdir(w.caller, "/gone");
    expect(sysGetcwd(w.caller, 100)).toBe(-Errno.ENOENT);
    expect(sysOpen(w.caller, "new", O_CREAT | O_WRONLY, 0o644)).toBe(-Errno.ENOENT);
  });
});

describe("rename", () => {
  it("moves, replaces, and refuses the Linux way", () => {
    const w = makeWorld();
    const c = w.caller;
    writeFile(w, "/a", "A");
    writeFile(w, "/b", "B");
    sysMkdir(c, "/d", 0o755);
    sysMkdir(c, "/d/sub", 0o755);
    sysMkdir(c, "/e", 0o755);
    sysMkdir(c, "/full", 0o755);
    writeFile(w, "/full/x", "");
    expect(sysRename(c, "/a", "/b")).toBe(0); // over an existing file
    expect(readFile(w, "/b")).toBe("A");
    expect(readFile(w, "/a")).toBe(`errno:${-Errno.ENOENT}`);
    expect(sysRename(c, "/b", "/b")).toBe(0);
    expect(sysRename(c, "/nope", "/z")).toBe(-Errno.ENOENT);
    expect(sysRename(c, "/d", "/d/sub/x")).toBe(-Errno.EINVAL); // into itself
    expect(sysRename(c, "/d", "/d/x")).toBe(-Errno.EINVAL);
    expect(sysRename(c, "/d/sub", "/d")).toBe(-Errno.ENOTEMPTY); // over its ancestor
    expect(sysRename(c, "/d", "/b")).toBe(-Errno.ENOTDIR);
    expect(sysRename(c, "/b", "/e")).toBe(-Errno.EISDIR);
    expect(sysRename(c, "/d", "/full")).toBe(-Errno.ENOTEMPTY);
    expect(sysRename(c, "/b/", "/c")).toBe(-Errno.ENOTDIR);
    expect(sysRename(c, "/d/.", "/q")).toBe(-Errno.EBUSY);
    expect(sysRename(c, "/d", "/e")).toBe(0); // over an empty dir
    expect(sysStat64(c, "/e/sub")).toBeInstanceOf(Uint8Array);
    expect(sysChdir(c, "/e/sub")).toBe(0);
    expect(sysRename(c, "/e", "/moved")).toBe(0);
    expect(str(sysGetcwd(c, 100))).toBe("/moved/sub\0");
  });

  it("hard links share the inode and EXDEV/EPERM cases", () => {
    const w = makeWorld();
    writeFile(w, "/f", "data");
    expect(sysLinkat(w.caller, AT_FDCWD, "/f", AT_FDCWD, "/g", 0)).toBe(0);
    expect(sysLinkat(w.caller, AT_FDCWD, "/f", AT_FDCWD, "/g", 0)).toBe(-Errno.EEXIST);
    expect(sysLinkat(w.caller, AT_FDCWD, "/", AT_FDCWD, "/root2", 0)).toBe(-Errno.EPERM);
    sysUnlink(w.caller, "/f");
    expect(readFile(w, "/g")).toBe("data");
    const st = new DataView((sysStat64(w.caller, "/g") as Uint8Array).buffer);
    expect(st.getUint32(20, true)).toBe(1);
  });
});

describe("getdents64", () => {
  it("produces the exact linux_dirent64 records", () => {
    const w = makeWorld();
    sysMkdir(w.caller, "/d", 0o755);
    writeFile(w, "/d/file", "");
    sysSymlinkat(w.caller, "x", AT_FDCWD, "/d/a-long-link-name");
    const dIno = new DataView((sysStat64(w.caller, "/d") as Uint8Array).buffer).getUint32(88, true);
    const fIno = new DataView((sysStat64(w.caller, "/d/file") as Uint8Array).buffer).getUint32(88, true);
    const lIno = new DataView((sysLstat64(w.caller, "/d/a-long-link-name") as Uint8Array).buffer).getUint32(88, true);
    const fd = sysOpen(w.caller, "/d", O_RDONLY | O_DIRECTORY, 0);
    const out = sysGetdents64(w.caller, fd, 4096) as Uint8Array;
    const expected: number[] = [];
    const rec = (ino: number, off: number, type: number, name: string) => {
      const reclen = (19 + name.length + 1 + 7) & ~7;
      const b = new Uint8Array(reclen);
      const v = new DataView(b.buffer);
      v.setUint32(0, ino, true);
      v.setUint32(8, off, true);
      v.setUint16(16, reclen, true);
      b[18] = type;
      for (let i = 0; i < name.length; i++) b[19 + i] = name.charCodeAt(i);
      expected.push(...b);
    };
    rec(dIno, 1, 4, ".");
    rec(1, 2, 4, "..");
    rec(fIno, 3, 8, "file");
    rec(lIno, 4, 10, "a-long-link-name");
    expect([...out]).toEqual(expected);
    expect(out.length).toBe(24 + 24 + 24 + 40);
    expect((sysGetdents64(w.caller, fd, 4096) as Uint8Array).length).toBe(0);
    sysLlseek(w.caller, fd, 0, 0);
    expect(sysGetdents64(w.caller, fd, 10)).toBe(-Errno.EINVAL);
    expect((sysGetdents64(w.caller, fd, 50) as Uint8Array).length).toBe(48); // two records fit
    expect((sysGetdents64(w.caller, fd, 24) as Uint8Array).length).toBe(24);
    const f = sysOpen(w.caller, "/d/file", O_RDONLY, 0);
    expect(sysGetdents64(w.caller, f, 4096)).toBe(-Errno.ENOTDIR);
  });

  it("does not skip entries when entries are unlinked while reading", () => {
    const w = makeWorld();
    sysMkdir(w.caller, "/d", 0o755);
    for (let i = 0; i < 10; i++) writeFile(w, `/d/f${i}`, "");
    const fd = sysOpen(w.caller, "/d", O_RDONLY, 0);
    const seen: string[] = [];
    for (;;) {
      const out = sysGetdents64(w.caller, fd, 64) as Uint8Array;
      if (out.length === 0) break;
      for (let p = 0; p < out.length; ) {
        const reclen = out[p + 16] | (out[p + 17] << 8);
        let e = p + 19;
        while (out[e] !== 0) e++;
        const name = String.fromCharCode(...out.subarray(p + 19, e));
        seen.push(name);
        if (name.startsWith("f")) sysUnlink(w.caller, `/d/${name}`);
        p += reclen;
      }
    }
    expect(seen).toEqual([".", "..", ...Array.from({ length: 10 }, (_, i) => `f${i}`)]);
  });
});

describe("stat64", () => {
  it("lays out struct stat64 in 96 bytes at Linux's offsets", () => {
    const w = makeWorld();
    w.clock.s = 0x12345678;
    w.clock.ns = 999;
    writeFile(w, "/f", "x".repeat(5000));
    const st = sysStat64(w.caller, "/f") as Uint8Array;
    expect(st.length).toBe(96);
    const v = new DataView(st.buffer);
    const ino = v.getUint32(88, true);
    expect(v.getUint32(0, true)).toBe(1); // dev 0:1
    expect(v.getUint32(12, true)).toBe(ino);
    expect(v.getUint32(16, true)).toBe(S_IFREG | 0o644);
    expect(v.getUint32(20, true)).toBe(1);
    expect(v.getUint32(44, true)).toBe(5000);
    expect(v.getUint32(48, true)).toBe(0);
    expect(v.getUint32(52, true)).toBe(4096);
    expect(v.getUint32(56, true)).toBe(16); // two pages = 16 sectors
    for (const off of [64, 72, 80]) {
      expect(v.getUint32(off, true)).toBe(0x12345678);
      expect(v.getUint32(off + 4, true)).toBe(999);
    }
    const l = sysSymlinkat(w.caller, "/f", AT_FDCWD, "/l");
    expect(l).toBe(0);
    const ls = new DataView((sysLstat64(w.caller, "/l") as Uint8Array).buffer);
    expect(ls.getUint32(16, true)).toBe(S_IFLNK | 0o777);
    expect(ls.getUint32(44, true)).toBe(2);
    const ds = new DataView((sysStat64(w.caller, "/") as Uint8Array).buffer);
    expect(ds.getUint32(16, true)).toBe(S_IFDIR | 0o755);
  });

  it("encodes device numbers with new_encode_dev", () => {
    const w = makeWorld();
    expect(sysMknodat(w.caller, AT_FDCWD, "/null", 0o20666, 0x103)).toBe(0);
    const big = (0x56 | (0x105 << 8) | (0x123 << 20)) >>> 0; // major 0x105, minor 0x12356
    expect(sysMknodat(w.caller, AT_FDCWD, "/big", 0o20666, big)).toBe(0);
    const v = new DataView((sysStat64(w.caller, "/null") as Uint8Array).buffer);
    expect(v.getUint32(32, true)).toBe(0x103);
    const b = new DataView((sysStat64(w.caller, "/big") as Uint8Array).buffer);
    expect(b.getUint32(32, true)).toBe(big);
  });
});

describe("descriptor table", () => {
  it("dup, dup2, dup3, fcntl, close-on-exec and RLIMIT_NOFILE", () => {
    const w = makeWorld();
    const c = w.caller;
    const t = c.files;
    writeFile(w, "/f", "0123456789");
    const fd = sysOpenat(c, AT_FDCWD, "/f", O_RDONLY | O_CLOEXEC, 0);
    expect(fd).toBe(0);
    expect(t.fcntl(fd, F_GETFD, 0)).toBe(FD_CLOEXEC);
    expect(t.dup(fd)).toBe(1);
    expect(t.fcntl(1, F_GETFD, 0)).toBe(0);
    expect(str(sysRead(c, 0, 3))).toBe("012");
    expect(str(sysRead(c, 1, 3))).toBe("345"); // shared position
    expect(t.dup2(0, 5)).toBe(5);
    expect(t.dup2(0, 0)).toBe(0);
    expect(t.dup2(7, 8)).toBe(-Errno.EBADF);
    expect(t.dup2(0, -1)).toBe(-Errno.EBADF);
    expect(t.dup3(0, 0, 0)).toBe(-Errno.EINVAL);
    expect(t.dup3(0, 6, O_CLOEXEC)).toBe(6);
    expect(t.fcntl(6, F_GETFD, 0)).toBe(FD_CLOEXEC);
    expect(t.dup(0)).toBe(2); // lowest free
    expect(t.fcntl(0, F_DUPFD, 4)).toBe(4);
    expect(t.fcntl(0, F_DUPFD_CLOEXEC, 4)).toBe(7);
    expect(t.fcntl(0, F_DUPFD, -1)).toBe(-Errno.EINVAL);
    expect(t.fcntl(0, F_GETFL, 0)).toBe(O_RDONLY);
    expect(t.fcntl(0, F_SETFL, O_NONBLOCK | O_APPEND | O_WRONLY)).toBe(0);
    expect(t.fcntl(1, F_GETFL, 0)).toBe(O_NONBLOCK | O_APPEND); // shared File, access mode kept
    expect(t.fcntl(0, F_SETFD, 0)).toBe(0);
    expect(t.fcntl(0, 999, 0)).toBe(-Errno.EINVAL);
    expect(t.fcntl(99, F_GETFD, 0)).toBe(-Errno.EBADF);
    t.closeOnExec();
    expect(t.openFds()).toEqual([0, 1, 2, 4, 5]);
    t.nofile = 6;
    expect(t.dup(0)).toBe(3);
    expect(t.dup(0)).toBe(-Errno.EMFILE);
    expect(t.dup2(0, 6)).toBe(-Errno.EBADF);
    expect(t.fcntl(0, F_DUPFD, 6)).toBe(-Errno.EINVAL);
    const child = t.fork();
    expect(child.openFds()).toEqual([0, 1, 2, 3, 4, 5]);
    t.closeAll();
    expect(str(sysRead({ ...c, files: child }, 0, 100))).toBe("6789");
  });
});
