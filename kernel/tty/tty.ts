// A terminal and its line discipline (Linux n_tty): input from the device
// driver is cooked (ICRNL, ISIG signals, canonical editing with ERASE/KILL/
// WERASE/EOF, echo) into a read queue; output is post-processed (ONLCR) and
// handed to the driver. Reads that cannot complete register the caller's
// waiter and return WOULD_BLOCK having consumed nothing; VTIME uses timers.

import { Errno } from "../errno.ts";
import { WaitQueue, WOULD_BLOCK } from "../wait.ts";
import type { IoCaller } from "../fs/file.ts";
import { POLLIN, POLLRDNORM, POLLOUT, POLLWRNORM } from "../fs/file.ts";
import {
  Termios, TERMIOS_SIZE, VINTR, VQUIT, VERASE, VKILL, VEOF, VTIME, VMIN, VSTART, VSTOP, VSUSP, VEOL,
  VREPRINT, VWERASE, VLNEXT, VEOL2, VDISABLE, ISTRIP, INLCR, IGNCR, ICRNL, IXON, IXANY, OPOST, ONLCR,
  OCRNL, ONLRET, ONOCR, ISIG, ICANON, ECHO, ECHOE, ECHOK, ECHONL, NOFLSH, ECHOCTL, ECHOKE, IEXTEN,
  TCGETS, TCSETS, TCSETSW, TCSETSF, TCSBRK, TCXONC, TCFLSH, TIOCSCTTY, TIOCGPGRP, TIOCSPGRP, TIOCOUTQ,
  TIOCGWINSZ, TIOCSWINSZ, TIOCINQ, TIOCNOTTY, TIOCGSID, TCOOFF, TCOON, TCIFLUSH, TCIOFLUSH,
} from "./termios.ts";
import type { Winsize } from "./termios.ts";
import { Sig } from "../signal/signals.ts";


/** Input buffer size, as N_TTY_BUF_SIZE: a canonical line holds at most 4095 characters. */
export const N_TTY_BUF_SIZE = 4096;

/** What the terminal needs from the rest of the kernel. */
export interface TtyHooks {
  /** Output bytes to the device (the UART driver). Never blocks. */
  write(bytes: Uint8Array): void;
  /** Send sig to every process in process group pgrp (ISIG chars, SIGWINCH, hangup). */
  signalPgrp(pgrp: number, sig: number): void;
  /**
   * VTIME: call the tty's vtimeExpired() after ms milliseconds of guest time
   * unless cancelTimer(handle) comes first; returns the handle.
   */
  setTimer?(ms: number): number;
  cancelTimer?(handle: number): void;
  /**
   * Job control (optional): a task of the terminal's session outside the
   * foreground group read the terminal. The process layer sends sig (SIGTTIN)
   * to caller.pgrp and returns what read should give (-ERESTARTSYS to retry
   * after the stop, or -EIO if the signal is ignored/blocked or the group is
   * orphaned). Without this hook, background reads are allowed.
   */
  backgroundRead?(caller: IoCaller, sig: number): number;
}

// Read-queue entries: a byte, optionally flagged as ending a canonical line;
// EOF_MARK is an end-of-line with no byte (^D), never returned to the reader.
const LINE_END = 0x100;
const EOF_MARK = 0x200 | LINE_END;

export class Tty {
  readonly termios = new Termios();
  readonly winsize: Winsize = { row: 24, col: 80, xpixel: 0, ypixel: 0 };
  /** Foreground process group and session (0 = none). */
  pgrp = 0;
  session = 0;
  readonly readWait = new WaitQueue();
  readonly writeWait = new WaitQueue();

  private readQ: number[] = [];
  /** Completed lines in readQ (canonical mode). */
  private lines = 0;
  /** The canonical line being edited. */
  private line: number[] = [];
  private lnext = false;
  private stopped = false;
  private held: number[] = [];
  private column = 0;
  private canonColumn = 0;
  private timer = -1;
  private timerExpired = false;

  constructor(
    readonly name: string,
    private readonly hooks: TtyHooks,
  ) {}

  private get t(): Termios {
    return this.termios;
  }
  private l(flag: number): boolean {
    return (this.t.lflag & flag) !== 0;
  }
  private isCc(c: number, idx: number): boolean {
    const v = this.t.cc[idx];
    return v !== VDISABLE && c === v;
  }

  // ---- output -------------------------------------------------------------

