// The whole-program workloads of bench/whole-program.ts on a real Linux kernel in v86:
// Debian's i386 kernel and SeaBIOS (tools/debian-package.ts) booted through v86's `bios`,
// `vga_bios`, `bzimage`, `initrd` and `cmdline` options (v86.d.ts, V86Options), JIT on.
//
// The initrd is the built-in initramfs followed by a second newc archive holding the
// script /lbinit; Linux unpacks concatenated archives in order (Documentation/
// driver-api/early-userspace/buffer-format.rst) and runs rdinit= as the first process
// (Documentation/admin-guide/kernel-parameters.txt). The script runs each workload's argv
// between a start and an end line on ttyS0, and the host times it from the start line's
// newline to the end line's newline ("serial0-output-byte", v86.d.ts), so neither boot nor
// poweroff is timed.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { unpackDebianPackages } from "../tools/debian-package.ts";
import { writeCpio, S_IFREG } from "../tools/cpio.ts";
import { builtinInitrd } from "./initrd.ts";
import { v86BuildDir } from "./kernels/run-v86.ts";
import { PROGRAM_WORKLOADS, workloadScript, START_LINE, END_LINE } from "./whole-program.ts";

/** Paths of the bzImage, SeaBIOS's bios.bin and its VGA BIOS, and what they are for the report. */
export interface LinuxGuest {
  kernel: string;
  bios: string;
  vgaBios: string;
  /** The kernel's file name and the Debian packages and versions of both. */
  describe: string;
}

export interface LinuxProgramRun {
  name: string;
  /** The serial output between the workload's start and end lines (CR LF as Linux's tty wrote it). */
  output: string;
  /** Host wall and CPU (user + system) seconds between the two lines. */
  secs: number;
  cpuSecs: number;
}

/** "name version" of a .deb file name as apt-get writes it (name_version_arch.deb, URL-quoted). */
const debVersion = (deb: string) => decodeURIComponent(deb).split("_").slice(0, 2).join(" ");

/**
 * Debian's current i386 kernel (the ABI package linux-image-686:i386 depends on; its
 * -unsigned twin when that one cannot be downloaded) and SeaBIOS, downloaded and unpacked
 * once per machine. Result: their paths, or a one-line reason they cannot be had here.
 */
export function linuxGuest(): LinuxGuest | { error: string } {
  let abi: string;
  try {
    const deps = execFileSync("apt-cache", ["depends", "linux-image-686:i386"], { encoding: "utf8", stdio: "pipe", timeout: 60_000 });
    const m = /Depends: (linux-image-[\w.+-]+):i386/.exec(deps);
    if (!m) return { error: `apt-cache depends linux-image-686:i386 names no kernel package (is i386 added with dpkg --add-architecture?)` };
    abi = m[1];
  } catch (e) {
    return { error: `cannot ask APT for Debian's i386 kernel (apt-cache depends linux-image-686:i386): ${(e as Error).message.split("\n")[0]}` };
  }
  let kernelPkg = unpackDebianPackages([`${abi}:i386`]);
  if ("error" in kernelPkg) {
    const unsigned = unpackDebianPackages([`${abi}-unsigned:i386`]);
    if ("error" in unsigned) return kernelPkg;
    kernelPkg = unsigned;
  }
  const seabios = unpackDebianPackages(["seabios"]);
  if ("error" in seabios) return seabios;
  const vmlinuz = readdirSync(join(kernelPkg.root, "boot")).find((f) => f.startsWith("vmlinuz-"));
  if (!vmlinuz) return { error: `${kernelPkg.debs.join(" ")} holds no /boot/vmlinuz-*` };
  const bios = join(seabios.root, "usr/share/seabios");
  return {
    kernel: join(kernelPkg.root, "boot", vmlinuz),
    bios: join(bios, "bios.bin"),
    vgaBios: join(bios, "vgabios-stdvga.bin"),
    describe: `${vmlinuz} (Debian ${kernelPkg.debs.map(debVersion).join(", ")}), SeaBIOS (Debian ${seabios.debs.map(debVersion).join(", ")})`,
  };
}

