// The CLI as a person uses it: boot the built-in kernel to the shell prompt,
// run a pipeline, interrupt a sleeping job with ^C, leave with Ctrl-A x; and
// `vmalab run`, which prints only the program's output and returns its status.

import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";

const BIN = new URL("../../bin/vmalab.mjs", import.meta.url).pathname;

/** A running `vmalab` whose output can be awaited. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("latin1")));
  child.stderr.on("data", (d: Buffer) => (out += d.toString("latin1")));
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  let mark = 0;
  return {
    exited,
    send: (s: string) => child.stdin.write(s),
    /** Waits until `text` appears after what earlier waits consumed; returns the new output. */
    async waitFor(text: string, ms = 20000): Promise<string> {
      const end = Date.now() + ms;
      for (;;) {
        const i = out.indexOf(text, mark);
        if (i >= 0) {
          const got = out.slice(mark, i + text.length);
          mark = i + text.length;
          return got;
        }
        if (Date.now() > end) throw new Error(`no "${text}" in:\n${out.slice(mark)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe("vmalab CLI with the built-in kernel", () => {
  it("boots to a shell, runs a pipeline, ^C kills the foreground job, Ctrl-A x quits", async () => {
    const cli = startCli(["--deterministic"]);
    await cli.waitFor("# ");
    cli.send("echo one two three | wc -w\r");
    expect(await cli.waitFor("# ")).toMatch(/\r\n3\r\n/);
    cli.send("sleep 100\r");
    await cli.waitFor("sleep 100\r\n");
    cli.send("\x03");
    await cli.waitFor("# ");
    cli.send("echo status=$?\r");
    expect(await cli.waitFor("# ")).toContain("status=130");
    cli.send("\x01x");
    expect(await cli.exited).toBe(0);
  }, 60000);

  it("runs one program with `run` and exits with its status", () => {
    const r = spawnSync(process.execPath, [BIN, "run", "--deterministic", "--", "/bin/sh", "-c", "echo hello from the guest; exit 3"], {
      encoding: "latin1",
      timeout: 60000,
    });
    expect(r.stdout).toBe("hello from the guest\r\n");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(3);
  });

  it("passes on the status of a child killed by a signal as 128 + the signal", () => {
    // The program runs as pid 1, which (as on Linux) ignores kill(); its child does not.
    const r = spawnSync(process.execPath, [BIN, "run", "--", "/bin/sh", "-c", "/bin/sh -c 'kill -SEGV $$'; exit $?"], {
      encoding: "latin1",
      timeout: 60000,
    });
    expect(r.status).toBe(128 + 11);
  });

  it("says so in one line when the program does not exist", () => {
    const r = spawnSync(process.execPath, [BIN, "run", "--", "/bin/nonexistent"], { encoding: "latin1", timeout: 60000 });
    expect(r.stderr).toMatch(/^vmalab: .*\/bin\/nonexistent.*\n$/);
    expect(r.status).not.toBe(0);
  });
});