  /** Post-process one byte into out (OPOST, ONLCR, OCRNL, column tracking). */
  private opost(c: number, out: number[]): void {
    const o = this.t.oflag;
    if ((o & OPOST) === 0) {
      out.push(c);
      return;
    }
    if (c === 0x0a) {
      if (o & ONLCR) {
        out.push(0x0d, 0x0a);
        this.column = 0;
        this.canonColumn = 0;
        return;
      }
      if (o & ONLRET) this.column = 0;
      out.push(c);
      return;
    }
    if (c === 0x0d) {
      if ((o & ONOCR) && this.column === 0) return;
      if (o & OCRNL) {
        out.push(0x0a);
        if (o & ONLRET) this.column = 0;
        return;
      }
      this.column = 0;
      this.canonColumn = 0;
      out.push(c);
      return;
    }
    if (c === 0x09) this.column = (this.column | 7) + 1;
    else if (c === 0x08) {
      if (this.column > 0) this.column--;
    } else if (c >= 0x20 && c !== 0x7f) this.column++;
    out.push(c);
  }

  private emit(out: number[]): void {
    if (out.length === 0) return;
    if (this.stopped) {
      for (const b of out) this.held.push(b);
      return;
    }
    this.hooks.write(Uint8Array.from(out));
  }

  /** write(2) on the terminal: all of src is taken (output never blocks). */
  write(src: Uint8Array): number {
    const out: number[] = [];
    for (let i = 0; i < src.length; i++) this.opost(src[i], out);
    this.emit(out);
    return src.length;
  }

  // ---- echo ---------------------------------------------------------------

  private isCtl(c: number): boolean {
    return (c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0x7f;
  }

  /** Echo a received character (ECHOCTL shows controls as ^X). */
  private echoChar(c: number, out: number[]): void {
    if (this.isCtl(c) && this.l(ECHOCTL)) {
      out.push(0x5e);
      this.column++;
      this.opost(c ^ 0x40, out);
    } else {
      this.opost(c, out);
    }
  }

  /** Width on screen of the echo of line[i], replaying from the line's start column. */
  private eraseWidth(i: number): number {
    const c = this.line[i];
    if (c === 0x09) {
      let col = this.canonColumn;
      for (let k = 0; k < i; k++) {
        const x = this.line[k];
        if (x === 0x09) col = (col | 7) + 1;
        else if (this.isCtl(x)) col += this.l(ECHOCTL) ? 2 : 0;
        else col++;
      }
      const tabEnd = (col | 7) + 1;
      return tabEnd - col;
    }
    if (this.isCtl(c)) return this.l(ECHOCTL) ? 2 : 0;
    return 1;
  }

  private rubout(i: number, out: number[]): void {
    const w = this.eraseWidth(i);
    const c = this.line[i];
    for (let k = 0; k < w; k++) {
      if (c === 0x09) this.opost(0x08, out);
      else {
        out.push(0x08, 0x20, 0x08);
        if (this.column > 0) this.column--;
      }
    }
  }

  // ---- input --------------------------------------------------------------

  /** Characters from the device (keyboard). Wakes readers as lines/bytes become available. */
  receive(bytes: Uint8Array): void {
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i++) this.receiveChar(bytes[i], out);
    this.emit(out);
  }

  private pushLine(endByte: number): void {
    for (const b of this.line) this.readQ.push(b);
    this.readQ.push(endByte);
    this.line = [];
    this.lines++;
    this.canonColumn = this.column;
    this.readWait.wakeUp();
  }

