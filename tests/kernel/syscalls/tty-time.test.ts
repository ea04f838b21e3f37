import { describe, it, expect } from "vitest";
import { makeKernel, UBUF, dv, text, EPOCH } from "./harness.ts";
import { NR } from "../../../kernel/syscalls/numbers.ts";
import { WOULD_BLOCK } from "../../../kernel/wait.ts";
import { TaskState } from "../../../kernel/proc/task.ts";
import { CPU_HZ } from "../../../kernel/syscalls/time-clock.ts";

const EINTR = -4, EINVAL = -22, EFAULT = -14;

function type(fk: ReturnType<typeof makeKernel>, s: string): void {
  for (const c of s) fk.k.onConsoleInput(c.charCodeAt(0));
}

describe("console tty", () => {
  it("a canonical read blocks, echoes the edited line and returns it after Enter", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    expect(fk.call(t, NR.read, 0, UBUF, 100)).toBe(WOULD_BLOCK);
    expect(t.state).toBe(TaskState.Sleeping);
    type(fk, "ab\x7fc");
    expect(t.state).toBe(TaskState.Sleeping);
    type(fk, "\r");
    expect(t.state).toBe(TaskState.Runnable);
    expect(fk.serialText()).toBe("ab\b \bc\r\n");
    expect(fk.call(t, NR.read, 0, UBUF, 100)).toBe(3);
    expect(text(fk.get(t, UBUF, 3))).toBe("ac\n");
  });

  it("^C and ^\\ signal the foreground process group; ^D gives EOF", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    expect(fk.call(t, NR.ioctl, 0, 0x540e, 0)).toBe(0); // TIOCSCTTY: pid 1 leads session 1
    type(fk, "x\x03");
    type(fk, "\x1c");
    expect(fk.groupSignals).toEqual([[1, 2], [1, 3]]);
    expect(fk.serialText()).toBe("x^C^\\");
    type(fk, "\x04");
    expect(fk.call(t, NR.read, 0, UBUF, 100)).toBe(0);
  });

  it("termios and window size ioctls reach the line discipline", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    expect(fk.call(t, NR.ioctl, 0, 0x540e, 0)).toBe(0); // TIOCSCTTY
    expect(fk.call(t, NR.ioctl, 0, 0x5401, UBUF)).toBe(0); // TCGETS
    const tio = fk.get(t, UBUF, 36);
    expect(dv(tio).getUint32(12, true) & 0o2).toBe(0o2); // ICANON
    expect(fk.call(t, NR.ioctl, 1, 0x5413, UBUF + 0x100)).toBe(0); // TIOCGWINSZ
    expect([...fk.get(t, UBUF + 0x100, 4)]).toEqual([24, 0, 80, 0]);
    expect(fk.call(t, NR.ioctl, 0, 0x540f, UBUF + 0x200)).toBe(0); // TIOCGPGRP
    expect(dv(fk.get(t, UBUF + 0x200, 4)).getInt32(0, true)).toBe(1);
    expect(fk.call(t, NR.ioctl, 0, 0x5401, 0x1000)).toBe(EFAULT);
  });

  it("poll on the console: not ready, then ready after a line", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    fk.put(t, UBUF, Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0)); // fd 0, POLLIN
    expect(fk.call(t, NR.poll, UBUF, 1, 0)).toBe(0);
    expect(fk.call(t, NR.poll, UBUF, 1, -1)).toBe(WOULD_BLOCK);
    type(fk, "q\r");
    expect(t.state).toBe(TaskState.Runnable);
    expect(fk.call(t, NR.poll, UBUF, 1, -1)).toBe(1);
    expect(dv(fk.get(t, UBUF, 8)).getUint16(6, true)).toBe(1);
  });
});

