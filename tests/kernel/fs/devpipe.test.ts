import { describe, it, expect } from "vitest";
import { makeWorld, bytes, str } from "./world.ts";
import { Errno } from "../../../kernel/errno.ts";
import { WOULD_BLOCK } from "../../../kernel/wait.ts";
import type { Waiter } from "../../../kernel/wait.ts";
import { createDevfs, KernelRandom } from "../../../kernel/fs/devfs.ts";
import { Tty } from "../../../kernel/tty/tty.ts";
import { lookupAt, sysOpen, sysMknodat, AT_FDCWD } from "../../../kernel/fs/open.ts";
import { sysRead, sysWrite, sysLlseek, sysIoctl } from "../../../kernel/fs/readwrite.ts";
import { sysStat64, sysFstat64 } from "../../../kernel/fs/stat.ts";
import { sysMkdir } from "../../../kernel/fs/dirops.ts";
import { createPipe, createPipefs, PIPE_SIZE, PIPE_BUF, FIONREAD } from "../../../kernel/fs/pipe.ts";
import { O_RDONLY, O_WRONLY, O_RDWR, O_NONBLOCK, POLLIN, POLLOUT, POLLHUP, POLLERR, POLLRDNORM, POLLWRNORM, fput } from "../../../kernel/fs/file.ts";
import type { File } from "../../../kernel/fs/file.ts";
import { mkdev } from "../../../kernel/fs/mode.ts";
import { TCGETS } from "../../../kernel/tty/termios.ts";

function withDev() {
  const w = makeWorld();
  const out: number[] = [];
  const tty = new Tty("console", { write: (b) => out.push(...b), signalPgrp: () => {} });
  let ctty: Tty | null = null;
  const devSb = createDevfs({ dev: mkdev(0, 5), clock: w.clock, rng: new KernelRandom(1234), chrdevs: w.chrdevs, ttys: { console: tty, controlling: () => ctty } });
  sysMkdir(w.caller, "/dev", 0o755);
  const at = lookupAt(w.caller, AT_FDCWD, "/dev", true);
  if (typeof at === "number") throw new Error("no /dev");
  expect(w.ns.mount(devSb, at)).toBe(0);
  return { w, tty, out, setCtty: (t: Tty | null) => (ctty = t) };
}

describe("devfs", () => {
  it("has the standard nodes with Linux's numbers", () => {
    const { w } = withDev();
    const want: [string, number][] = [["null", 0x103], ["zero", 0x105], ["full", 0x107], ["random", 0x108], ["urandom", 0x109], ["tty", 0x500], ["console", 0x501]];
    for (const [name, rdev] of want) {
      const st = sysStat64(w.caller, `/dev/${name}`) as Uint8Array;
      const v = new DataView(st.buffer);
      expect([name, v.getUint32(16, true) & 0o170000, v.getUint32(32, true)]).toEqual([name, 0o020000, rdev]);
    }
  });

  it("null, zero, full behave as on Linux", () => {
    const { w } = withDev();
    const c = w.caller;
    const n = sysOpen(c, "/dev/null", O_RDWR, 0);
    expect(str(sysRead(c, n, 10))).toBe("");
    expect(sysWrite(c, n, bytes("gone"))).toBe(4);
    expect(sysLlseek(c, n, 100, 0)).toBe(0);
    const z = sysOpen(c, "/dev/zero", O_RDONLY, 0);
    expect(str(sysRead(c, z, 4))).toBe("\0\0\0\0");
    expect((sysRead(c, z, 1 << 30) as Uint8Array).length).toBe(65536); // capped
    const f = sysOpen(c, "/dev/full", O_RDWR, 0);
    expect(sysWrite(c, f, bytes("x"))).toBe(-Errno.ENOSPC);
    expect(str(sysRead(c, f, 2))).toBe("\0\0");
  });

  it("urandom is deterministic for a seed", () => {
    const a = withDev();
    const b = withDev();
    const fa = sysOpen(a.w.caller, "/dev/urandom", O_RDONLY, 0);
    const fb = sysOpen(b.w.caller, "/dev/urandom", O_RDONLY, 0);
    const ra = sysRead(a.w.caller, fa, 16) as Uint8Array;
    const rb = sysRead(b.w.caller, fb, 16) as Uint8Array;
    expect([...ra]).toEqual([...rb]);
    expect(new Set(ra).size).toBeGreaterThan(8);
  });

  it("console writes reach the tty driver with ONLCR; /dev/tty needs a controlling terminal", () => {
    const { w, out, tty, setCtty } = withDev();
    const fd = sysOpen(w.caller, "/dev/console", O_RDWR, 0);
    expect(sysWrite(w.caller, fd, bytes("hi\n"))).toBe(3);
    expect(String.fromCharCode(...out)).toBe("hi\r\n");
    expect(sysIoctl(w.caller, fd, TCGETS, 0x1000)).toBe(0);
    expect(sysLlseek(w.caller, fd, 0, 0)).toBe(-Errno.ESPIPE);
    expect(sysOpen(w.caller, "/dev/tty", O_RDWR, 0)).toBe(-Errno.ENXIO);
    setCtty(tty);
    const t = sysOpen(w.caller, "/dev/tty", O_RDWR, 0);
    expect(t).toBeGreaterThanOrEqual(0);
    tty.receive(bytes("line\r"));
    expect(str(sysRead(w.caller, t, 100))).toBe("line\n");
    expect(sysIoctl(w.caller, sysOpen(w.caller, "/dev/null", O_RDONLY, 0), TCGETS, 0x1000)).toBe(-Errno.ENOTTY);
  });

  it("device nodes made anywhere dispatch by number; unknown numbers give ENXIO", () => {
    const { w } = withDev();
    expect(sysMknodat(w.caller, AT_FDCWD, "/mynull", 0o20666, 0x103)).toBe(0);
    const fd = sysOpen(w.caller, "/mynull", O_WRONLY, 0);
    expect(sysWrite(w.caller, fd, bytes("abc"))).toBe(3);
    expect(sysMknodat(w.caller, AT_FDCWD, "/nodev", 0o20666, 0x4242)).toBe(0);
    expect(sysOpen(w.caller, "/nodev", O_RDONLY, 0)).toBe(-Errno.ENXIO);
    expect(sysMknodat(w.caller, AT_FDCWD, "/blk", 0o60666, 0x800)).toBe(0);
    expect(sysOpen(w.caller, "/blk", O_RDONLY, 0)).toBe(-Errno.ENXIO);
  });
});