  private receiveChar(c: number, out: number[]): void {
    const t = this.t;
    if (t.iflag & ISTRIP) c &= 0x7f;
    if (this.lnext) {
      this.lnext = false;
      this.addChar(c, out, true);
      return;
    }
    if (c === 0x0d) {
      if (t.iflag & IGNCR) return;
      if (t.iflag & ICRNL) c = 0x0a;
    } else if (c === 0x0a && (t.iflag & INLCR)) c = 0x0d;

    if (t.iflag & IXON) {
      if (this.isCc(c, VSTOP)) {
        this.stopped = true;
        return;
      }
      if (this.isCc(c, VSTART)) {
        this.startOutput();
        return;
      }
      if (this.stopped && (t.iflag & IXANY)) this.startOutput();
    }
    if (this.l(ISIG)) {
      const sig = this.isCc(c, VINTR) ? Sig.SIGINT : this.isCc(c, VQUIT) ? Sig.SIGQUIT : this.isCc(c, VSUSP) ? Sig.SIGTSTP : 0;
      if (sig !== 0) {
        if (!this.l(NOFLSH)) this.flushInput();
        if (this.l(ECHO)) this.echoChar(c, out);
        this.emit(out.splice(0));
        if (this.pgrp > 0) this.hooks.signalPgrp(this.pgrp, sig);
        return;
      }
    }
    if (this.l(ICANON)) {
      if (this.isCc(c, VERASE) || c === 0x08) return this.erase(out, "char");
      if (this.isCc(c, VKILL)) return this.erase(out, "line");
      if (this.l(IEXTEN)) {
        if (this.isCc(c, VWERASE)) return this.erase(out, "word");
        if (this.isCc(c, VLNEXT)) {
          this.lnext = true;
          if (this.l(ECHO) && this.l(ECHOCTL)) {
            out.push(0x5e, 0x08);
          }
          return;
        }
        if (this.isCc(c, VREPRINT)) {
          if (this.l(ECHO)) {
            this.echoChar(c, out);
            this.opost(0x0a, out);
            for (const b of this.line) this.echoChar(b, out);
          }
          return;
        }
      }
      if (this.isCc(c, VEOF)) {
        this.pushLine(EOF_MARK);
        return;
      }
      if (c === 0x0a) {
        if (this.l(ECHO) || this.l(ECHONL)) this.opost(0x0a, out);
        this.pushLine(c | LINE_END);
        return;
      }
      if (this.isCc(c, VEOL) || this.isCc(c, VEOL2)) {
        if (this.l(ECHO)) this.echoChar(c, out);
        this.pushLine(c | LINE_END);
        return;
      }
    }
    this.addChar(c, out, false);
  }

  private addChar(c: number, out: number[], literal: boolean): void {
    if (this.l(ICANON)) {
      if (this.line.length >= N_TTY_BUF_SIZE - 1 || this.readQ.length + this.line.length >= N_TTY_BUF_SIZE * 2) return;
      if (this.line.length === 0 && this.lines === 0) this.canonColumn = this.column;
      if (literal && this.l(ECHO) && this.l(ECHOCTL) && this.isCtl(c)) out.push(0x08, 0x08);
      this.line.push(c);
      if (this.l(ECHO)) this.echoChar(c, out);
      return;
    }
    if (this.readQ.length >= N_TTY_BUF_SIZE) return;
    this.readQ.push(c);
    if (this.l(ECHO)) this.echoChar(c, out);
    const vmin = this.t.cc[VMIN];
    const vtime = this.t.cc[VTIME];
    if (vtime > 0 && vmin > 0) this.armTimer(vtime);
    this.readWait.wakeUp();
  }

  private erase(out: number[], kind: "char" | "line" | "word"): void {
    if (this.line.length === 0) return;
    const echo = this.l(ECHO);
    if (kind === "line" && (!echo || !this.l(ECHOK) || !this.l(ECHOKE) || !this.l(ECHOE))) {
      this.line = [];
      if (echo) {
        this.echoChar(this.t.cc[VKILL], out);
        if (this.l(ECHOK)) this.opost(0x0a, out);
      }
      return;
    }
    if (kind === "char" && echo && !this.l(ECHOE)) {
      this.line.pop();
      this.echoChar(this.t.cc[VERASE], out);
      return;
    }
    let seenWord = false;
    while (this.line.length > 0) {
      const i = this.line.length - 1;
      const c = this.line[i];
      if (kind === "word") {
        const wordChar = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
        if (wordChar) seenWord = true;
        else if (seenWord) break;
      }
      if (echo) this.rubout(i, out);
      this.line.pop();
      if (kind === "char") break;
    }
  }

  private startOutput(): void {
    this.stopped = false;
    if (this.held.length > 0) {
      const h = Uint8Array.from(this.held);
      this.held = [];
      this.hooks.write(h);
    }
  }

  /** Discard pending input (TCIFLUSH, signals without NOFLSH). */
  flushInput(): void {
    this.readQ = [];
    this.line = [];
    this.lines = 0;
    this.lnext = false;
  }

  // ---- read ---------------------------------------------------------------

  private armTimer(deciseconds: number): void {
    if (this.hooks.setTimer === undefined) return;
    if (this.timer >= 0) this.hooks.cancelTimer?.(this.timer);
    this.timerExpired = false;
    this.timer = this.hooks.setTimer(deciseconds * 100);
  }

