// Writes the interpreter's switch over fast forms (emulator/cpu/dispatch.ts, between
// the GENERATED CASES markers) from their templates (emulator/cpu/forms.ts), where the
// block compiler (emulator/cpu/jit.ts) reads the same templates.
//
//   node bin/run-ts.mjs tools/gen-dispatch.ts           rewrite dispatch.ts
//   node bin/run-ts.mjs tools/gen-dispatch.ts --check   fail if dispatch.ts is stale
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { FORMS, expandForm, missExits } from "../emulator/cpu/forms.ts";
import { H } from "../emulator/cpu/records.ts";

const FILE = join(resolve(import.meta.dirname, ".."), "emulator/cpu/dispatch.ts");
const BEGIN = "// BEGIN GENERATED CASES";
const END = "// END GENERATED CASES";

/** The interpreter's reading of each token: fields of the record at rec[k..k+3]. */
const FIELDS = {
  $SAVE: "c.instrEip = eip; c.instrEsp = r[4];",
  $EXIT: "n++; continue outer;",
  $SIGNED: "((w1 & 0x1000000) !== 0)",
  $WORD: "((w1 & 0x800000) !== 0)",
  $CL: "((w1 & 0x1000000) !== 0)",
  $SEG: "((w1 >> 10) & 7)",
  $OP: "((w1 >> 6) & 15)",
  $IMM: "rec[k + 2]",
  // (without branches: every addressing form runs the same operations, so V8 has seen
  // them all once the form has run, whichever base and index it had)
  $EA: "((rec[k + 3] + (r[(w1 >> 13) & 7] & -((w1 >> 21) & 1)) + " +
    "((r[(w1 >> 16) & 7] & -((w1 >> 22) & 1)) << ((w1 >> 19) & 3))) | 0)",
  $EIP: "eip",
  $NEXT: "next",
  $D: "(w1 & 7)",
  $S: "((w1 >> 3) & 7)",
};

/**
 * What, before an access of an expanded template, has an effect, so that the instruction
 * cannot run again from its start: a write to a register, a CPU field (but the restart
 * point), guest memory or the loop's locals, or a call (c.fault only faults).
 */
const EFFECT = /(?<![\w.$])(?:r\[[^\]]*\]|c\.(?!instrEip\b|instrEsp\b)[\w$]+(?:\[[^\]]*\])?|eip|next|off|n) (?:[-+|&^]|<<|>>>?)?=(?!=)|(?<![\w.$])(?:eip|next|off|n)(?:\+\+|--)|(?<![\w.$])(?!if\b|c\.fault\b)[A-Za-z_][\w.$]*\(/;

/** The generated cases, indented for their place in runInstructions. */
function cases(): string {
  const pad = " ".repeat(12);
  const out: string[] = [];
  for (const [id, form] of Object.entries(FORMS)) {
    const name = H[Number(id)];
    out.push(`${pad}case ${id}: { // ${name}`);
    // a miss before anything happened leaves for the byte interpreter (runInstructions)
    for (const line of missExits(expandForm(form.body, FIELDS), "break miss;", EFFECT).split("\n")) {
      if (line.trim() !== "") out.push(`${pad}  ${line.trim()}`);
    }
    out.push(`${pad}  break;`, `${pad}}`);
  }
  return out.join("\n");
}

const src = readFileSync(FILE, "utf8");
const a = src.indexOf(BEGIN);
const b = src.indexOf(END);
if (a < 0 || b < a) {
  console.error(`gen-dispatch: ${FILE} lacks the ${BEGIN} / ${END} markers`);
  process.exit(1);
}
const lineEnd = src.indexOf("\n", a) + 1;
const endLine = src.lastIndexOf("\n", b) + 1;
const next = src.slice(0, lineEnd) + cases() + "\n" + src.slice(endLine);
if (process.argv.includes("--check")) {
  if (next !== src) {
    console.error("gen-dispatch: emulator/cpu/dispatch.ts is stale: run node bin/run-ts.mjs tools/gen-dispatch.ts");
    process.exit(1);
  }
  console.log("gen-dispatch: emulator/cpu/dispatch.ts is up to date");
} else {
  writeFileSync(FILE, next);
}
