import { describe, it, expect } from "vitest";
import { makeKernel, newc, UBUF, dv, text } from "./harness.ts";
import { NR } from "../../../kernel/syscalls/numbers.ts";
import { WOULD_BLOCK } from "../../../kernel/wait.ts";
import { TaskState } from "../../../kernel/proc/task.ts";

const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0o100, O_TRUNC = 0o1000, O_DIRECTORY = 0o200000;
const AT_FDCWD = -100;
const EBADF = -9, EFAULT = -14, EINVAL = -22, ENOENT = -2, ESPIPE = -29, EAGAIN = -11, EPIPE = -32, ENOTDIR = -20;
const O_NONBLOCK = 0o4000;

function world() {
  const fk = makeKernel([
    {
      name: "base.cpio",
      data: newc([
        { name: "bin", mode: 0o40755 },
        { name: "etc", mode: 0o40755 },
        { name: "etc/motd", mode: 0o100644, data: "hello from cpio\n" },
        { name: "etc/empty", mode: 0o100600 },
      ]),
    },
    { name: "over.cpio", data: newc([{ name: "etc/motd", mode: 0o100644, data: "overridden\n" }]) },
  ]);
  const t = fk.newTask(1);
  return { fk, t };
}

describe("boot of the root file system", () => {
  it("unpacks archives in order (later ones override) and mounts proc, dev, tmp", () => {
    const { fk, t } = world();
    expect(fk.boot.ok).toBe(true);
    const path = fk.putStr(t, UBUF, "/etc/motd");
    const fd = fk.call(t, NR.open, path, O_RDONLY);
    expect(fd).toBe(3);
    expect(fk.call(t, NR.read, fd, UBUF + 0x100, 100)).toBe(11);
    expect(text(fk.get(t, UBUF + 0x100, 11))).toBe("overridden\n");
    for (const p of ["/proc/meminfo", "/dev/null", "/dev/zero", "/dev/urandom", "/dev/console", "/dev/tty", "/tmp"]) {
      fk.putStr(t, UBUF, p);
      expect([p, fk.call(t, NR.stat64, UBUF, UBUF + 0x200)]).toEqual([p, 0]);
    }
  });

  it("stops on a malformed archive with one line naming it and the offset", () => {
    const good = newc([{ name: "a", mode: 0o100644, data: "x" }]);
    const bad = good.slice();
    bad[0] = 0x39; // magic "970701"
    const fk = makeKernel([{ name: "good.cpio", data: good }, { name: "broken.cpio", data: bad }]);
    expect(fk.boot).toEqual({ ok: false, message: 'initramfs broken.cpio: bad magic "970701" at offset 0 (0x0)' });
    const trunc = makeKernel([{ name: "t.cpio", data: good.subarray(0, 60) }]);
    expect(trunc.boot.ok).toBe(false);
    expect((trunc.boot as { message: string }).message).toBe("initramfs t.cpio: truncated header at offset 0 (0x0)");
  });

  it("gives init /dev/console on 0, 1 and 2; writes go to the serial port through ONLCR", () => {
    const { fk, t } = world();
    fk.put(t, UBUF, "hi\n");
    expect(fk.call(t, NR.write, 1, UBUF, 3)).toBe(3);
    expect(fk.call(t, NR.write, 2, UBUF, 2)).toBe(2);
    expect(fk.serialText()).toBe("hi\r\nhi");
    // fstat64 of fd 0: a character device 5:1
    expect(fk.call(t, NR.fstat64, 0, UBUF + 0x100)).toBe(0);
    const st = dv(fk.get(t, UBUF + 0x100, 96));
    expect(st.getUint32(16, true) & 0o170000).toBe(0o020000);
    expect(st.getUint32(32, true)).toBe((5 << 8) | 1);
  });
});

