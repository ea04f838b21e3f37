import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, openSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { REPO, runCli, expectUsageError, type CliResult } from "./run-cli.ts";
import { mbHeader, concat } from "../machine/images.ts";

describe("vmalab command line", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "vmalab-cli-"));
    writeFileSync(join(dir, "text.txt"), "just some text, no multiboot header here\n".repeat(10));
    writeFileSync(join(dir, "badsum.bin"), concat(mbHeader(0x3, [], 5), new Uint8Array(64)));
    writeFileSync(join(dir, "flags.bin"), concat(mbHeader(0x20), new Uint8Array(64)));
    writeFileSync(join(dir, "rom3k.bin"), new Uint8Array(3 * 1024));
    writeFileSync(join(dir, "rom512k.bin"), new Uint8Array(512 * 1024));
    mkdirSync(join(dir, "adir"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--help prints the usage and exits 0", () => {
    const r = runCli(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: vmalab \[options\]/);
    expect(r.stdout).toContain("--kernel FILE");
    expect(r.stdout).toContain("Ctrl-A x");
  });

  it("--version prints the package version", () => {
    const r = runCli(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^vmalab \d+\.\d+\.\d+\n$/);
  });

  it("stops the built-in kernel's boot with one line naming a malformed initrd and the offset", () => {
    expectUsageError(runCli(["--initrd", join(dir, "text.txt")]), /^vmalab: kernel panic: initramfs text\.txt: .*offset \d+/);
    expectUsageError(runCli(["--initrd", join(dir, "nope.cpio")]), /cannot read initrd '.*nope\.cpio': no such file or directory$/);
  });

  it("rejects unknown options, missing values and bad sizes", () => {
    expectUsageError(runCli(["--bogus"]), /unknown option '--bogus'/);
    expectUsageError(runCli(["--kernel"]), /option '--kernel' needs a value/);
    expectUsageError(runCli(["-m", "12Q", "--kernel", "x"]), /bad memory size '12Q'/);
    expectUsageError(runCli(["-m", "8G"]), /bad memory size '8G'.*more than 3G/);
  });

  it("rejects missing and unreadable files", () => {
    expectUsageError(runCli(["--kernel", join(dir, "nope.elf")]), /cannot read kernel '.*nope\.elf': no such file or directory$/);
    expectUsageError(runCli(["--kernel", join(dir, "adir")]), /cannot read kernel '.*adir': is a directory$/);
    expectUsageError(runCli(["--bios", join(dir, "nope.rom")]), /cannot read BIOS image '.*nope\.rom': no such file or directory$/);
    expectUsageError(
      runCli(["--kernel", join(dir, "text.txt"), "--initrd", join(dir, "missing.cpio")]),
      /cannot read initrd '.*missing\.cpio': no such file or directory$/,
    );
  });

  it("rejects malformed kernel images with the loader's message", () => {
    expectUsageError(runCli(["--kernel", join(dir, "text.txt")]), /^vmalab: text\.txt: not a multiboot image \(no multiboot header in the first 8192 bytes\)$/);
    expectUsageError(runCli(["--kernel", join(dir, "badsum.bin")]), /^vmalab: badsum\.bin: bad multiboot header checksum$/);
    expectUsageError(runCli(["--kernel", join(dir, "flags.bin")]), /^vmalab: flags\.bin: unsupported multiboot header flags 0x20/);
  });

  it("rejects ROM images of a size the PC map cannot hold", () => {
    expectUsageError(runCli(["--bios", join(dir, "rom3k.bin")]), /rom3k\.bin: ROM image is 3072 bytes; it must be 4 KiB to 256 KiB/);
    expectUsageError(runCli(["--bios", join(dir, "rom512k.bin")]), /^vmalab: cannot read BIOS image '.*rom512k\.bin': more than 256 KiB, the largest ROM$/);
  });

  it("rejects --kernel with --bios", () => {
    expectUsageError(runCli(["--kernel", "a", "--bios", "b"]), /give either --kernel or --bios, not both/);
  });
});

/** Runs vmalab with its standard output on /dev/full (stderr captured). */
function runToFull(args: string[]): CliResult {
  const full = openSync("/dev/full", "w");
  try {
    const r = spawnSync(process.execPath, ["bin/vmalab.mjs", ...args], {
      cwd: REPO,
      stdio: ["ignore", full, "pipe"],
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, VMALAB_DEBUG: "" },
    });
    return { status: r.status, stdout: "", stderr: r.stderr };
  } finally {
    closeSync(full);
  }
}