describe("time", () => {
  it("clock_gettime, gettimeofday and time read guest time", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    fk.tick(150); // 1.5 s of guest time
    expect(fk.call(t, NR.clock_gettime, 1, UBUF)).toBe(0);
    expect([...new Int32Array(fk.get(t, UBUF, 8).buffer)]).toEqual([1, 500_000_000]);
    expect(fk.call(t, NR.clock_gettime, 0, UBUF)).toBe(0);
    expect([...new Int32Array(fk.get(t, UBUF, 8).buffer)]).toEqual([EPOCH + 1, 500_000_000]);
    expect(fk.call(t, NR.clock_gettime64, 0, UBUF)).toBe(0);
    expect([...new Int32Array(fk.get(t, UBUF, 16).buffer)]).toEqual([EPOCH + 1, 0, 500_000_000, 0]);
    expect(fk.call(t, NR.gettimeofday, UBUF, 0)).toBe(0);
    expect([...new Int32Array(fk.get(t, UBUF, 8).buffer)]).toEqual([EPOCH + 1, 500_000]);
    expect(fk.call(t, NR.time, 0)).toBe(EPOCH + 1);
    expect(fk.call(t, NR.clock_gettime, 99, UBUF)).toBe(EINVAL);
    expect(fk.call(t, NR.clock_getres, 1, UBUF)).toBe(0);
    expect([...new Int32Array(fk.get(t, UBUF, 8).buffer)]).toEqual([0, 1]);
    expect(fk.call(t, NR.settimeofday, UBUF, 0)).toBe(0); // root may set the time
  });

  it("nanosleep sleeps until its timer, then returns 0", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    fk.put(t, UBUF, new Uint8Array(new Int32Array([0, 50_000_000]).buffer)); // 50 ms
    expect(fk.call(t, NR.nanosleep, UBUF, UBUF + 8)).toBe(WOULD_BLOCK);
    expect(t.sleepUntil).toBe(Math.ceil(0.05 * CPU_HZ));
    fk.tick(4);
    expect(t.state).toBe(TaskState.Sleeping);
    fk.tick(1);
    expect(t.state).toBe(TaskState.Runnable);
    expect(fk.call(t, NR.nanosleep, UBUF, UBUF + 8)).toBe(0);
    expect(t.sleepUntil).toBe(0);
    fk.put(t, UBUF, new Uint8Array(new Int32Array([0, 1_000_000_000]).buffer));
    expect(fk.call(t, NR.nanosleep, UBUF, 0)).toBe(EINVAL);
  });

  it("a signal interrupts nanosleep: -EINTR and the time left in rem", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    fk.put(t, UBUF, new Uint8Array(new Int32Array([2, 0]).buffer));
    expect(fk.call(t, NR.nanosleep, UBUF, UBUF + 8)).toBe(WOULD_BLOCK);
    fk.tick(50);
    fk.k.sendSignal!(t, 10);
    expect(t.state).toBe(TaskState.Runnable);
    expect(fk.call(t, NR.nanosleep, UBUF, UBUF + 8)).toBe(EINTR);
    expect([...new Int32Array(fk.get(t, UBUF + 8, 8).buffer)]).toEqual([1, 500_000_000]);
  });

  it("poll with a timeout returns 0 after the timer fires; select reports ready pipes", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    fk.call(t, NR.pipe, UBUF + 0x100);
    const rfd = dv(fk.get(t, UBUF + 0x100, 8)).getInt32(0, true);
    const wfd = dv(fk.get(t, UBUF + 0x100, 8)).getInt32(4, true);
    fk.put(t, UBUF, Uint8Array.of(rfd, 0, 0, 0, 1, 0, 0xff, 0xff));
    expect(fk.call(t, NR.poll, UBUF, 1, 30)).toBe(WOULD_BLOCK);
    fk.tick(2);
    expect(t.state).toBe(TaskState.Sleeping);
    fk.tick(1);
    expect(t.state).toBe(TaskState.Runnable);
    expect(fk.call(t, NR.poll, UBUF, 1, 30)).toBe(0);
    expect(dv(fk.get(t, UBUF, 8)).getUint16(6, true)).toBe(0);
    // select: read set {rfd}, write set {wfd}; only the write end is ready.
    fk.put(t, UBUF + 0x200, new Uint8Array(new Int32Array([1 << rfd]).buffer));
    fk.put(t, UBUF + 0x204, new Uint8Array(new Int32Array([1 << wfd]).buffer));
    fk.put(t, UBUF + 0x208, new Uint8Array(new Int32Array([0, 0]).buffer));
    expect(fk.call(t, NR._newselect, wfd + 1, UBUF + 0x200, UBUF + 0x204, 0, UBUF + 0x208)).toBe(1);
    expect(dv(fk.get(t, UBUF + 0x200, 8)).getInt32(0, true)).toBe(0);
    expect(dv(fk.get(t, UBUF + 0x200, 8)).getInt32(4, true)).toBe(1 << wfd);
    expect(fk.call(t, NR._newselect, 64, UBUF + 0x300, 0, 0, UBUF + 0x208)).toBe(0); // empty sets, zero timeout
    fk.put(t, UBUF + 0x300, new Uint8Array(new Int32Array([1 << 20, 0]).buffer));
    expect(fk.call(t, NR._newselect, 64, UBUF + 0x300, 0, 0, UBUF + 0x208)).toBe(-9); // fd 20 not open
  });

  it("setitimer/alarm send SIGALRM when the timer expires", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    expect(fk.call(t, NR.alarm, 1)).toBe(0);
    fk.tick(99);
    expect(fk.signals).toEqual([]);
    expect(fk.call(t, NR.alarm, 1)).toBe(1); // re-arm: 0.01 s left rounds up to 1
    fk.tick(100);
    expect(fk.signals).toEqual([[1, 14]]);
    expect(fk.call(t, NR.getitimer, 0, UBUF)).toBe(0);
    expect([...new Int32Array(fk.get(t, UBUF, 16).buffer)]).toEqual([0, 0, 0, 0]);
  });
});