describe("read, write, lseek, stat", () => {
  it("creates, writes, seeks, preads and stats a file in /tmp", () => {
    const { fk, t } = world();
    const p = fk.putStr(t, UBUF, "/tmp/f");
    const fd = fk.call(t, NR.open, p, O_RDWR | O_CREAT | O_TRUNC, 0o644);
    expect(fd).toBe(3);
    fk.put(t, UBUF + 0x100, "0123456789");
    expect(fk.call(t, NR.write, fd, UBUF + 0x100, 10)).toBe(10);
    expect(fk.call(t, NR.lseek, fd, 2, 0)).toBe(2);
    expect(fk.call(t, NR.read, fd, UBUF + 0x200, 3)).toBe(3);
    expect(text(fk.get(t, UBUF + 0x200, 3))).toBe("234");
    // _llseek(fd, -1, -3, &result, SEEK_END): offset -3 as a 64-bit value -> 7
    expect(fk.call(t, NR._llseek, fd, -1, -3, UBUF + 0x300, 2)).toBe(0);
    expect(dv(fk.get(t, UBUF + 0x300, 8)).getUint32(0, true)).toBe(7);
    expect(dv(fk.get(t, UBUF + 0x300, 8)).getUint32(4, true)).toBe(0);
    // pread64 at 8 does not move the position (7)
    expect(fk.call(t, NR.pread64, fd, UBUF + 0x400, 100, 8, 0)).toBe(2);
    expect(text(fk.get(t, UBUF + 0x400, 2))).toBe("89");
    expect(fk.call(t, NR.lseek, fd, 0, 1)).toBe(7);
    // pwrite64 past the end grows the file
    fk.put(t, UBUF + 0x100, "AB");
    expect(fk.call(t, NR.pwrite64, fd, UBUF + 0x100, 2, 20, 0)).toBe(2);
    expect(fk.call(t, NR.stat64, p, UBUF + 0x500)).toBe(0);
    const st = dv(fk.get(t, UBUF + 0x500, 96));
    expect(st.getUint32(16, true)).toBe(0o100644);
    expect(st.getUint32(20, true)).toBe(1); // nlink
    expect(st.getUint32(44, true)).toBe(22); // size
    expect(st.getUint32(72, true)).toBe(1_700_000_000); // mtime from the realtime clock
    // old struct stat (106): size at 20, mode u16 at 8
    expect(fk.call(t, NR.stat, p, UBUF + 0x600)).toBe(0);
    const os = dv(fk.get(t, UBUF + 0x600, 64));
    expect(os.getUint16(8, true)).toBe(0o100644);
    expect(os.getUint32(20, true)).toBe(22);
    expect(fk.call(t, NR.close, fd)).toBe(0);
    expect(fk.call(t, NR.close, fd)).toBe(EBADF);
  });

  it("rejects bad descriptors, bad pointers and bad lengths", () => {
    const { fk, t } = world();
    expect(fk.call(t, NR.read, -1, UBUF, 1)).toBe(EBADF);
    expect(fk.call(t, NR.read, 99, UBUF, 1)).toBe(EBADF);
    const p = fk.putStr(t, UBUF, "/etc/motd");
    const fd = fk.call(t, NR.open, p, O_RDONLY);
    expect(fk.call(t, NR.read, fd, 0x1000, 4)).toBe(EFAULT); // unmapped
    expect(fk.call(t, NR.read, fd, 0xc0000000, 4)).toBe(EFAULT); // kernel space
    expect(fk.call(t, NR.open, 0x1000, O_RDONLY)).toBe(EFAULT);
    expect(fk.call(t, NR.readv, fd, UBUF + 0x100, -1)).toBe(EINVAL); // readv iovcnt < 0
    expect(fk.call(t, NR.readv, fd, UBUF + 0x100, 1025)).toBe(EINVAL);
    expect(fk.call(t, NR.readv, fd, 0x1000, 2)).toBe(EFAULT);
    fk.put(t, UBUF + 0x100, Uint8Array.of(0, 0x10, 0, 0x10, 0xff, 0xff, 0xff, 0xff)); // len -1
    expect(fk.call(t, NR.readv, fd, UBUF + 0x100, 1)).toBe(EINVAL);
    // A huge count on a small file transfers the file (no giant host buffer).
    expect(fk.call(t, NR.read, fd, UBUF + 0x200, 0x7fffffff)).toBe(11);
    expect(fk.call(t, NR.read, fd, UBUF + 0x200, -1)).toBe(0); // at EOF now; size_t count clamps to MAX_RW_COUNT
  });

  it("readv and writev scatter and gather", () => {
    const { fk, t } = world();
    const p = fk.putStr(t, UBUF, "/tmp/v");
    const fd = fk.call(t, NR.open, p, O_RDWR | O_CREAT, 0o600);
    fk.put(t, UBUF + 0x100, "abc");
    fk.put(t, UBUF + 0x200, "defgh");
    const iov = new Uint8Array(16);
    const v = dv(iov);
    v.setUint32(0, UBUF + 0x100, true); v.setUint32(4, 3, true);
    v.setUint32(8, UBUF + 0x200, true); v.setUint32(12, 5, true);
    fk.put(t, UBUF + 0x300, iov);
    expect(fk.call(t, NR.writev, fd, UBUF + 0x300, 2)).toBe(8);
    expect(fk.call(t, NR.lseek, fd, 0, 0)).toBe(0);
    v.setUint32(0, UBUF + 0x400, true); v.setUint32(4, 2, true);
    v.setUint32(8, UBUF + 0x500, true); v.setUint32(12, 10, true);
    fk.put(t, UBUF + 0x300, iov);
    expect(fk.call(t, NR.readv, fd, UBUF + 0x300, 2)).toBe(8);
    expect(text(fk.get(t, UBUF + 0x400, 2))).toBe("ab");
    expect(text(fk.get(t, UBUF + 0x500, 6))).toBe("cdefgh");
  });

  it("getdents64 lists a directory with exact records", () => {
    const { fk, t } = world();
    const p = fk.putStr(t, UBUF, "/etc");
    const fd = fk.call(t, NR.open, p, O_RDONLY | O_DIRECTORY);
    const n = fk.call(t, NR.getdents64, fd, UBUF + 0x100, 4096);
    const b = fk.get(t, UBUF + 0x100, n);
    const names: string[] = [];
    for (let off = 0; off < n; ) {
      const reclen = dv(b).getUint16(off + 16, true);
      let end = off + 19;
      while (b[end] !== 0) end++;
      names.push(`${text(b.subarray(off + 19, end))}:${b[off + 18]}:${reclen}`);
      off += reclen;
    }
    expect(names).toEqual([".:4:24", "..:4:24", "motd:8:24", "empty:8:32"]);
    expect(fk.call(t, NR.getdents64, fd, UBUF + 0x100, 4096)).toBe(0);
    // The old getdents: u32 ino, u32 off, u16 reclen, name, NUL, d_type last.
    expect(fk.call(t, NR.lseek, fd, 0, 0)).toBe(0);
    const m = fk.call(t, NR.getdents, fd, UBUF + 0x100, 4096);
    const ob = fk.get(t, UBUF + 0x100, m);
    expect(dv(ob).getUint16(8, true)).toBe(16);
    expect(text(ob.subarray(10, 12))).toBe(".\0");
    expect(ob[15]).toBe(4);
    expect(m).toBe(16 + 16 + 16 + 20);
    // getdents64 on a file
    const f = fk.call(t, NR.open, fk.putStr(t, UBUF, "/etc/motd"), O_RDONLY);
    expect(fk.call(t, NR.getdents64, f, UBUF + 0x100, 4096)).toBe(ENOTDIR);
  });

  it("path calls: mkdir, rename, symlink, readlink, unlink, getcwd, chdir, access, openat", () => {
    const { fk, t } = world();
    expect(fk.call(t, NR.mkdir, fk.putStr(t, UBUF, "/tmp/d"), 0o755)).toBe(0);
    expect(fk.call(t, NR.chdir, fk.putStr(t, UBUF, "/tmp/d"))).toBe(0);
    expect(fk.call(t, NR.getcwd, UBUF + 0x100, 100)).toBe(7);
    expect(text(fk.get(t, UBUF + 0x100, 7))).toBe("/tmp/d\0");
    expect(fk.call(t, NR.getcwd, UBUF + 0x100, 3)).toBe(-34); // ERANGE
    const fd = fk.call(t, NR.openat, AT_FDCWD, fk.putStr(t, UBUF, "x"), O_WRONLY | O_CREAT, 0o644);
    expect(fd).toBe(3);
    expect(fk.call(t, NR.symlink, fk.putStr(t, UBUF, "x"), fk.putStr(t, UBUF + 0x40, "/tmp/d/lnk"))).toBe(0);
    expect(fk.call(t, NR.readlink, fk.putStr(t, UBUF, "lnk"), UBUF + 0x100, 64)).toBe(1);
    expect(text(fk.get(t, UBUF + 0x100, 1))).toBe("x");
    expect(fk.call(t, NR.rename, fk.putStr(t, UBUF, "x"), fk.putStr(t, UBUF + 0x40, "y"))).toBe(0);
    expect(fk.call(t, NR.access, fk.putStr(t, UBUF, "/tmp/d/y"), 4)).toBe(0);
    expect(fk.call(t, NR.access, fk.putStr(t, UBUF, "/tmp/d/x"), 0)).toBe(ENOENT);
    expect(fk.call(t, NR.unlink, fk.putStr(t, UBUF, "y"))).toBe(0);
    expect(fk.call(t, NR.rmdir, fk.putStr(t, UBUF, "/tmp/d"))).toBe(-39); // ENOTEMPTY: lnk is still there
    expect(fk.call(t, NR.unlinkat, AT_FDCWD, fk.putStr(t, UBUF, "lnk"), 0)).toBe(0);
    expect(fk.call(t, NR.rmdir, fk.putStr(t, UBUF, "/tmp/d"))).toBe(0);
    expect(fk.call(t, NR.statx)).toBe(-38);
    expect(fk.call(t, NR.faccessat2)).toBe(-38);
  });

  it("dup, dup2, dup3, fcntl, umask", () => {
    const { fk, t } = world();
    expect(fk.call(t, NR.dup, 1)).toBe(3);
    expect(fk.call(t, NR.dup2, 1, 10)).toBe(10);
    expect(fk.call(t, NR.dup3, 1, 1, 0)).toBe(EINVAL);
    expect(fk.call(t, NR.dup3, 1, 11, 0o2000000)).toBe(11);
    expect(fk.call(t, NR.fcntl64, 11, 1)).toBe(1); // F_GETFD
    expect(fk.call(t, NR.fcntl, 3, 0, 5)).toBe(5); // F_DUPFD
    expect(fk.call(t, NR.fcntl, 3, 3)).toBe(O_RDWR); // F_GETFL
    expect(fk.call(t, NR.umask, 0o077)).toBe(0o022);
    expect(fk.call(t, NR.umask, 0o022)).toBe(0o077);
  });
});

