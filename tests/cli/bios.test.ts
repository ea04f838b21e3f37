// The CLI with a BIOS ROM built in the test (no external tools needed).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { spawn } from "node:child_process";
import { REPO, runCli } from "./run-cli.ts";

describe("vmalab --bios", () => {
  let romPath: string;
  beforeAll(() => {
    // at F000:FFF0: out 0x80 <- 0x42; out 0xE9 <- 'd'; COM1 <- 'R'; out 0xF4 <- 5
    const code = [
      0xb0, 0x42, 0xe6, 0x80, // mov al,0x42; out 0x80,al
      0xb0, 0x64, 0xe6, 0xe9, // mov al,'d'; out 0xe9,al
      0xb0, 0x52, 0xba, 0xf8, 0x03, 0xee, // mov al,'R'; mov dx,0x3f8; out dx,al
      0xb0, 0x05, 0xe6, 0xf4, // mov al,5; out 0xf4,al
      0xf4,
    ];
    const rom = new Uint8Array(8192).fill(0x90);
    rom.set(code, 0);
    const rel = (0x10000 - 8192 - 0xfff3) & 0xffff; // jmp near from the reset vector to the ROM start
    rom.set([0xe9, rel & 0xff, rel >>> 8], 8192 - 16);
    romPath = join(mkdtempSync(join(tmpdir(), "vmalab-rom-")), "rom.bin");
    writeFileSync(romPath, rom);
  });
  afterAll(() => rmSync(dirname(romPath), { recursive: true, force: true }));

  it("runs the ROM from the reset vector; --post-log reports POST codes on stderr", () => {
    const r = runCli(["--bios", romPath, "--post-log", "-m", "4", "--debugcon", "stdio"]);
    expect(r.stdout).toBe("dR");
    expect(r.stderr).toBe("vmalab: POST code 0x42\n");
    expect(r.status).toBe(11);
  });

  it("sends debugcon nowhere with --debugcon none, and by default (as QEMU)", () => {
    const r = runCli(["--bios", romPath, "--debugcon", "none"]);
    expect(r.stdout).toBe("R");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(11);
    expect(runCli(["--bios", romPath])).toEqual(r);
  });

  describe("a ROM that resets the PC in a loop (out 0x64 <- 0xFE)", () => {
    let loopRom: string;
    beforeAll(() => {
      const rom = new Uint8Array(4096).fill(0x90);
      rom.set([0xb0, 0xfe, 0xe6, 0x80, 0xe6, 0x64, 0xeb, 0xfe], 0); // mov al,0xfe; out 0x80,al; out 0x64,al; jmp $
      const rel = (0x10000 - 4096 - 0xfff3) & 0xffff;
      rom.set([0xe9, rel & 0xff, rel >>> 8], 4096 - 16);
      loopRom = join(dirname(romPath), "reset-loop.bin");
      writeFileSync(loopRom, rom);
    });

    /** Starts vmalab on the ROM, waits until it has reset the PC 100 times (POST codes on stderr), then does `end`; resolves with [status, signal, ms to exit]. */
    const endAfter = (end: (child: ReturnType<typeof spawn>) => void) =>
      new Promise<[number | null, string | null, number]>((resolve) => {
        const child = spawn(process.execPath, ["bin/vmalab.mjs", "--bios", loopRom, "-m", "4", "--post-log"], { cwd: REPO });
        const kill = setTimeout(() => child.kill("SIGKILL"), 20_000);
        let asked = 0;
        let codes = 0;
        child.stderr!.on("data", (d: Buffer) => {
          codes += d.toString().split("POST code").length - 1;
          if (codes >= 100 && asked === 0) {
            asked = performance.now();
            end(child);
          }
        });
        child.on("close", (status, signal) => {
          clearTimeout(kill);
          resolve([status, signal, performance.now() - asked]);
        });
      });

    it("ends on SIGTERM within a second", async () => {
      const [status, signal, ms] = await endAfter((c) => c.kill("SIGTERM"));
      expect([status, signal]).toEqual([143, null]);
      expect(ms).toBeLessThan(1000);
    });

    it("ends on Ctrl-A x within a second", async () => {
      const [status, signal, ms] = await endAfter((c) => c.stdin!.write("\x01x"));
      expect([status, signal]).toEqual([0, null]);
      expect(ms).toBeLessThan(1000);
    });
  });
});
