// Builds the nasm test kernels of this folder into multiboot ELF files, for
// the tests that boot them. Missing tools skip (with a reason) unless CI=true.

import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(new URL(".", import.meta.url));

function have(tool: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Why the kernels cannot be built here, or null when nasm and ld.lld are present. */
export function missingTools(): string | null {
  const missing = ["nasm", "ld.lld"].filter((t) => !have(t));
  return missing.length > 0 ? `${missing.join(" and ")} not installed` : null;
}

/** Assembles and links `name`.asm (in this folder) at 1 MiB into a fresh temp dir; returns the ELF path. */
export function buildKernel(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vmalab-${name}-`));
  const obj = join(dir, `${name}.o`);
  const elf = join(dir, `${name}.elf`);
  execFileSync("nasm", ["-f", "elf32", join(HERE, `${name}.asm`), "-o", obj]);
  execFileSync("ld.lld", ["-m", "elf_i386", "-T", join(HERE, "hello.ld"), obj, "-o", elf]);
  return elf;
}
