import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliResult } from "./run-cli.ts";
import { mbHeader, concat } from "../machine/images.ts";

/** The result is a usage mistake: status 2, one stderr line "vmalab: ..." matching `re`, no stack trace. */
function expectUsageError(r: CliResult, re: RegExp): void {
  expect(r.status).toBe(2);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines.length, r.stderr).toBe(1);
  expect(lines[0]).toMatch(/^vmalab: /);
  expect(lines[0]).toMatch(re);
  expect(r.stdout).toBe("");
}

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
    expectUsageError(runCli(["--bios", join(dir, "rom512k.bin")]), /rom512k\.bin: ROM image is 524288 bytes/);
  });

  it("rejects --kernel with --bios", () => {
    expectUsageError(runCli(["--kernel", "a", "--bios", "b"]), /give either --kernel or --bios, not both/);
  });
});