describe("pipes", () => {
  function pipe(flags = 0) {
    const w = makeWorld();
    const sb = createPipefs(mkdev(0, 9), w.clock);
    const p = createPipe(sb, flags) as [File, File];
    const r = w.caller.files.install(p[0], false);
    const wr = w.caller.files.install(p[1], false);
    const wakes: string[] = [];
    const waiter: Waiter = { wake: () => wakes.push("w") };
    const blocking = { ...w.caller, waiter };
    return { w, r, wr, files: p, wakes, waiter, blocking };
  }

  it("transfers bytes, blocks when empty, and wakes the reader on write", () => {
    const { w, r, wr, wakes, blocking, files } = pipe();
    expect(sysRead(blocking, r, 10)).toBe(WOULD_BLOCK);
    expect(sysRead(w.caller, r, 10)).toBe(-Errno.EAGAIN); // no waiter: cannot sleep
    expect(sysWrite(w.caller, wr, bytes("hello"))).toBe(5);
    expect(wakes).toEqual(["w"]);
    expect(str(sysRead(blocking, r, 3))).toBe("hel");
    expect(str(sysRead(blocking, r, 10))).toBe("lo");
    expect(sysLlseek(w.caller, r, 0, 0)).toBe(-Errno.ESPIPE);
    expect(sysRead(w.caller, wr, 1)).toBe(-Errno.EBADF);
    expect(sysWrite(w.caller, r, bytes("x"))).toBe(-Errno.EBADF);
    const st = new DataView((sysFstat64(w.caller, r) as Uint8Array).buffer);
    expect(st.getUint32(16, true)).toBe(0o010600);
    expect(files[0].inode).toBe(files[1].inode);
  });

  it("is 64 KiB, PIPE_BUF writes are atomic, larger writes are partial", () => {
    const { w, r, wr, blocking, wakes } = pipe();
    expect(PIPE_SIZE).toBe(65536);
    expect(sysWrite(blocking, wr, new Uint8Array(PIPE_SIZE - 100))).toBe(PIPE_SIZE - 100);
    expect(sysWrite(blocking, wr, new Uint8Array(200))).toBe(WOULD_BLOCK); // <= PIPE_BUF: all or nothing
    expect(sysWrite(blocking, wr, new Uint8Array(PIPE_BUF + 1))).toBe(100); // > PIPE_BUF: what fits
    expect(sysWrite(blocking, wr, new Uint8Array(PIPE_BUF + 1))).toBe(WOULD_BLOCK);
    expect(wakes).toEqual([]);
    expect((sysRead(w.caller, r, 10) as Uint8Array).length).toBe(10);
    expect(wakes).toEqual(["w"]);
    expect(sysIoctl(w.caller, r, FIONREAD, 0x100)).toBe(0);
    expect(w.user.u32(0x100)).toBe(PIPE_SIZE - 10);
  });

  it("EOF when the writers are gone, EPIPE when the readers are gone", () => {
    const a = pipe();
    expect(sysWrite(a.w.caller, a.wr, bytes("last"))).toBe(4);
    expect(a.w.caller.files.close(a.wr)).toBe(0);
    expect(str(sysRead(a.blocking, a.r, 10))).toBe("last");
    expect(str(sysRead(a.blocking, a.r, 10))).toBe("");
    const b = pipe();
    expect(sysRead(b.blocking, b.r, 10)).toBe(WOULD_BLOCK);
    const dup = b.w.caller.files.dup(b.wr);
    b.w.caller.files.close(b.wr);
    expect(b.wakes).toEqual([]);
    b.w.caller.files.close(dup);
    expect(b.wakes).toEqual(["w"]); // the sleeping reader wakes to see EOF
    const c = pipe();
    expect(sysWrite(c.blocking, c.wr, new Uint8Array(PIPE_SIZE))).toBe(PIPE_SIZE);
    expect(sysWrite(c.blocking, c.wr, new Uint8Array(1))).toBe(WOULD_BLOCK);
    c.w.caller.files.close(c.r);
    expect(c.wakes).toEqual(["w"]);
    expect(sysWrite(c.blocking, c.wr, new Uint8Array(1))).toBe(-Errno.EPIPE);
  });

  it("O_NONBLOCK gives EAGAIN, poll reports readiness", () => {
    const { w, r, wr, files, blocking, wakes } = pipe(O_NONBLOCK);
    expect(sysRead(blocking, r, 10)).toBe(-Errno.EAGAIN);
    const [rf, wf] = files;
    expect(rf.fop.poll!(rf, w.caller)).toBe(0);
    expect(wf.fop.poll!(wf, w.caller)).toBe(POLLOUT | POLLWRNORM);
    expect(rf.fop.poll!(rf, blocking)).toBe(0);
    sysWrite(w.caller, wr, bytes("x"));
    expect(wakes).toEqual(["w"]);
    expect(rf.fop.poll!(rf, w.caller)).toBe(POLLIN | POLLRDNORM);
    sysWrite(w.caller, wr, new Uint8Array(PIPE_SIZE - 1));
    expect(sysWrite(w.caller, wr, bytes("y"))).toBe(-Errno.EAGAIN);
    expect(wf.fop.poll!(wf, w.caller)).toBe(0);
    w.caller.files.close(wr);
    expect(rf.fop.poll!(rf, w.caller)).toBe(POLLIN | POLLRDNORM | POLLHUP);
    const p2 = pipe();
    p2.w.caller.files.close(p2.r);
    expect(p2.files[1].fop.poll!(p2.files[1], p2.w.caller)).toBe(POLLOUT | POLLWRNORM | POLLERR);
    expect(createPipe(createPipefs(1, w.clock), 0o1)).toBe(-Errno.EINVAL);
  });

  it("a FIFO writer's open waits for a reader; a reader waits for the first writer, then sees EOF", () => {
    const w = makeWorld();
    const wakes: string[] = [];
    const waiter: Waiter = { wake: () => wakes.push("w") };
    const blocking = { ...w.caller, waiter };
    expect(sysMknodat(w.caller, AT_FDCWD, "/f", 0o10644, 0)).toBe(0);
    expect(sysOpen(blocking, "/f", O_WRONLY, 0)).toBe(WOULD_BLOCK);
    expect(w.caller.files.openFds()).toEqual([]);
    const r = sysOpen(blocking, "/f", O_RDONLY, 0);
    expect(r).toBe(0);
    expect(wakes).toEqual(["w"]);
    expect(sysRead(blocking, r, 10)).toBe(WOULD_BLOCK); // no writer yet: wait, not EOF
    const wr = sysOpen(blocking, "/f", O_WRONLY, 0);
    expect(wr).toBe(1);
    expect(wakes).toEqual(["w", "w"]);
    expect(sysWrite(w.caller, wr, bytes("x"))).toBe(1);
    w.caller.files.close(wr);
    expect(str(sysRead(blocking, r, 10))).toBe("x");
    expect(str(sysRead(blocking, r, 10))).toBe("");
  });

  it("FIFOs made by mknod connect readers and writers", () => {
    const w = makeWorld();
    expect(sysMknodat(w.caller, AT_FDCWD, "/fifo", 0o10644, 0)).toBe(0);
    expect(sysOpen(w.caller, "/fifo", O_WRONLY | O_NONBLOCK, 0)).toBe(-Errno.ENXIO);
    const r = sysOpen(w.caller, "/fifo", O_RDONLY | O_NONBLOCK, 0);
    const wr = sysOpen(w.caller, "/fifo", O_WRONLY, 0);
    expect(sysWrite(w.caller, wr, bytes("via fifo"))).toBe(8);
    expect(str(sysRead(w.caller, r, 100))).toBe("via fifo");
    expect(sysRead(w.caller, r, 100)).toBe(-Errno.EAGAIN);
    w.caller.files.close(wr);
    expect(str(sysRead(w.caller, r, 100))).toBe("");
    void fput;
  });
});