/**
 * A multiboot (a.out kludge) kernel that checks 3 GiB of RAM: mem_upper must be
 * 3 GiB - 1 MiB in KiB and the last byte below 3 GiB must keep a write. Prints
 * K (status 1 through port 0xF4) or F (status 3) on port 0xE9.
 */
function ram3gKernel(): Uint8Array {
  const LOAD = 0x100000;
  const code = [
    0x8b, 0x43, 0x08, //             mov eax,[ebx+8]         ; mem_upper
    0x3d, 0x00, 0xfc, 0x2f, 0x00, // cmp eax,0x2ffc00
    0x75, 0x19, //                   jne fail
    0xc6, 0x05, 0xff, 0xff, 0xff, 0xbf, 0x5a, // mov byte [0xbfffffff],0x5a
    0x80, 0x3d, 0xff, 0xff, 0xff, 0xbf, 0x5a, // cmp byte [0xbfffffff],0x5a
    0x75, 0x09, //                   jne fail
    0xb0, 0x4b, 0xe6, 0xe9, //       mov al,'K'; out 0xe9,al
    0xb0, 0x00, 0xe6, 0xf4, 0xf4, // mov al,0; out 0xf4,al; hlt
    0xb0, 0x46, 0xe6, 0xe9, //       fail: mov al,'F'; out 0xe9,al
    0xb0, 0x01, 0xe6, 0xf4, 0xf4, // mov al,1; out 0xf4,al; hlt
  ];
  return concat(mbHeader(0x10002, [LOAD, LOAD, 0, 0, LOAD + 32]), Uint8Array.from(code));
}

/** A cpio (newc) archive holding one regular file `name` of `size` zero bytes. */
function zerosCpio(name: string, size: number): Uint8Array {
  const hx = (n: number) => n.toString(16).padStart(8, "0");
  const header = (ino: number, entry: string, mode: number, filesize: number) => {
    const text = "070701" + [ino, mode, 0, 0, 1, 0, filesize, 0, 0, 0, 0, entry.length + 1, 0].map(hx).join("") + entry + "\0";
    return Buffer.from(text.padEnd((text.length + 3) & ~3, "\0"), "latin1");
  };
  const data = new Uint8Array((size + 3) & ~3);
  return concat(header(1, name, 0o100644, size), data, header(2, "TRAILER!!!", 0, 0));
}

/** A ROM that writes 'd' to port 0xE9, 'R' to COM1 and 5 to isa-debug-exit (status 11). */
function debugconRom(): Uint8Array {
  const rom = new Uint8Array(8192).fill(0x90);
  rom.set([0xb0, 0x64, 0xe6, 0xe9, 0xb0, 0x52, 0xba, 0xf8, 0x03, 0xee, 0xb0, 0x05, 0xe6, 0xf4, 0xf4], 0);
  const rel = (0x10000 - 8192 - 0xfff3) & 0xffff; // jmp near from the reset vector to the ROM start
  rom.set([0xe9, rel & 0xff, rel >>> 8], 8192 - 16);
  return rom;
}