  /** The VTIME timer armed through hooks.setTimer ran out. */
  vtimeExpired(): void {
    this.timer = -1;
    this.timerExpired = true;
    this.readWait.wakeUp();
  }

  private stopTimer(): void {
    if (this.timer >= 0) this.hooks.cancelTimer?.(this.timer);
    this.timer = -1;
    this.timerExpired = false;
  }

  private take(dst: Uint8Array, n: number): number {
    for (let i = 0; i < n; i++) dst[i] = this.readQ[i] & 0xff;
    this.readQ.splice(0, n);
    this.stopTimer();
    return n;
  }

  /** Bytes a read could return now (FIONREAD): complete lines in canonical mode. */
  get inputAvailable(): number {
    if (!this.l(ICANON)) return this.readQ.length;
    let n = 0;
    let pending = 0;
    for (const e of this.readQ) {
      if (e === EOF_MARK) {
        n += pending;
        pending = 0;
        continue;
      }
      pending++;
      if (e & LINE_END) {
        n += pending;
        pending = 0;
      }
    }
    return n;
  }

  /** read(2): a count, -EAGAIN (nonblocking), or WOULD_BLOCK with caller.waiter registered. */
  read(dst: Uint8Array, nonblock: boolean, caller: IoCaller): number {
    if (this.hooks.backgroundRead !== undefined && this.session !== 0 && caller.sid === this.session && caller.pgrp !== this.pgrp)
      return this.hooks.backgroundRead(caller, Sig.SIGTTIN);
    if (dst.length === 0) return 0;
    const block = (): number => {
      if (nonblock || caller.waiter === null) return -Errno.EAGAIN;
      this.readWait.add(caller.waiter);
      return WOULD_BLOCK;
    };
    if (this.l(ICANON)) {
      if (this.lines === 0) return block();
      let n = 0;
      let i = 0;
      for (; i < this.readQ.length && n < dst.length; i++) {
        const e = this.readQ[i];
        if (e === EOF_MARK) {
          // The EOF mark ends the line without a byte; alone it makes read return 0.
          i++;
          this.lines--;
          break;
        }
        dst[n++] = e & 0xff;
        if (e & LINE_END) {
          i++;
          this.lines--;
          break;
        }
      }
      this.readQ.splice(0, i);
      return n;
    }
    const avail = this.readQ.length;
    const vmin = this.t.cc[VMIN];
    const vtime = this.t.cc[VTIME];
    const want = Math.min(vmin, dst.length);
    if (vmin === 0 && vtime === 0) return this.take(dst, Math.min(avail, dst.length));
    if (nonblock) return avail > 0 ? this.take(dst, Math.min(avail, dst.length)) : -Errno.EAGAIN;
    if (vmin > 0 && avail >= want) return this.take(dst, Math.min(avail, dst.length));
    if (vmin === 0) {
      if (avail > 0) return this.take(dst, Math.min(avail, dst.length));
      if (this.timerExpired) {
        this.timerExpired = false;
        return 0;
      }
      if (this.timer < 0) this.armTimer(vtime);
      return block();
    }
    if (vtime > 0 && avail > 0 && this.timerExpired) return this.take(dst, Math.min(avail, dst.length));
    return block();
  }

  /** Readiness for poll/select; registers the waiter on the read queue when no input is ready. */
  poll(caller: IoCaller): number {
    let mask = POLLOUT | POLLWRNORM;
    const ready = this.l(ICANON) ? this.lines > 0 : this.readQ.length >= Math.max(1, this.t.cc[VMIN]) || (this.readQ.length > 0 && this.timerExpired);
    if (ready) mask |= POLLIN | POLLRDNORM;
    else if (caller.waiter !== null) this.readWait.add(caller.waiter);
    return mask;
  }

  // ---- ioctl --------------------------------------------------------------

  private setTermios(b: Uint8Array): void {
    const wasCanon = this.l(ICANON);
    this.termios.decode(b);
    const canon = this.l(ICANON);
    if (wasCanon && !canon) {
      // The partial line becomes readable input; line-end markers lose their meaning.
      for (const c of this.line) this.readQ.push(c);
      this.readQ = this.readQ.filter((e) => e !== EOF_MARK).map((e) => e & 0xff);
      this.line = [];
      this.lines = 0;
    } else if (!wasCanon && canon) {
      this.line = this.readQ.map((e) => e & 0xff);
      this.readQ = [];
      this.lines = 0;
    }
    if (!this.l(ICANON) || this.lines > 0 || this.readQ.length > 0) this.readWait.wakeUp();
  }

