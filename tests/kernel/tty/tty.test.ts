import { describe, it, expect } from "vitest";
import { Tty } from "../../../kernel/tty/tty.ts";
import type { TtyHooks } from "../../../kernel/tty/tty.ts";
import { Termios, TCGETS, TCSETS, TCSETSF, TIOCGWINSZ, TIOCSWINSZ, TIOCGPGRP, TIOCSPGRP, TIOCINQ, TIOCSCTTY, ICANON, ECHO, ECHOE, ECHOKE, ECHOCTL, VMIN, VTIME, ISIG, OPOST } from "../../../kernel/tty/termios.ts";
import { WOULD_BLOCK } from "../../../kernel/wait.ts";
import type { Waiter } from "../../../kernel/wait.ts";
import type { IoCaller } from "../../../kernel/fs/file.ts";
import { Errno } from "../../../kernel/errno.ts";
import { FakeUser } from "../fs/world.ts";

function setup() {
  const out: number[] = [];
  const signals: [number, number][] = [];
  const timers = new Map<number, { ms: number; fn: () => void }>();
  // eslint-disable-next-line prefer-const
  let tty: Tty;
  let nextTimer = 1;
  const hooks: TtyHooks = {
    write: (b) => out.push(...b),
    signalPgrp: (pg, sig) => signals.push([pg, sig]),
    setTimer: (ms) => {
      timers.set(nextTimer, { ms, fn: () => tty.vtimeExpired() });
      return nextTimer++;
    },
    cancelTimer: (h) => void timers.delete(h),
  };
  tty = new Tty("console", hooks);
  const wakes: string[] = [];
  const waiter: Waiter = { wake: () => wakes.push("woken") };
  const user = new FakeUser();
  const caller: IoCaller = { waiter, user, pid: 10, pgrp: 10, sid: 10 };
  tty.pgrp = 10;
  tty.session = 10;
  const type = (s: string) => tty.receive(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  const echoed = () => String.fromCharCode(...out.splice(0));
  const read = (n = 100, nonblock = false): string | number => {
    const dst = new Uint8Array(n);
    const r = tty.read(dst, nonblock, caller);
    return r < 0 ? r : String.fromCharCode(...dst.subarray(0, r));
  };
  return { tty, out, signals, timers, wakes, waiter, caller, user, type, echoed, read };
}

describe("tty canonical mode", () => {
  it("blocks without a line, wakes on newline, translates CR and echoes with ONLCR", () => {
    const s = setup();
    expect(s.read()).toBe(WOULD_BLOCK);
    expect(s.tty.readWait.has(s.waiter)).toBe(true);
    s.type("ls -l");
    expect(s.wakes).toEqual([]);
    expect(s.read()).toBe(WOULD_BLOCK);
    s.type("\r");
    expect(s.wakes).toEqual(["woken"]);
    expect(s.echoed()).toBe("ls -l\r\n");
    expect(s.read()).toBe("ls -l\n");
    expect(s.read(100, true)).toBe(-Errno.EAGAIN);
  });

  it("returns one line per read and partial lines when the buffer is small", () => {
    const s = setup();
    s.type("one\ntwo\nthr");
    expect(s.read(2)).toBe("on");
    expect(s.read()).toBe("e\n");
    expect(s.read()).toBe("two\n");
    expect(s.read()).toBe(WOULD_BLOCK);
  });

  it("erase (^? and ^H), kill (^U), werase (^W) edit the line and echo rubouts", () => {
    const s = setup();
    s.type("abc\x7f");
    expect(s.echoed()).toBe("abc\b \b");
    s.type("\x08");
    expect(s.echoed()).toBe("\b \b");
    s.type("x\n");
    expect(s.read()).toBe("ax\n");
    s.echoed();
    s.type("hello world  \x17");
    expect(s.echoed()).toBe("hello world  " + "\b \b".repeat(7));
    s.type("\x17");
    expect(s.echoed()).toBe("\b \b".repeat(6));
    s.type("foo\x15");
    expect(s.echoed()).toBe("foo" + "\b \b".repeat(3));
    s.type("bar\n");
    expect(s.read()).toBe("bar\n");
  });

  it("erases control characters echoed as ^X (two columns) and tabs back to their column", () => {
    const s = setup();
    s.type("ab\x01");
    expect(s.echoed()).toBe("ab^A");
    s.type("\x7f");
    expect(s.echoed()).toBe("\b \b\b \b");
    s.type("\t");
    expect(s.echoed()).toBe("\t");
    s.type("\x7f");
    expect(s.echoed()).toBe("\b".repeat(6));
  });

  it("ECHOK without ECHOKE echoes the kill character and a newline; no ECHOE echoes the erase char", () => {
    const s = setup();
    s.tty.termios.lflag &= ~ECHOKE;
    s.type("abc\x15");
    expect(s.echoed()).toBe("abc^U\r\n");
    s.tty.termios.lflag &= ~ECHOE;
    s.type("ab\x7f");
    expect(s.echoed()).toBe("ab^?");
    s.type("\n");
    expect(s.read()).toBe("a\n");
  });

  it("^D at line start reads as EOF (0), ^D after text ends the line without a newline", () => {
    const s = setup();
    s.type("abc\x04");
    expect(s.read()).toBe("abc");
    s.type("\x04");
    expect(s.read()).toBe("");
    expect(s.echoed()).toBe("abc");
    expect(s.read()).toBe(WOULD_BLOCK);
  });

  it("without ECHO nothing is echoed except newline under ECHONL", () => {
    const s = setup();
    s.tty.termios.lflag &= ~ECHO;
    s.type("secret\n");
    expect(s.echoed()).toBe("");
    s.tty.termios.lflag |= 0o100; // ECHONL
    s.type("pw\n");
    expect(s.echoed()).toBe("\r\n");
    expect(s.read()).toBe("secret\n");
  });

  it("^C, ^\\ and ^Z signal the foreground group, flush input and echo ^C", () => {
    const s = setup();
    s.type("partial");
    s.echoed();
    s.type("\x03");
    expect(s.signals).toEqual([[10, 2]]);
    expect(s.echoed()).toBe("^C");
    s.type("\n");
    expect(s.read()).toBe("\n");
    s.type("\x1c\x1a");
    expect(s.signals).toEqual([[10, 2], [10, 3], [10, 20]]);
    s.tty.termios.lflag &= ~ISIG;
    s.type("\x03\n");
    expect(s.read()).toBe("\x03\n");
  });
});

describe("tty output", () => {
  it("maps \\n to \\r\\n with OPOST|ONLCR, raw without OPOST", () => {
    const s = setup();
    expect(s.tty.write(Uint8Array.from([0x61, 0x0a, 0x62]))).toBe(3);
    expect(s.echoed()).toBe("a\r\nb");
    s.tty.termios.oflag &= ~OPOST;
    s.tty.write(Uint8Array.from([0x0a]));
    expect(s.echoed()).toBe("\n");
  });

  it("^S holds output until ^Q", () => {
    const s = setup();
    s.type("\x13");
    s.tty.write(Uint8Array.from([0x78]));
    expect(s.echoed()).toBe("");
    s.type("\x11");
    expect(s.echoed()).toBe("x");
  });
});

describe("tty non-canonical mode", () => {
  it("VMIN=1 VTIME=0 returns bytes as they come", () => {
    const s = setup();
    s.tty.termios.lflag &= ~(ICANON | ECHO);
    expect(s.read()).toBe(WOULD_BLOCK);
    s.type("ab");
    expect(s.read()).toBe("ab");
  });

  it("VMIN=3 waits for three bytes", () => {
    const s = setup();
    s.tty.termios.lflag &= ~ICANON;
    s.tty.termios.cc[VMIN] = 3;
    s.type("xy");
    expect(s.read()).toBe(WOULD_BLOCK);
    s.type("z");
    expect(s.echoed()).toBe("xyz");
    expect(s.read()).toBe("xyz");
  });

  it("VMIN=0 VTIME=5 times out with 0 after 500 ms, or returns data", () => {
    const s = setup();
    s.tty.termios.lflag &= ~ICANON;
    s.tty.termios.cc[VMIN] = 0;
    s.tty.termios.cc[VTIME] = 5;
    expect(s.read()).toBe(WOULD_BLOCK);
    expect([...s.timers.values()].map((t) => t.ms)).toEqual([500]);
    [...s.timers.values()][0].fn();
    expect(s.wakes).toEqual(["woken"]);
    expect(s.read()).toBe("");
    s.type("k");
    expect(s.read()).toBe("k");
  });

  it("VMIN=2 VTIME=1: inter-byte timer returns the bytes so far", () => {
    const s = setup();
    s.tty.termios.lflag &= ~ICANON;
    s.tty.termios.cc[VMIN] = 2;
    s.tty.termios.cc[VTIME] = 1;
    expect(s.read()).toBe(WOULD_BLOCK);
    expect(s.timers.size).toBe(0);
    s.type("a");
    expect(s.read()).toBe(WOULD_BLOCK);
    expect(s.timers.size).toBe(1);
    [...s.timers.values()][0].fn();
    expect(s.read()).toBe("a");
  });

  it("VMIN=0 VTIME=0 polls", () => {
    const s = setup();
    s.tty.termios.lflag &= ~ICANON;
    s.tty.termios.cc[VMIN] = 0;
    expect(s.read()).toBe("");
  });
});

describe("tty ioctls", () => {
  it("TCGETS gives Linux's default termios bytes", () => {
    const s = setup();
    expect(s.tty.ioctl(TCGETS, 0x1000, s.caller)).toBe(0);
    const b = s.user.mem.subarray(0x1000, 0x1000 + 36);
    const v = new DataView(b.buffer, b.byteOffset);
    expect(v.getUint32(0, true)).toBe(0x500); // ICRNL|IXON
    expect(v.getUint32(4, true)).toBe(0x5); // OPOST|ONLCR
    expect(v.getUint32(8, true)).toBe(0x4bf); // B38400|CS8|CREAD|HUPCL
    expect(v.getUint32(12, true)).toBe(0x8a3b); // ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN
    expect(b[16]).toBe(0);
    expect([...b.subarray(17)]).toEqual([3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0]);
    expect(s.tty.ioctl(TCGETS, 0x10, s.caller)).toBe(-Errno.EFAULT);
  });

  it("TCSETS switches to raw mode and the partial line becomes input; TCSETSF flushes", () => {
    const s = setup();
    s.type("abc");
    const t = new Termios();
    t.lflag &= ~(ICANON | ECHO);
    s.user.mem.set(t.encode(), 0x2000);
    expect(s.tty.ioctl(TCSETS, 0x2000, s.caller)).toBe(0);
    expect(s.read()).toBe("abc");
    s.type("zz");
    expect(s.tty.ioctl(TCSETSF, 0x2000, s.caller)).toBe(0);
    expect(s.read()).toBe(WOULD_BLOCK);
  });

  it("window size get/set sends SIGWINCH on change only", () => {
    const s = setup();
    expect(s.tty.ioctl(TIOCGWINSZ, 0x100, s.caller)).toBe(0);
    expect([...s.user.mem.subarray(0x100, 0x108)]).toEqual([24, 0, 80, 0, 0, 0, 0, 0]);
    s.user.mem.set([50, 0, 132, 0, 0, 0, 0, 0], 0x200);
    expect(s.tty.ioctl(TIOCSWINSZ, 0x200, s.caller)).toBe(0);
    expect(s.tty.ioctl(TIOCSWINSZ, 0x200, s.caller)).toBe(0);
    expect(s.signals).toEqual([[10, 28]]);
    expect(s.tty.winsize).toEqual({ row: 50, col: 132, xpixel: 0, ypixel: 0 });
  });

  it("process groups, controlling tty, FIONREAD, unknown ioctl", () => {
    const s = setup();
    expect(s.tty.ioctl(TIOCGPGRP, 0x300, s.caller)).toBe(0);
    expect(s.user.u32(0x300)).toBe(10);
    s.user.mem.set([42, 0, 0, 0], 0x304);
    expect(s.tty.ioctl(TIOCSPGRP, 0x304, s.caller)).toBe(0);
    expect(s.tty.pgrp).toBe(42);
    s.type("\x03");
    expect(s.signals).toEqual([[42, 2]]);
    const other: IoCaller = { ...s.caller, pid: 20, pgrp: 20, sid: 20 };
    expect(s.tty.ioctl(TIOCSPGRP, 0x304, other)).toBe(-Errno.ENOTTY);
    expect(s.tty.ioctl(TIOCSCTTY, 0, other)).toBe(-Errno.EPERM);
    expect(s.tty.ioctl(TIOCSCTTY, 0, { ...other, pid: 21 })).toBe(-Errno.EPERM);
    s.type("ab\ncd");
    expect(s.tty.ioctl(TIOCINQ, 0x308, s.caller)).toBe(0);
    expect(s.user.u32(0x308)).toBe(3);
    expect(s.tty.ioctl(0x1234, 0, s.caller)).toBe(-Errno.ENOTTY);
    const fresh = setup();
    fresh.tty.session = 0;
    fresh.tty.pgrp = 0;
    expect(fresh.tty.ioctl(TIOCSCTTY, 0, fresh.caller)).toBe(0);
    expect([fresh.tty.session, fresh.tty.pgrp]).toEqual([10, 10]);
    void ECHOCTL;
  });
});

describe("tty job control", () => {
  it("a background group's read goes to the backgroundRead hook with SIGTTIN", () => {
    const calls: [number, number][] = [];
    const tty = new Tty("t", { write: () => {}, signalPgrp: () => {}, backgroundRead: (c, sig) => (calls.push([c.pgrp, sig]), -512) });
    tty.session = 10;
    tty.pgrp = 10;
    tty.receive(Uint8Array.of(0x61, 0x0a));
    const bg: IoCaller = { waiter: null, user: null, pid: 11, pgrp: 11, sid: 10 };
    expect(tty.read(new Uint8Array(10), false, bg)).toBe(-512);
    expect(calls).toEqual([[11, 21]]);
    const fg: IoCaller = { ...bg, pgrp: 10 };
    expect(tty.read(new Uint8Array(10), false, fg)).toBe(2);
    const other: IoCaller = { ...bg, sid: 99 };
    expect(tty.read(new Uint8Array(10), true, other)).toBe(-Errno.EAGAIN);
  });
});
