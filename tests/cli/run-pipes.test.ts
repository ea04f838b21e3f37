// `vmalab run` as a Unix command: when the host's stdin/stdout/stderr are not
// terminals, the guest program's descriptors 0-2 are binary-clean pipes to
// them (the paravirtual console's ports, emulator/devices/vport.ts).
import { describe, it, expect } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { REPO } from "./run-cli.ts";
import { readCpioEntries } from "../support/cpio-read.ts";

const BIN = "bin/vmalab.mjs";

interface Result {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `vmalab run -- argv` with `input` on a pipe; stdout kept as bytes. */
function run(argv: string[], input: string | Buffer = "", opts: string[] = []): Result {
  const r = spawnSync(process.execPath, [BIN, "run", ...opts, "--", ...argv], {
    cwd: REPO,
    input,
    maxBuffer: 64 << 20,
    timeout: 120_000,
    env: { ...process.env, VMALAB_DEBUG: "" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString("latin1") };
}

/** 4096 repetitions of the bytes 0..255: 1 MiB with every byte value. */
function everyByte(): Buffer {
  const b = Buffer.alloc(1 << 20);
  for (let i = 0; i < b.length; i++) b[i] = i & 0xff;
  return b;
}

/** Counts as `wc` prints them (lines, words, bytes), whatever the padding. */
function counts(text: string): number[] {
  return text.trim().split(/\s+/).slice(0, 3).map(Number);
}

describe("vmalab run with pipes", () => {
  it("passes a megabyte of every byte value through /bin/cat unchanged", () => {
    const input = everyByte();
    const r = run(["/bin/cat"], input);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe(input.length);
    expect(r.stdout.equals(input)).toBe(true);
  });

  it("gives the same bytes under --deterministic (input in fixed windows)", () => {
    const input = everyByte().subarray(0, 300_000);
    const r = run(["/bin/cat"], input, ["--deterministic"]);
    expect(r.status).toBe(0);
    expect(r.stdout.equals(input)).toBe(true);
  });

  it("adds no carriage returns and echoes no input", () => {
    expect(run(["/bin/echo", "hi"]).stdout.toString("latin1")).toBe("hi\n");
    expect(run(["/bin/cat"], "line1\nline2\n").stdout.toString("latin1")).toBe("line1\nline2\n");
  });

  it("keeps the program's stdout and stderr apart", () => {
    const r = run(["/bin/sh", "-c", "echo out; echo err >&2; echo out2"]);
    expect(r.stdout.toString("latin1")).toBe("out\nout2\n");
    expect(r.stderr).toBe("err\n");
    expect(r.status).toBe(0);
  });

  it("keeps the order of stdout and stderr writes when both are one pipe (2>&1)", () => {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" ${BIN} run -- /bin/sh -c 'echo out; echo err >&2; echo out2' 2>&1 | cat`], {
      cwd: REPO, encoding: "latin1", timeout: 60_000,
    });
    expect([r.stdout, r.status]).toEqual(["out\nerr\nout2\n", 0]);
  });

  it("ends the program's input when the host's stdin ends", () => {
    expect(run(["/bin/sh", "-c", "wc -c"], "abc").stdout.toString("latin1").trim()).toBe("3");
    expect(run(["/bin/sh", "-c", "wc -c"], "").stdout.toString("latin1").trim()).toBe("0");
    // stdin from /dev/null (not a terminal): end of file at once
    const r = spawnSync(process.execPath, [BIN, "run", "--", "/bin/cat"], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
    expect([r.status, r.stdout.length]).toEqual([0, 0]);
  });

  it("counts piped input as the host's wc does", () => {
    const text = Array.from({ length: 500 }, (_, i) => `line ${i}: ${"word ".repeat(i % 7)}\t${String.fromCharCode(0xe9)}\n`).join("") + "no newline at the end";
    const host = spawnSync("wc", [], { input: text, encoding: "latin1" });
    const guest = run(["/bin/sh", "-c", "wc"], Buffer.from(text, "latin1"));
    expect(guest.status).toBe(0);
    expect(counts(guest.stdout.toString("latin1"))).toEqual(counts(host.stdout));
  });

  it("exits with the program's status, or 128 + the signal that killed it", () => {
    expect(run(["/bin/sh", "-c", "exit 3"]).status).toBe(3);
    // pid 1 ignores signals it has no handler for (as Linux's init); its child does not
    expect(run(["/bin/sh", "-c", "/bin/sh -c 'kill -TERM $$'; exit $?"]).status).toBe(128 + 15);
  });

  it("tells a guest writing to a closed host pipe with EPIPE/SIGPIPE", async () => {
    // `yes` as sh's child dies of SIGPIPE (141), sh passes that on; nothing is printed
    const killed = await runUntilReaderCloses(["/bin/sh", "-c", "yes; exit $?"]);
    expect(killed).toEqual({ first: "y\n", status: 141, stderr: "" });
    // with SIGPIPE ignored the write fails with EPIPE instead, and the program says so
    const ignored = await runUntilReaderCloses(["/bin/sh", "-c", "trap '' PIPE; yes; echo status $? >&2; exit 7"]);
    expect(ignored.status).toBe(7);
    expect(ignored.stderr).toMatch(/Broken pipe\nstatus 1\n$/);
  });

  it("blocks a writer while the host reader does not read (nothing is buffered whole)", async () => {
    const total = 8 << 20;
    const child = spawn(process.execPath, [BIN, "run", "--", "/bin/cat"], { cwd: REPO, stdio: ["pipe", "pipe", "pipe"] });
    child.stdout.pause();
    let written = false;
    child.stdin.end(Buffer.alloc(total, 0x7a), () => (written = true));
    await new Promise((resolve) => setTimeout(resolve, 6000));
    // cat is held at its write, so it reads no more: the host's input is not taken either
    expect([child.exitCode, written]).toEqual([null, false]);
    let got = 0;
    child.stdout.on("data", (d: Buffer) => (got += d.length));
    child.stdout.resume();
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect([status, got, written]).toEqual([0, total, true]);
  }, 120_000);

  it("reads the host's stdin only as the program consumes it", async () => {
    const size = 4 << 20;
    // the program reads nothing for a few guest seconds, then counts
    const child = spawn(process.execPath, [BIN, "run", "--", "/bin/sh", "-c", "sleep 4; wc -c"], { cwd: REPO, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    let written = false;
    child.stdin.on("error", () => {});
    child.stdin.end(Buffer.alloc(size, 0x61), () => (written = true));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(written).toBe(false); // vmalab holds at most a window of the input
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect([status, out.trim(), written]).toEqual([0, String(size), true]);
  }, 120_000);
});

/** Runs argv with stdout on a pipe that is closed after the first chunk arrives. */
async function runUntilReaderCloses(argv: string[]): Promise<{ first: string; status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, "run", "--", ...argv], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let first = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.once("data", (d) => {
    first = String(d).slice(0, 2);
    child.stdout.destroy();
  });
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { first, status, stderr };
}

/** Tools of the guest image (busybox's applets live in /bin and /usr/bin). */
const IMAGE = new Set(readCpioEntries(readFileSync(new URL("../../userland/build/initramfs.cpio", import.meta.url))).map((e) => e.name));
const hasTool = (name: string) => IMAGE.has(`bin/${name}`) || IMAGE.has(`usr/bin/${name}`);

describe.skipIf(!hasTool("sha256sum"))("vmalab run with pipes: sha256sum (busybox)", () => {
  it("hashes a megabyte of every byte value as the host does", () => {
    const input = everyByte();
    const r = run(["/bin/sh", "-c", "sha256sum"], input);
    expect(r.status).toBe(0);
    expect(r.stdout.toString("latin1").split(/\s+/)[0]).toBe(createHash("sha256").update(input).digest("hex"));
  });
});

describe.skipIf(!hasTool("sort"))("vmalab run with pipes: sort (busybox)", () => {
  it("sorts piped lines as the host does in the C locale", () => {
    let x = 12345;
    const lines = Array.from({ length: 5000 }, () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return `${(x >>> 8).toString(36)} ${x & 0xff}`;
    });
    const r = run(["/bin/sh", "-c", "sort"], lines.join("\n") + "\n");
    expect(r.status).toBe(0);
    const host = spawnSync("sort", [], { input: lines.join("\n") + "\n", encoding: "latin1", env: { ...process.env, LC_ALL: "C" } });
    expect(r.stdout.toString("latin1")).toBe(host.stdout);
  });
});
