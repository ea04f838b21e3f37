// The CLI with a BIOS ROM built in the test (no external tools needed).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { runCli } from "./run-cli.ts";

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
    const r = runCli(["--bios", romPath, "--post-log", "-m", "4"]);
    expect(r.stdout).toBe("dR");
    expect(r.stderr).toBe("vmalab: POST code 0x42\n");
    expect(r.status).toBe(11);
  });

  it("sends debugcon nowhere with --debugcon none", () => {
    const r = runCli(["--bios", romPath, "--debugcon", "none"]);
    expect(r.stdout).toBe("R");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(11);
  });
});
