// End to end: nasm multiboot kernels booted through the vmalab command.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { runCli, runCliAsync } from "../../cli/run-cli.ts";
import { buildKernel, missingTools } from "./build.ts";

const missing = missingTools();
const skip = missing !== null && process.env.CI !== "true";
if (skip) console.warn(`tests/kernels/hello skipped: ${missing}`);

describe.skipIf(skip)("multiboot kernels through the CLI", () => {
  let hello: string;
  let triple: string;
  beforeAll(() => {
    if (missing) throw new Error(`the hello kernel tests need ${missing}`);
    hello = buildKernel("hello");
    triple = buildKernel("triple");
  });
  afterAll(() => {
    for (const f of [hello, triple]) if (f) rmSync(dirname(f), { recursive: true, force: true });
  });

  it("prints on COM1 and exits with the isa-debug-exit status", () => {
    const r = runCli(["--kernel", hello, "--deterministic", "--debugcon", "stdio"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("Hello from multiboot\r\ncmdline=[]\r\nx");
    expect(r.status).toBe((0x2a << 1) | 1);
  });

  it("passes --append as the multiboot command line; debugcon goes to a file", () => {
    const out = join(dirname(hello), "debug.txt");
    const r = runCli(["--kernel", hello, "--append", "mm=vma quiet", "--debugcon", out, "-m", "16M"]);
    expect(r.stdout).toBe("Hello from multiboot\r\ncmdline=[mm=vma quiet]\r\n");
    expect(readFileSync(out, "utf8")).toBe("x");
    expect(r.status).toBe(0x55);
  });

  it("passes --initrd files as multiboot modules, in order", () => {
    const a = join(dirname(hello), "a.txt");
    const b = join(dirname(hello), "b.txt");
    writeFileSync(a, "first module");
    writeFileSync(b, "second");
    const r = runCli(["--kernel", hello, "--initrd", `${a},${b}`, "--append", "x y", "--debugcon", "none"]);
    expect(r.stdout).toBe("Hello from multiboot\r\ncmdline=[x y]\r\nmodule=[first module]\r\nmodule=[second]\r\n");
    expect(r.status).toBe(0x55);
  });

  it("forwards piped stdin to COM1", async () => {
    const r = await runCliAsync(["--kernel", hello, "--append", "echo", "--debugcon", "none"], "Q", 300);
    expect(r.stdout).toBe("Hello from multiboot\r\ncmdline=[echo]\r\ngot Q\r\n");
    expect(r.status).toBe(0x55);
  });

  it("quits with status 0 on Ctrl-A x", async () => {
    const r = await runCliAsync(["--kernel", hello, "--append", "echo", "--debugcon", "none"], "\x01x", 300);
    expect(r.stdout).toBe("Hello from multiboot\r\ncmdline=[echo]\r\n");
    expect(r.status).toBe(0);
  });

  it("stops with status 1 and one line on a triple fault", () => {
    const r = runCli(["--kernel", triple]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^vmalab: triple fault \(the guest reset the CPU at EIP 0x[0-9a-f]+\); stopping\n$/);
  });

  it("reports a debugcon file it cannot create as a usage error", () => {
    const r = runCli(["--kernel", hello, "--debugcon", join(dirname(hello), "no", "such", "dir.txt")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vmalab: cannot open debugcon file '.*dir\.txt': no such file or directory\n$/);
  });

  it("reports a kernel that does not fit in RAM as a usage error", () => {
    const r = runCli(["--kernel", hello, "-m", "1M"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vmalab: hello\.elf: segment 0x100000-0x[0-9a-f]+ lies outside RAM \(1 MiB\)\n$/);
  });
});
