// A dead CPU ends the run (HLT with interrupts disabled: no NMI source exists),
// and the debug console 0xE9 is off unless --debugcon asks for it, as in QEMU.
// The kernel is tests/kernels/halt/halt.bin (committed; build.sh re-assembles it).
import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { runCli } from "./run-cli.ts";

const HALT = fileURLToPath(new URL("../kernels/halt/halt.bin", import.meta.url));
const LINE = "vmalab: CPU halted with interrupts disabled at 0008:00100033\n";

describe("a CPU halted with interrupts disabled", () => {
  it("ends the run with status 3 and one line naming CS:EIP; debugcon stays silent by default", () => {
    expect(runCli(["--kernel", HALT])).toEqual({ status: 3, stdout: "", stderr: LINE });
  });

  it("shows the kernel's port 0xE9 text with --debugcon stdio", () => {
    expect(runCli(["--kernel", HALT, "--debugcon", "stdio"])).toEqual({ status: 3, stdout: "dead\n", stderr: LINE });
  });

  it("stops in the monitor instead with --monitor", () => {
    // the monitor starts stopped; cont runs into the HLT, which stops in the monitor (no vmalab: line, no status 3)
    const r = runCli(["--kernel", HALT, "--monitor"], "cont\r", 15_000);
    expect(r.stdout).toMatch(/\r\x1b\[KCPU halted with interrupts disabled at 0008:00100033\r\n/);
    expect(r.stderr).toBe("");
    expect(r.status).not.toBe(3);
  });
});
