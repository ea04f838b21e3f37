// The system console: the tty line discipline (kernel/tty) bound to the
// serial driver. Bytes the UART receives go through the line discipline
// (echo, editing, ^C/^\/^Z to the foreground process group); what programs
// write is post-processed and handed to the UART. /dev/console and /dev/tty
// (for tasks of the console's session) open this terminal.

import type { Kernel } from "./kernel.ts";
import { Tty } from "./tty/tty.ts";
import type { IoCaller } from "./fs/file.ts";
import type { DevfsTtys } from "./fs/devfs.ts";
import { HZ } from "./drivers/i8254.ts";
import { named } from "./named.ts";

export class Console implements DevfsTtys {
  readonly tty: Tty;
  private nextTimer = 1;
  private readonly liveTimers = new Set<number>();

  /** Binds the console tty to k's serial port and input; no session owns it at first. */
  constructor(private readonly k: Kernel) {
    this.tty = new Tty("console", {
      write: (bytes) => k.serial.write(bytes),
      signalPgrp: (pgrp, sig) => {
        k.sendSignalToGroup?.(pgrp, sig);
      },
      setTimer: (ms) => this.setTimer(ms),
      cancelTimer: (h) => {
        this.liveTimers.delete(h);
      },
    });
    // Like Linux's /dev/console, the console is nobody's controlling terminal until a
    // session leader claims it with TIOCSCTTY (init does that for the shell's session).
    this.tty.session = 0;
    this.tty.pgrp = 0;
    const one = new Uint8Array(1);
    k.onConsoleInput = (byte) => {
      one[0] = byte;
      this.tty.receive(one);
    };
  }

  get console(): Tty {
    return this.tty;
  }

  /** The caller's controlling terminal: the console for tasks of its session, else none. */
  controlling(caller: IoCaller): Tty | null {
    const s = this.tty.session;
    return s !== 0 && caller.sid === s ? this.tty : null;
  }

  /** Kernel output (printk) goes straight to the UART, bypassing the line discipline's input side. */
  write(text: string): void {
    const b = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 0xff;
    this.tty.write(b);
  }

  private setTimer(ms: number): number {
    const h = this.nextTimer++;
    this.liveTimers.add(h);
    const ticks = Math.max(1, Math.ceil((ms * HZ) / 1000));
    this.k.addTimer(this.k.jiffies + ticks, consoleVtimeFire, { console: this, h });
    return h;
  }

  /** The kernel timer of handle h ran out: the tty's VTIME expires unless it was cancelled. */
  vtimeFire(h: number): void {
    if (this.liveTimers.delete(h)) this.tty.vtimeExpired();
  }
}

const consoleVtimeFire = named("console.vtimeFire", (_k: Kernel, d: { console: Console; h: number }): void => {
  d.console.vtimeFire(d.h);
});
