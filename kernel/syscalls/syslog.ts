// syslog(2) (glibc's klogctl), the kernel log's reader: Linux's do_syslog
// (kernel/printk/printk.c) over kernel/printk.ts. Reading everything
// (READ_ALL) and the buffer size are open to every user, as with Linux's
// default kernel.dmesg_restrict=0; the rest needs root (CAP_SYSLOG).

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { WOULD_BLOCK } from "../wait.ts";
import { LOG_BUF_LEN, MINIMUM_CONSOLE_LOGLEVEL } from "../printk.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";
import { putBytes } from "./fs-user.ts";

/** SYSLOG_ACTION_* (include/linux/syslog.h). */
const enum Action { Close = 0, Open = 1, Read = 2, ReadAll = 3, ReadClear = 4, Clear = 5, ConsoleOff = 6, ConsoleOn = 7, ConsoleLevel = 8, SizeUnread = 9, SizeBuffer = 10 }

function copyOut(t: Task, buf: number, text: string): number {
  const r = putBytes(t, buf, new TextEncoder().encode(text));
  return r < 0 ? r : text.length;
}

/** syslog(type, buf, len): bytes copied, a size, 0, or -errno (EINVAL, EPERM, EFAULT). */
export function sysSyslog(k: Kernel, t: Task, type: number, buf: number, len: number): number {
  if (type !== Action.ReadAll && type !== Action.SizeBuffer && t.euid !== 0) return -Errno.EPERM;
  const log = k.log;
  switch (type) {
    case Action.Close:
    case Action.Open:
      return 0;
    case Action.Read:
      if (buf === 0 || len < 0) return -Errno.EINVAL;
      if (len === 0) return 0;
      if (log.unread === 0) {
        log.readers.add(t);
        return WOULD_BLOCK;
      }
      return copyOut(t, buf, log.read(len));
    case Action.ReadAll:
    case Action.ReadClear: {
      if (buf === 0 || len < 0) return -Errno.EINVAL;
      const r = copyOut(t, buf, log.readAll(len));
      if (r >= 0 && type === Action.ReadClear) log.clear();
      return r;
    }
    case Action.Clear:
      log.clear();
      return 0;
    case Action.ConsoleOff:
      if (log.savedConsoleLoglevel < 0) log.savedConsoleLoglevel = log.consoleLoglevel;
      log.consoleLoglevel = MINIMUM_CONSOLE_LOGLEVEL;
      return 0;
    case Action.ConsoleOn:
      if (log.savedConsoleLoglevel >= 0) log.consoleLoglevel = log.savedConsoleLoglevel;
      log.savedConsoleLoglevel = -1;
      return 0;
    case Action.ConsoleLevel:
      if (len < 1 || len > 8) return -Errno.EINVAL;
      log.consoleLoglevel = Math.max(len, MINIMUM_CONSOLE_LOGLEVEL);
      log.savedConsoleLoglevel = -1;
      return 0;
    case Action.SizeUnread:
      return log.unread;
    case Action.SizeBuffer:
      return LOG_BUF_LEN;
    default:
      return -Errno.EINVAL;
  }
}

export function defineSyslogCall(table: Syscalls): void {
  define(table, { [NR.syslog]: sysSyslog });
}