describe("pipes", () => {
  it("a read of an empty pipe blocks until a write, then returns the data", () => {
    const { fk, t } = world();
    const reader = t;
    expect(fk.call(t, NR.pipe, UBUF)).toBe(0);
    const [rfd, wfd] = [dv(fk.get(t, UBUF, 8)).getInt32(0, true), dv(fk.get(t, UBUF, 8)).getInt32(4, true)];
    expect([rfd, wfd]).toEqual([3, 4]);
    expect(fk.call(reader, NR.read, rfd, UBUF + 0x100, 100)).toBe(WOULD_BLOCK);
    expect(reader.state).toBe(TaskState.Sleeping);
    const writer = fk.newTask(2);
    writer.files = t.files; // share the table (as threads would)
    fk.put(writer, UBUF + 0x200, "ping");
    expect(fk.call(writer, NR.write, wfd, UBUF + 0x200, 4)).toBe(4);
    expect(reader.state).toBe(TaskState.Runnable);
    expect(fk.call(reader, NR.read, rfd, UBUF + 0x100, 100)).toBe(4);
    expect(text(fk.get(reader, UBUF + 0x100, 4))).toBe("ping");
    expect(fk.call(reader, NR.lseek, rfd, 0, 0)).toBe(ESPIPE);
    expect(fk.call(reader, NR.pread64, rfd, UBUF, 1, 0, 0)).toBe(ESPIPE);
  });

  it("pipe2(O_NONBLOCK) gives EAGAIN; EPIPE raises SIGPIPE", () => {
    const { fk, t } = world();
    expect(fk.call(t, NR.pipe2, UBUF, O_NONBLOCK)).toBe(0);
    const w = dv(fk.get(t, UBUF, 8));
    const rfd = w.getInt32(0, true), wfd = w.getInt32(4, true);
    expect(fk.call(t, NR.read, rfd, UBUF + 0x100, 10)).toBe(EAGAIN);
    expect(fk.call(t, NR.close, rfd)).toBe(0);
    expect(fk.call(t, NR.write, wfd, UBUF, 1)).toBe(EPIPE);
    expect(fk.signals).toEqual([[1, 13]]);
    expect(fk.call(t, NR.pipe2, UBUF, 0o1)).toBe(EINVAL);
  });

  it("a big write into a pipe transfers what fits and reports it", () => {
    const { fk, t } = world();
    fk.call(t, NR.pipe, UBUF);
    const wfd = dv(fk.get(t, UBUF, 8)).getInt32(4, true);
    // 0x10000-byte buffer: exactly the pipe size fits.
    expect(fk.call(t, NR.write, wfd, 0x10000000, 0x10000)).toBe(65536);
    expect(fk.call(t, NR.write, wfd, 0x10000000, 10)).toBe(WOULD_BLOCK);
  });
});