  /** Terminal ioctls; arguments in user memory go through caller.user. Unknown: -ENOTTY. */
  ioctl(cmd: number, arg: number, caller: IoCaller): number {
    const user = caller.user;
    const putInt = (v: number): number => {
      if (user === null) return -Errno.EFAULT;
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, v, true);
      return user.copyToUser(arg, b);
    };
    switch (cmd) {
      case TCGETS:
        if (user === null) return -Errno.EFAULT;
        return user.copyToUser(arg, this.termios.encode());
      case TCSETS:
      case TCSETSW:
      case TCSETSF: {
        if (user === null) return -Errno.EFAULT;
        const b = user.copyFromUser(arg, TERMIOS_SIZE);
        if (typeof b === "number") return b;
        if (cmd === TCSETSF) this.flushInput();
        this.setTermios(b);
        return 0;
      }
      case TIOCGWINSZ: {
        if (user === null) return -Errno.EFAULT;
        const b = new Uint8Array(8);
        const v = new DataView(b.buffer);
        v.setUint16(0, this.winsize.row, true);
        v.setUint16(2, this.winsize.col, true);
        v.setUint16(4, this.winsize.xpixel, true);
        v.setUint16(6, this.winsize.ypixel, true);
        return user.copyToUser(arg, b);
      }
      case TIOCSWINSZ: {
        if (user === null) return -Errno.EFAULT;
        const b = user.copyFromUser(arg, 8);
        if (typeof b === "number") return b;
        const v = new DataView(b.buffer, b.byteOffset, 8);
        this.setWinsize({ row: v.getUint16(0, true), col: v.getUint16(2, true), xpixel: v.getUint16(4, true), ypixel: v.getUint16(6, true) });
        return 0;
      }
      case TIOCGPGRP:
        if (this.session !== 0 && caller.sid !== this.session) return -Errno.ENOTTY;
        return putInt(this.pgrp);
      case TIOCSPGRP: {
        if (user === null) return -Errno.EFAULT;
        const b = user.copyFromUser(arg, 4);
        if (typeof b === "number") return b;
        const pg = new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
        if (pg < 0) return -Errno.EINVAL;
        if (this.session !== 0 && caller.sid !== this.session) return -Errno.ENOTTY;
        this.pgrp = pg;
        return 0;
      }
      case TIOCGSID:
        if (this.session === 0) return -Errno.ENOTTY;
        return putInt(this.session);
      case TIOCSCTTY:
        if (caller.pid !== caller.sid) return -Errno.EPERM;
        if (this.session === caller.sid) return 0;
        if (this.session !== 0 && arg !== 1) return -Errno.EPERM;
        this.session = caller.sid;
        this.pgrp = caller.pgrp;
        return 0;
      case TIOCNOTTY:
        if (this.session === 0 || caller.sid !== this.session) return -Errno.ENOTTY;
        if (caller.pid === caller.sid) {
          if (this.pgrp > 0) {
            this.hooks.signalPgrp(this.pgrp, Sig.SIGHUP);
            this.hooks.signalPgrp(this.pgrp, Sig.SIGCONT);
          }
          this.session = 0;
          this.pgrp = 0;
        }
        return 0;
      case TIOCINQ:
        return putInt(this.inputAvailable);
      case TIOCOUTQ:
        return putInt(this.held.length);
      case TCFLSH:
        if (arg === TCIFLUSH || arg === TCIOFLUSH) this.flushInput();
        else if (arg !== 1) return -Errno.EINVAL;
        return 0;
      case TCXONC:
        if (arg === TCOOFF) this.stopped = true;
        else if (arg === TCOON) this.startOutput();
        else if (arg !== 2 && arg !== 3) return -Errno.EINVAL;
        return 0;
      case TCSBRK:
        return 0;
      default:
        return -Errno.ENOTTY;
    }
  }

  /** A new window size (TIOCSWINSZ or the host terminal resized): SIGWINCH to the foreground group on change. */
  setWinsize(ws: Winsize): void {
    const w = this.winsize;
    if (w.row === ws.row && w.col === ws.col && w.xpixel === ws.xpixel && w.ypixel === ws.ypixel) return;
    Object.assign(w, ws);
    if (this.pgrp > 0) this.hooks.signalPgrp(this.pgrp, Sig.SIGWINCH);
  }
}
