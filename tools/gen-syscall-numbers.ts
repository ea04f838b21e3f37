// Generates kernel/syscalls/numbers.ts, the Linux i386 system call numbers by name
// (NR.sched_yield = 158) and their names by number, from Linux's own
// asm/unistd_32.h (Debian's linux-libc-dev), so the kernel names every call it
// registers the way Linux numbers it.
//
//   node bin/run-ts.mjs tools/gen-syscall-numbers.ts [--check] [path/to/unistd_32.h]
//
// Without a path it reads /usr/include/x86_64-linux-gnu/asm/unistd_32.h (linux-libc-dev:amd64,
// which libc6-dev and so clang pull in), else /usr/include/i386-linux-gnu/asm/unistd_32.h.
// --check writes nothing and exits 1 with one line when numbers.ts differs from what the
// header gives; the header comment (source path, package version) is not compared.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { relative, resolve } from "node:path";

const HEADERS = ["/usr/include/x86_64-linux-gnu/asm/unistd_32.h", "/usr/include/i386-linux-gnu/asm/unistd_32.h"];
const OUT = fileURLToPath(new URL("../kernel/syscalls/numbers.ts", import.meta.url));
const COMMAND = "node bin/run-ts.mjs tools/gen-syscall-numbers.ts";
/** Everything before this line is the header comment, which --check ignores. */
const BODY_START = "/** Linux i386 system call numbers";

/** The `#define __NR_name number` lines of a unistd_32.h, in file order; a string is the error. */
function parseUnistd(text: string): { name: string; nr: number }[] | string {
  const out: { name: string; nr: number }[] = [];
  const byNr = new Map<number, string>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("#define __NR_")) continue;
    const m = /^#define __NR_([A-Za-z_][A-Za-z0-9_]*)\s+(\d+)\s*$/.exec(line);
    if (m === null) return `unexpected line '${line.trim()}'`;
    const nr = Number(m[2]);
    const dup = byNr.get(nr);
    if (dup !== undefined) return `__NR_${dup} and __NR_${m[1]} are both ${nr}`;
    byNr.set(nr, m[1]);
    out.push({ name: m[1], nr });
  }
  if (out.length === 0) return "no '#define __NR_name number' lines";
  // x86_64's unistd_64.h has the same form: tell it apart (i386 has fork 2 and mmap2).
  if (byNr.get(2) !== "fork" || !out.some((c) => c.name === "mmap2")) return "not the i386 numbering (no __NR_fork 2 and __NR_mmap2)";
  return out;
}

/** "linux-libc-dev:amd64 6.1.187-1" for a file a Debian package installed, else null. */
function packageOf(path: string): string | null {
  try {
    const owner = execFileSync("dpkg", ["-S", resolve(path)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const full = owner.slice(0, owner.indexOf(": ")); // "linux-libc-dev:amd64: /usr/include/..."
    const ver = execFileSync("dpkg-query", ["-W", "-f", "${Version}", full], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return `${full} ${ver.trim()}`;
  } catch {
    return null;
  }
}

/** The text of numbers.ts for calls read from source (pkg: its package and version, if known). */
function renderNumbers(calls: { name: string; nr: number }[], source: string, pkg: string | null): string {
  const max = Math.max(...calls.map((c) => c.nr));
  const names: (string | undefined)[] = new Array(max + 1).fill(undefined);
  for (const c of calls) names[c.nr] = c.name;
  const lines = [
    "// GENERATED FILE, do not edit. Regenerate with",
    `//   ${COMMAND}`,
    `// from ${source}${pkg === null ? "" : ` (${pkg})`}.`,
    "",
    `${BODY_START} (asm/unistd_32.h __NR_name), by name: NR.sched_yield is 158. */`,
    "export const NR = Object.freeze({",
    ...calls.map((c) => `  ${c.name}: ${c.nr},`),
    "} as const);",
    "",
    "/** A Linux i386 system call name (a key of NR). */",
    "export type SyscallName = keyof typeof NR;",
    "",
    "/** The name of each system call number, NR's inverse; undefined for numbers Linux leaves unused. */",
    "export const SYSCALL_NAMES: readonly (SyscallName | undefined)[] = Object.freeze([",
    ...names.map((n, i) => (n === undefined ? `  undefined, // ${i}` : `  "${n}", // ${i}`)),
    "]);",
    "",
    "/** The name of system call nr for display (\"sched_yield\"); \"syscall_N\" for a number Linux does not use. */",
    "export function syscallName(nr: number): string {",
    "  return (Number.isInteger(nr) && nr >= 0 ? SYSCALL_NAMES[nr] : undefined) ?? `syscall_${nr}`;",
    "}",
    "",
  ];
  return lines.join("\n");
}

function fail(msg: string): never {
  console.error(`gen-syscall-numbers: ${msg}`);
  process.exit(1);
}

/** The part of a numbers.ts text that --check compares. */
function body(text: string): string {
  const i = text.indexOf(BODY_START);
  return i < 0 ? text : text.slice(i);
}

function main(argv: string[]): void {
  const check = argv.includes("--check");
  const paths = argv.filter((a) => a !== "--check");
  if (paths.some((p) => p.startsWith("-"))) fail(`unknown option ${paths.find((p) => p.startsWith("-"))}; usage: ${COMMAND} [--check] [unistd_32.h]`);
  if (paths.length > 1) fail(`one header path at most; usage: ${COMMAND} [--check] [unistd_32.h]`);
  const source = paths[0] ?? HEADERS.find((h) => existsSync(h));
  if (source === undefined) fail(`no ${HEADERS.join(" or ")}: install linux-libc-dev (apt-get install linux-libc-dev), or pass the header's path`);
  if (!existsSync(source)) fail(`${source}: no such file`);
  const calls = parseUnistd(readFileSync(source, "latin1"));
  if (typeof calls === "string") fail(`${source}: ${calls}`);
  const text = renderNumbers(calls, source, packageOf(source));
  const rel = relative(process.cwd(), OUT);
  if (!check) {
    writeFileSync(OUT, text);
    console.log(`${rel}: ${calls.length} system calls from ${source}`);
    return;
  }
  const old = existsSync(OUT) ? readFileSync(OUT, "utf8") : "";
  if (body(old) !== body(text)) {
    const a = body(old).split("\n"), b = body(text).split("\n");
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    fail(`${rel} is stale (${old === "" ? "missing" : `first difference: '${(a[i] ?? "").trim()}', ${source} gives '${(b[i] ?? "").trim()}'`}); run ${COMMAND}`);
  }
  console.log(`gen-syscall-numbers --check: ${rel} is up to date (${calls.length} system calls, ${source})`);
}

main(process.argv.slice(2));
