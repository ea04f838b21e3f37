// The kernel log (Linux's printk ring buffer, kernel/printk/printk.c): every
// kernel message is kept, with its level and time, in a buffer of
// LOG_BUF_LEN bytes (the oldest records are dropped whole), read back by
// syslog(2) (klogctl: busybox dmesg, klogd) in Linux's text form
// "<level>[seconds.micros] message\n". Messages below the console log level
// also go to the console, as printk does.

import { WaitQueue } from "./wait.ts";

/** 16 KiB, Linux's CONFIG_LOG_BUF_SHIFT=14. */
export const LOG_BUF_LEN = 1 << 14;
/** Linux's levels (include/linux/kern_levels.h) used here. */
export const KERN_ERR = 3, KERN_WARNING = 4, KERN_INFO = 6;
/** console_loglevel: messages with a level below it reach the console (Linux's default 7). */
export const CONSOLE_LOGLEVEL_DEFAULT = 7;
/** The lowest level CONSOLE_OFF leaves (Linux's CONSOLE_LOGLEVEL_SILENT is 0; minimum_console_loglevel 1). */
export const MINIMUM_CONSOLE_LOGLEVEL = 1;

export class LogBuffer {
  /** The records still kept, formatted; text[0] is byte `base` of everything ever logged. */
  private text = "";
  private base = 0;
  /** Absolute offsets: the next byte syslog READ consumes, and where READ_ALL starts after CLEAR. */
  private readAt = 0;
  private clearAt = 0;
  /** Starts of the kept records (absolute), to drop and to copy whole records. */
  private starts: number[] = [];
  consoleLoglevel = CONSOLE_LOGLEVEL_DEFAULT;
  /** The level CONSOLE_ON restores, saved by CONSOLE_OFF (Linux's saved_console_loglevel); -1 when none. */
  savedConsoleLoglevel = -1;
  /** syslog READ callers sleeping until a message arrives. */
  readonly readers = new WaitQueue();

  /** Adds one message (no newline) logged at `seconds` since boot. Result: whether the console shows it. */
  append(level: number, seconds: number, message: string): boolean {
    const whole = Math.floor(seconds);
    const micros = Math.floor((seconds - whole) * 1e6);
    const rec = `<${level}>[${String(whole).padStart(5)}.${String(micros).padStart(6, "0")}] ${message}\n`;
    this.starts.push(this.base + this.text.length);
    this.text += rec;
    while (this.text.length > LOG_BUF_LEN && this.starts.length > 1) {
      const drop = this.starts[1] - this.base;
      this.starts.shift();
      this.text = this.text.slice(drop);
      this.base += drop;
    }
    this.readAt = Math.max(this.readAt, this.base);
    this.clearAt = Math.max(this.clearAt, this.base);
    this.readers.wakeUp();
    return level < this.consoleLoglevel;
  }

  /** Bytes not yet consumed by READ (SYSLOG_ACTION_SIZE_UNREAD). */
  get unread(): number {
    return this.base + this.text.length - this.readAt;
  }

  /** SYSLOG_ACTION_READ: consumes up to len unread bytes. */
  read(len: number): string {
    const from = this.readAt - this.base;
    const out = this.text.slice(from, from + len);
    this.readAt += out.length;
    return out;
  }

  /** SYSLOG_ACTION_READ_ALL: the newest whole records since the last CLEAR that fit in len bytes. */
  readAll(len: number): string {
    const end = this.base + this.text.length;
    let from = end;
    for (let i = this.starts.length - 1; i >= 0 && this.starts[i] >= this.clearAt; i--) {
      if (end - this.starts[i] > len) break;
      from = this.starts[i];
    }
    return this.text.slice(from - this.base);
  }

  /** SYSLOG_ACTION_CLEAR: READ_ALL starts after what is logged now. */
  clear(): void {
    this.clearAt = this.base + this.text.length;
  }
}
