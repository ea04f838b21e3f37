// Writes the interpreter's switches over fast forms (emulator/cpu/dispatch.ts: the
// loop's between the GENERATED CASES markers, runRare's between the GENERATED RARE
// CASES markers) from their templates (emulator/cpu/forms.ts), where the block compiler
// (emulator/cpu/jit.ts) reads the same templates.
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
const BEGIN_RARE = "// BEGIN GENERATED RARE CASES";
const END_RARE = "// END GENERATED RARE CASES";

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

/**
 * The forms that runRare runs, behind one call from the loop, instead of the loop itself:
 * the code of a form first run after V8 optimized the function that holds it makes V8
 * throw that code away and optimize the function again, which for the loop takes long,
 * so forms that few programs use much do that to the small function instead. (Each ran
 * under 0.5% of the instructions the interpreter ran in bench:cpu's whole programs, and
 * the compilers' usual idioms and the bench kernels' forms stay in the loop; a form that
 * transfers control cannot be one.) So do the ALU forms on memory but CMP, whose code
 * has an arm per operation, any of which a program may first run late: with them in the
 * loop, V8 deoptimized it five times in a sha256sum run instead of twice.
 */
const RARE = new Set<H>([
  H.AluMR, H.AluMI, H.Alu8MR, H.Alu8MI, H.AluRM, H.AluRR, H.AluRI, H.OrRI, H.XorRI, H.TestMR, H.TestMI, H.Alu8RI, H.Alu8RR, H.Alu8RM, H.TestMR8, H.TestMI8,
  H.MovR8I, H.MovM8I, H.MovRR16, H.Load16, H.Store16, H.CmovRM, H.NegR, H.MulR, H.DivR, H.ShiftDR, H.Alu16RI, H.SetDF,
]);

/** The generated cases of runInstructions (rare false) or runRare (true), indented for their place. */
function cases(rare: boolean): string {
  const pad = " ".repeat(rare ? 4 : 12);
  const out: string[] = [];
  for (const [id, form] of Object.entries(FORMS)) {
    if (RARE.has(Number(id)) !== rare) continue;
    const name = H[Number(id)];
    if (rare && form.body.includes("$EXIT")) throw new Error(`gen-dispatch: ${name} transfers control, which runRare cannot`);
    out.push(`${pad}case ${id}: { // ${name}`);
    // a miss before anything happened leaves for the byte interpreter (runInstructions)
    for (const line of missExits(expandForm(form.body, FIELDS), rare ? "return false;" : "break miss;", EFFECT).split("\n")) {
      if (line.trim() !== "") out.push(`${pad}  ${line.trim()}`);
    }
    out.push(`${pad}  break;`, `${pad}}`);
  }
  return out.join("\n");
}

/** `src` with the lines between markers `begin` and `end` replaced by `text`. */
function fill(src: string, begin: string, end: string, text: string): string {
  const a = src.indexOf(begin);
  const b = src.indexOf(end);
  if (a < 0 || b < a) {
    console.error(`gen-dispatch: ${FILE} lacks the ${begin} / ${end} markers`);
    process.exit(1);
  }
  return src.slice(0, src.indexOf("\n", a) + 1) + text + "\n" + src.slice(src.lastIndexOf("\n", b) + 1);
}

const src = readFileSync(FILE, "utf8");
const next = fill(fill(src, BEGIN, END, cases(false)), BEGIN_RARE, END_RARE, cases(true));
if (process.argv.includes("--check")) {
  if (next !== src) {
    console.error("gen-dispatch: emulator/cpu/dispatch.ts is stale: run node bin/run-ts.mjs tools/gen-dispatch.ts");
    process.exit(1);
  }
  console.log("gen-dispatch: emulator/cpu/dispatch.ts is up to date");
} else {
  writeFileSync(FILE, next);
}