/**
 * The init script: proc and devtmpfs mounted, vmalab's PATH for init (kernel/boot.ts), the
 * workloads as on vmalab (whole-program.ts workloadScript), then poweroff.
 */
function initScript(names: readonly string[]): string {
  return `#!/bin/sh\nexport PATH=/sbin:/bin:/usr/bin\nmount -t proc proc /proc\nmount -t devtmpfs dev /dev\n${workloadScript(names)}poweroff -f\n`;
}

const bytes = (path: string) => new Uint8Array(readFileSync(path)).buffer;

/**
 * Boots `guest` once on a fresh v86 (JIT on, 256 MiB) and runs the workloads `names` of
 * bench/whole-program.ts in that order, each checked like vmalab's runs: exit status 0 and
 * output matching its `expect`. Rejects on an unknown name, a failed check, a kernel panic,
 * or no end of the last workload within `timeoutMs` (boot included), with the tail of
 * the serial output in the message.
 */
export async function runProgramsOnLinuxV86(guest: LinuxGuest, names: readonly string[], timeoutMs = 600_000): Promise<LinuxProgramRun[]> {
  const unknown = names.find((n) => !PROGRAM_WORKLOADS.some((p) => p.name === n));
  if (unknown !== undefined) throw new Error(`unknown whole-program workload '${unknown}'`);
  const script = writeCpio([{ name: "lbinit", mode: S_IFREG | 0o755, data: new TextEncoder().encode(initScript(names)) }]);
  const base = builtinInitrd();
  const initrd = new Uint8Array(base.length + script.length);
  initrd.set(base);
  initrd.set(script, base.length);

  const { V86 } = await import("v86");
  const emulator = new V86({
    wasm_path: join(v86BuildDir(), "v86.wasm"),
    memory_size: 256 << 20,
    vga_memory_size: 8 << 20,
    bios: { buffer: bytes(guest.bios) },
    vga_bios: { buffer: bytes(guest.vgaBios) },
    bzimage: { buffer: bytes(guest.kernel) },
    initrd: { buffer: initrd.buffer },
    // tsc=reliable: no clocksource watchdog deciding v86's TSC is unstable mid-run.
    cmdline: "console=ttyS0 nokaslr rdinit=/lbinit quiet tsc=reliable",
    autostart: true,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
  });
  try {
    return await new Promise<LinuxProgramRun[]>((resolve, reject) => {
      const runs: LinuxProgramRun[] = [];
      let serial = "";
      let lineStart = 0;
      let outputStart = 0;
      let t0 = 0n;
      let u0: NodeJS.CpuUsage = { user: 0, system: 0 };
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`v86+Linux: ${why}; serial output ends ${JSON.stringify(serial.slice(-1500))}`));
      };
      const timer = setTimeout(() => fail(`${runs.length}/${names.length} workloads done after ${timeoutMs / 1000} s`), timeoutMs);
      emulator.add_listener("serial0-output-byte", (b: number) => {
        serial += String.fromCharCode(b);
        if (b !== 10) return;
        const line = serial.slice(lineStart).trimEnd();
        const end = lineStart;
        lineStart = serial.length;
        if (line.startsWith(START_LINE)) {
          outputStart = serial.length;
          u0 = process.cpuUsage();
          t0 = process.hrtime.bigint();
        } else if (line.startsWith(END_LINE)) {
          const secs = Number(process.hrtime.bigint() - t0) / 1e9;
          const u = process.cpuUsage(u0);
          const [name, status] = line.slice(END_LINE.length).split(" ");
          const output = serial.slice(outputStart, end);
          const w = PROGRAM_WORKLOADS.find((p) => p.name === name)!;
          if (status !== "0" || !w.expect.test(output)) return fail(`${name}: status ${status}, output ${JSON.stringify(output.slice(-400))}`);
          runs.push({ name, output, secs, cpuSecs: (u.user + u.system) / 1e6 });
          if (runs.length === names.length) {
            clearTimeout(timer);
            resolve(runs);
          }
        } else if (line.includes("Kernel panic")) {
          fail("kernel panic");
        }
      });
    });
  } finally {
    await emulator.stop();
    await emulator.destroy();
  }
}