describe("vmalab: every bad input ends in one 'vmalab:' line and status 2", () => {
  let dir: string;
  let busy: Server;
  let busyPort = 0;
  const at = (name: string) => join(dir, name);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "vmalab-bad-"));
    writeFileSync(at("empty.bin"), new Uint8Array(0));
    writeFileSync(at("rom.bin"), debugconRom());
    writeFileSync(at("ram3g.bin"), ram3gKernel());
    writeFileSync(at("zeros.cpio"), zerosCpio("zeros", 15 * 1024 * 1024));
    mkdirSync(at("adir"));
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => {
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const MEM_1G = /the built-in kernel maps all RAM at 0xC0000000, so 1G at most \(--kernel and --bios take up to 3G\)$/;
  const cases: [string, () => string[], RegExp][] = [
    ["-m 1025M for the built-in kernel", () => ["-m", "1025M"], new RegExp(`^vmalab: bad memory size '1025M': ${MEM_1G.source}`)],
    ["-m 3G under run", () => ["run", "-m", "3G", "--", "/bin/true"], new RegExp(`^vmalab: bad memory size '3G': ${MEM_1G.source}`)],
    ["-m 4G with --kernel", () => ["--kernel", at("ram3g.bin"), "-m", "4G"], /^vmalab: bad memory size '4G': more than 3G/],
    ["-m with an empty value", () => ["-m", ""], /^vmalab: bad memory size '': not a size/],
    ["-m negative", () => ["-m", "-5"], /^vmalab: bad memory size '-5': not a size/],
    ["-m huge", () => ["-m", "99999999999999999999999G"], /^vmalab: bad memory size '99999999999999999999999G': more than 3G/],
    ["-m too small for the built-in kernel", () => ["run", "-m", "1M", "--", "/bin/true"], /^vmalab: kernel panic: FrameAllocator: no RAM above the reserved region$/],
    ["swap=6G", () => ["run", "--append", "swap=6G", "--", "/bin/true"],
      /^vmalab: bad --append; the built-in kernel would say: swap=6G is more than the 4G a RAM-backed swap area can hold; no swap$/],
    ["swap=4097M", () => ["run", "--append", "swap=4097M", "--", "/bin/true"], /^vmalab: bad --append; .*swap=4097M is more than the 4G/],
    ["swap= not a size", () => ["run", "--append", "swap=lots", "--", "/bin/true"],
      /^vmalab: bad --append; the built-in kernel would say: swap= needs a size like 16M, got "lots"$/],
    ["mm= unknown under run", () => ["run", "--append", "mm=bogus", "--", "/bin/true"], /^vmalab: bad --append; .*unknown mm design "bogus"/],
    ["unknown --append word", () => ["--append", "frobnicate"], /^vmalab: bad --append; the built-in kernel would say: unknown boot option "frobnicate" ignored$/],
    ["--pf-trace on a full device", () => ["run", "--pf-trace", "/dev/full", "--", "/bin/true"],
      /^vmalab: cannot write page-fault trace file '\/dev\/full': no space left on device \(ENOSPC\)$/],
    ["--pf-trace in a missing directory", () => ["run", "--pf-trace", at("nodir/t.jsonl"), "--", "/bin/true"],
      /^vmalab: cannot open page-fault trace file '.*nodir\/t\.jsonl': no such file or directory$/],
    ["--pf-trace on a directory", () => ["run", "--pf-trace", at("adir"), "--", "/bin/true"], /^vmalab: cannot open page-fault trace file '.*adir': is a directory$/],
    ["--pf-trace empty", () => ["--pf-trace="], /^vmalab: option '--pf-trace' needs a file name$/],
    ["--debugcon in a missing directory", () => ["--bios", at("rom.bin"), "--debugcon", at("nodir/d.txt")],
      /^vmalab: cannot open debugcon file '.*nodir\/d\.txt': no such file or directory$/],
    ["--debugcon empty", () => ["--debugcon", ""], /^vmalab: option '--debugcon' needs a file name, 'stdio' or 'none'$/],
    ["--gdb 0", () => ["--gdb", "0"], /^vmalab: bad gdb port '0' \(give 1-65535\)$/],
    ["--gdb 65536", () => ["--gdb", "65536"], /^vmalab: bad gdb port '65536' \(give 1-65535\)$/],
    ["--gdb garbage", () => ["--gdb", "0x50"], /^vmalab: bad gdb port '0x50'/],
    ["--gdb on a port in use", () => ["run", "--gdb", String(busyPort), "--", "/bin/true"],
      /^vmalab: cannot listen for gdb on 127\.0\.0\.1:\d+: address already in use \(EADDRINUSE\)$/],
    ["--kernel empty file", () => ["--kernel", at("empty.bin")], /^vmalab: empty\.bin: not a multiboot image/],
    ["--kernel empty name", () => ["--kernel="], /^vmalab: option '--kernel' needs a file name$/],
    ["--bios empty file", () => ["--bios", at("empty.bin")], /^vmalab: empty\.bin: ROM image is 0 bytes/],
    ["--bios directory", () => ["--bios", at("adir")], /^vmalab: cannot read BIOS image '.*adir': is a directory$/],
    ["--initrd directory", () => ["--initrd", at("adir")], /^vmalab: cannot read initrd '.*adir': is a directory$/],
    ["--kernel that never ends", () => ["--kernel", "/dev/zero", "-m", "4"], /^vmalab: cannot read kernel '\/dev\/zero': more than the guest's RAM \(-m 4M\)$/],
    ["--initrd that never ends", () => ["run", "--initrd", "/dev/zero", "-m", "4", "--", "/bin/true"],
      /^vmalab: cannot read initrd '\/dev\/zero': more than the guest's RAM \(-m 4M\)$/],
    ["--bios that never ends", () => ["--bios", "/dev/zero"], /^vmalab: cannot read BIOS image '\/dev\/zero': more than 256 KiB, the largest ROM$/],
    ["--initrd that does not fit in RAM", () => ["run", "-m", "16", "--initrd", at("zeros.cpio"), "--", "/bin/true"],
      /^vmalab: initramfs zeros\.cpio: "zeros" at offset 0: write failed \(ENOSPC\)$/],
    ["--initrd empty name in a list", () => ["--initrd", ","], /^vmalab: option '--initrd' has an empty file name in ','$/],
    ["unknown short option", () => ["-x"], /^vmalab: unknown option '-x' \(try --help\)$/],
    ["'--' without run", () => ["--", "/bin/sh"], /^vmalab: '--' starts a guest program, which only run takes/],
    ["run after an option", () => ["-m", "64", "run", "--", "/bin/true"], /^vmalab: 'run' must come first: vmalab run \[options\] -- \/path\/prog \[args\]$/],
    ["run without a program", () => ["run"], /^vmalab: run needs a guest program: vmalab run/],
    ["run with the program before --", () => ["run", "/bin/true"], /^vmalab: run takes the guest program after '--'/],
    ["run with a relative program", () => ["run", "--", "true"], /^vmalab: run needs a guest program by its absolute path, not 'true'/],
    ["run of a program not in the image", () => ["run", "--", "/bin/nope"], /^vmalab: cannot run '\/bin\/nope' in the guest: execve failed with ENOENT$/],
    ["run of a directory", () => ["run", "--", "/bin"], /^vmalab: cannot run '\/bin' in the guest: execve failed with EACCES$/],
  ];
  it.each(cases)("%s", (_name, args, re) => {
    expectUsageError(runCli(args()), re);
  });

  it("takes up to 3G with --kernel: the multiboot kernel sees and uses all of it", () => {
    const r = runCli(["--kernel", at("ram3g.bin"), "-m", "3G", "--debugcon", "stdio"]);
    expect([r.stdout, r.stderr, r.status]).toEqual(["K", "", 1]);
    const r2 = runCli(["--kernel", at("ram3g.bin"), "-m", "2G", "--debugcon", "stdio"]);
    expect([r2.stdout, r2.status]).toEqual(["F", 3]);
  });

  it("unpacks an initrd that fits", () => {
    expect(runCli(["run", "-m", "32", "--initrd", at("zeros.cpio"), "--", "/bin/ls", "-l", "/zeros"])).toEqual({
      status: 0, stdout: "-rw-r--r--    1 root     root      15728640 Jan  1  1970 /zeros\n", stderr: "",
    });
  });

  it("takes 3G with --bios, 1G with the built-in kernel and swap=4G", () => {
    expect(runCli(["--bios", at("rom.bin"), "-m", "3G", "--debugcon", "stdio"])).toEqual({ status: 11, stdout: "dR", stderr: "" });
    expect(runCli(["run", "-m", "1G", "--append", "swap=4G", "--", "/bin/echo", "ok"])).toEqual({ status: 0, stdout: "ok\n", stderr: "" });
  });

  it("reports a full standard output as one line and status 2, not a silent status 0", () => {
    expectUsageError(runToFull(["run", "--", "/bin/echo", "hi"]), /^vmalab: cannot write standard output: no space left on device \(ENOSPC\)$/);
    expectUsageError(runToFull(["--help"]), /^vmalab: cannot write standard output: no space left on device \(ENOSPC\)$/);
  });

  it("reports a debugcon file that cannot be written after the console output is out", () => {
    const r = runCli(["--bios", at("rom.bin"), "--debugcon", "/dev/full"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("R");
    expect(r.stderr).toBe("vmalab: cannot write debugcon file '/dev/full': no space left on device (ENOSPC)\n");
  });

  it("ends quietly with 141 (128 + SIGPIPE) when the reader closes standard output", async () => {
    // the writer is sh's child: the program itself is pid 1, which ignores SIGPIPE (as Linux's init) and sees EPIPE
    const child = spawn(process.execPath, ["bin/vmalab.mjs", "run", "--", "/bin/sh", "-c", "od -A x -t x1 /bin/sh; exit $?"], {
      cwd: REPO, stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let first = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.once("data", (d) => {
      first = String(d);
      child.stdout.destroy();
    });
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(first).toMatch(/^0+ 7f 45 4c 46/);
    expect([status, stderr]).toEqual([141, ""]);
  });
});
