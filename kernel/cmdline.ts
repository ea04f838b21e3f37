// The kernel command line (`--append` on the CLI, as with QEMU): mm=, init=,
// quiet, swap=. Unknown words are reported and ignored, as Linux does.

import { MAX_SWAP_BYTES, parseSize } from "./mm/swap.ts";
import { DEFAULT_MM_DESIGN, MM_DESIGNS } from "./mm/design-names.ts";

export interface BootOptions {
  /** Memory-manager design: classic | vma | lazy | sharedpt. */
  mm: string;
  /** Path of the first user program. */
  init: string;
  /** Arguments after `--` go to init. */
  initArgs: string[];
  /** No kernel messages on the console. */
  quiet: boolean;
  /** swap=SIZE: bytes of the RAM-backed swap area (0 = no swap). */
  swap: number;
  /** The words as given. */
  raw: string;
}


/** Parses `cmdline`; problems are reported through `warn` and the defaults kept. */
export function parseCmdline(cmdline: string, warn: (msg: string) => void): BootOptions {
  const o: BootOptions = { mm: DEFAULT_MM_DESIGN, init: "/sbin/init", initArgs: [], quiet: false, swap: 0, raw: cmdline };
  const words = cmdline.split(/\s+/).filter((w) => w.length > 0);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === "--") {
      o.initArgs = words.slice(i + 1);
      break;
    }
    const eq = w.indexOf("=");
    const key = eq < 0 ? w : w.slice(0, eq);
    const value = eq < 0 ? "" : w.slice(eq + 1);
    switch (key) {
      case "mm":
        if ((MM_DESIGNS as readonly string[]).includes(value)) o.mm = value;
        else warn(`kernel: unknown mm design "${value}" (expected ${MM_DESIGNS.join(", ")}); using ${DEFAULT_MM_DESIGN}`);
        break;
      case "init":
        if (value.startsWith("/")) o.init = value;
        else warn(`kernel: init= needs an absolute path, got "${value}"`);
        break;
      case "swap": {
        const bytes = parseSize(value);
        if (!Number.isFinite(bytes)) warn(`kernel: swap= needs a size like 16M, got "${value}"`);
        else if (bytes > MAX_SWAP_BYTES) warn(`kernel: swap=${value} is more than the ${MAX_SWAP_BYTES / 1024 ** 3}G a RAM-backed swap area can hold; no swap`);
        else o.swap = bytes;
        break;
      }
      case "quiet":
        o.quiet = true;
        break;
      default:
        warn(`kernel: unknown boot option "${w}" ignored`);
    }
  }
  return o;
}
