// Debian's busybox-static, the guest's shell and tools, and Debian's
// bash-static: the same binaries give the same output and status on vmalab
// (under every mm design) as on the i386 reference (this host's kernel or
// qemu-user). The busybox compared is the one in the committed image; bash is
// fetched from Debian's archive (tests/support/debian.ts).

import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runToExit } from "../../system/run-to-exit.ts";
import { INITRD } from "../support/guest.ts";
import { debianRoot } from "../support/debian.ts";
import { skipOrFail } from "../support/skip.ts";
import { needI386, spawnI386 } from "../support/i386-reference.ts";
import { S_IFDIR, S_IFREG, writeCpio } from "../../tools/cpio.ts";
import { readCpioEntries } from "../support/cpio-read.ts";

const DESIGNS = ["classic", "vma", "lazy", "sharedpt"];
const INPUT = "pear 3\napple 10\nfig 2\napple 7\nbanana 1.5\ncherry -4\n";

/** Applet command lines (argv after "busybox"), run in a directory holding in.txt. */
const BUSYBOX: string[][] = [
  ["sh", "-c", "echo $((6*7)) $((1<<20)) $((-7/2)) $((7%3)); x=abc; echo ${#x} ${x#a} ${x%c}"],
  ["awk", "BEGIN { x = 1.5 * 2; printf \"%.4f %g %e %d\\n\", x / 7, 2 ^ 0.5, 1e100 / 3, -3.7; print sin(1), cos(1), exp(1), log(10), sqrt(2), atan2(1, 2) }"],
  ["awk", "{ s += $2; n++ } END { printf \"%d lines, sum %.2f, mean %.6f\\n\", n, s, s / n }", "in.txt"],
  ["printf", "%f %.3f %e %g %g %5.1f|%-8.2e|\\n", "3.25", "2.0005", "12345.678", "0.0001", "1e21", "-0.05", "6.02e23"],
  ["seq", "1", "0.5", "2"],
  ["seq", "-w", "8", "-3", "-4"],
  ["sleep", "0.1"],
  ["sort", "in.txt"],
  ["sort", "-k2", "-g", "-r", "in.txt"],
  ["sed", "-e", "s/a/A/g", "-e", "/fig/d", "-e", "$a\\\nend", "in.txt"],
  ["grep", "-n", "-E", "ap+le|ch", "in.txt"],
  ["grep", "-c", "zzz", "in.txt"],
  ["sha256sum", "in.txt"],
  ["md5sum", "in.txt"],
  ["wc", "in.txt"],
  ["cut", "-d", " ", "-f", "2", "in.txt"],
  ["uniq", "-c"],
  ["od", "-A", "x", "-t", "x1z", "in.txt"],
  ["expr", "7", "*", "6"],
  ["dc", "-e", "2 k 10 3 / p 2 v p"],
  ["factor", "1001", "65537", "600851475143"],
  ["tr", "a-z", "A-Z"],
  // a read of /dev/urandom or /dev/zero fills the whole count (no short reads; dd counts a short one as "0+1")
  ["sh", "-c", "dd if=/dev/urandom of=/dev/null bs=1048576 count=2 2>&1 | head -2; dd if=/dev/zero bs=300000 count=1 2>/dev/null | wc -c"],
];

const image = readCpioEntries(INITRD);
const busybox = image.find((e) => e.name === "usr/bin/busybox")!.data;
const dataArchive = writeCpio([{ name: "in.txt", mode: S_IFREG | 0o644, data: new TextEncoder().encode(INPUT) }]);

/** Output and status of argv on vmalab (init is argv, cwd /, in.txt there; stdin is the console, at EOF never: commands needing stdin get in.txt through sh). */
function onVmalab(argv: string[], design: string, extra: { name: string; data: Uint8Array }[] = []): { output: string; status: number } {
  const r = runToExit(argv, { builtinInitrd: INITRD, cmdline: `quiet mm=${design}`, initrds: [{ name: "data.cpio", data: dataArchive }, ...extra] });
  return { output: r.output, status: (r.waitStatus >>> 8) & 0xff };
}

/** The same on the i386 reference, in a directory holding in.txt. */
function onReference(path: string, args: string[]): { output: string; status: number } {
  const dir = mkdtempSync(join(tmpdir(), "vmalab-busybox-"));
  try {
    writeFileSync(join(dir, "in.txt"), INPUT);
    const r = spawnI386(path, args, { cwd: dir, encoding: "utf8", timeout: 60_000, input: "" });
    return { output: r.stdout + r.stderr, status: r.status ?? -1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Commands that read stdin run as `sh -c 'APPLET ARGS < in.txt'`, so both sides see the same input and EOF. */
function argvOf(cmd: string[]): string[] {
  const needsStdin = cmd.length === 1 || ["uniq", "tr"].includes(cmd[0]);
  if (!needsStdin) return cmd;
  return ["sh", "-c", `${cmd.map((a) => `'${a}'`).join(" ")} < in.txt`];
}

describe("Debian's busybox (the guest's shell and tools)", () => {
  const hostBusybox = join(mkdtempSync(join(tmpdir(), "vmalab-bb-")), "busybox");
  writeFileSync(hostBusybox, busybox, { mode: 0o755 });

  describe.each(DESIGNS)("mm=%s", (design) => {
    it.each(BUSYBOX.map((c) => [c.join(" "), c] as const))("busybox %s", { timeout: 120_000 }, (_name, cmd) => {
      const argv = argvOf(cmd);
      const got = onVmalab(["/bin/busybox", ...argv], design);
      expect(got.output, "output").not.toMatch(/applet not found|Illegal instruction|Segmentation/);
      if (needI386() !== null) return;
      expect(got).toEqual(onReference(hostBusybox, argv));
    });
  });
});

describe("Debian's bash-static", () => {
  const deb = debianRoot(["bash-static:i386"]);
  if ("skip" in deb) skipOrFail(deb.skip);
  const t = "root" in deb ? it : it.skip;
  const SCRIPT = "echo $((6*7)); a=(x y z); echo ${#a[@]} ${a[1]}; declare -A m=([k]=v); echo ${m[k]}; " +
    "printf '%s|%5.2f|%x\\n' bash 3.14159 255; for i in {1..3}; do echo -n $i; done; echo; [[ abc == a* ]] && echo glob; echo ${BASH_VERSINFO[0]}";
  t.each(DESIGNS)("bash -c under mm=%s", { timeout: 120_000 }, (design) => {
    const root = (deb as { root: string }).root;
    const bash = new Uint8Array(readFileSync(join(root, "bin/bash-static")));
    const extra = [{ name: "bash.cpio", data: writeCpio([{ name: "deb", mode: S_IFDIR | 0o755 }, { name: "deb/bash", mode: S_IFREG | 0o755, data: bash }]) }];
    const got = onVmalab(["/deb/bash", "-c", SCRIPT], design, extra);
    expect(got.output).toMatch(/^42\n3 y\nv\nbash\| 3\.14\|ff\n123\nglob\n5\n$/);
    expect(got.status).toBe(0);
    if (needI386() !== null) return;
    expect(got).toEqual(onReference(join(root, "bin/bash-static"), ["-c", SCRIPT]));
  });
});
