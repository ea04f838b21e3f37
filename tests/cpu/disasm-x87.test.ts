// The disassembler's x87 text against GNU objdump -M intel on every D8-DF form: all register
// forms, every memory form with a few addressing modes, the 16-bit environment forms.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { disassemble } from "../../emulator/cpu/disasm.ts";

function hasObjdump(): boolean {
  try {
    execFileSync("objdump", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const OBJDUMP = hasObjdump();
if (!OBJDUMP && process.env.CI === "true") throw new Error("objdump is required for the x87 disassembler test when CI=true");

function forms(): number[][] {
  const out: number[][] = [];
  for (let op = 0xd8; op <= 0xdf; op++) {
    for (let reg = 0; reg < 8; reg++) {
      out.push([op, reg << 3]); // [eax]
      out.push([op, 0x44 | (reg << 3), 0x8b, 0xf0]); // [ebx+ecx*4-0x10]
      out.push([op, 0x05 | (reg << 3), 0x78, 0x56, 0x34, 0x12]); // ds:0x12345678
      out.push([0x64, op, 0x40 | (reg << 3), 0x08]); // fs:[eax+0x8]
    }
    for (let m = 0xc0; m <= 0xff; m++) out.push([op, m]);
  }
  for (const op of [0xd9, 0xdd]) for (const reg of [4, 6]) out.push([0x66, op, reg << 3]);
  return out;
}

describe("x87 disassembly", () => {
  it.skipIf(!OBJDUMP)("prints every D8-DF form as objdump -M intel does", () => {
    const all = forms();
    const dir = mkdtempSync(join(tmpdir(), "vmalab-x87dis-"));
    let lines: string[];
    try {
      writeFileSync(join(dir, "x.bin"), Uint8Array.from(all.flat()));
      const out = execFileSync("objdump", ["-D", "-b", "binary", "-m", "i386", "-M", "intel", join(dir, "x.bin")]).toString();
      lines = out.split("\n").filter((l) => /^\s+[0-9a-f]+:\t/.test(l)).map((l) => (l.split("\t")[2] ?? "").trimEnd());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(lines.length).toBe(all.length);
    const bad: string[] = [];
    all.forEach((b, k) => {
      const d = disassemble((o) => (o < b.length ? b[o] : -1), 0, true);
      let want = lines[k].replace(/^\(bad\)\s+.*$/, "(bad)");
      if (want === "") want = "(bad)";
      if (d.length !== b.length || d.text !== want) bad.push(`${b.map((x) => x.toString(16)).join(" ")}: objdump "${want}" vmalab "${d.text}" (${d.length})`);
    });
    expect(bad.slice(0, 30).join("\n")).toBe("");
  });
});
