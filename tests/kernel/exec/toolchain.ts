// Builds a static i386 test program with the brief's clang/musl toolchain, or
// explains why it cannot (the caller skips, or fails when CI=true).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function buildStatic(src: string, name: string, extra: string[] = []): { path: string } | { skip: string } {
  if (!existsSync("/usr/lib/i386-linux-musl/libc.a")) return { skip: "musl-dev:i386 is not installed" };
  const out = join(mkdtempSync(join(tmpdir(), "vmalab-exec-")), name);
  try {
    execFileSync("clang", ["--target=i386-linux-musl", "-march=i486", "-static", "-nostdlib", "-fuse-ld=lld", "-O1", "-fno-stack-protector", ...extra, src, "-o", out], { stdio: "pipe" });
  } catch (e) {
    return { skip: `clang could not build ${src}: ${String(e).slice(0, 200)}` };
  }
  return { path: out };
}

export { skipOrFail } from "../../support/skip.ts";
