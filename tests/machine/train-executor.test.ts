// The executor's training (emulator/machine/train-executor.ts) decodes an instruction of
// every form the executor has a fast path for, so that none of its paths is first taken
// by a guest.
import { describe, expect, it } from "vitest";
import { Machine } from "../../emulator/machine/machine.ts";
import { train, TRAIN_RAM } from "../../emulator/machine/train-executor.ts";
import { FORMS } from "../../emulator/cpu/forms.ts";
import { H } from "../../emulator/cpu/records.ts";

describe("executor training", () => {
  it("decodes an instruction of every fast form", () => {
    const m = new Machine({ memorySize: TRAIN_RAM });
    const seen = train(m.cpu, m.mem);
    const fast = Object.keys(FORMS).map(Number);
    expect(fast.length).toBeGreaterThan(40);
    expect(fast.filter((h) => !seen.has(h)).map((h) => H[h])).toEqual([]);
  });
});
