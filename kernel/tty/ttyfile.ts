// The file operations of an open terminal (/dev/console, /dev/tty, later
// pseudo-terminals): file.priv is the Tty; everything goes to its line discipline.

import type { FileOps, File } from "../fs/file.ts";
import { noLlseek } from "../fs/file.ts";
import type { Tty } from "./tty.ts";
import { named } from "../named.ts";

function ttyOf(file: File): Tty {
  return file.priv as Tty;
}

export const ttyFops: FileOps = named("tty.ttyFops", {
  read: (file, dst, caller) => ttyOf(file).read(dst, file.nonblock, caller),
  write: (file, src) => ttyOf(file).write(src),
  llseek: noLlseek,
  ioctl: (file, cmd, arg, caller) => ttyOf(file).ioctl(cmd, arg, caller),
  poll: (file, caller) => ttyOf(file).poll(caller),
});

/** Make file an open handle on tty (drivers call this from their open). */
export function attachTty(file: File, tty: Tty): void {
  file.priv = tty;
  file.fop = ttyFops;
}
