import { describe, it, expect } from "vitest";
import { WaitQueue, WOULD_BLOCK } from "../../../kernel/wait.ts";

describe("WaitQueue", () => {
  it("wakes each waiter once, in order, and empties itself first", () => {
    const q = new WaitQueue();
    const log: string[] = [];
    const a = { wake: () => log.push(`a:${q.length}`) };
    const b = { wake: () => log.push("b") };
    q.add(a);
    q.add(a);
    q.add(b);
    expect(q.length).toBe(2);
    q.remove(b);
    expect(q.has(b)).toBe(false);
    q.add(b);
    expect(q.wakeUp()).toBe(2);
    expect(log).toEqual(["a:0", "b"]);
    expect(q.wakeUp()).toBe(0);
    expect(WOULD_BLOCK).toBeLessThan(-4095);
  });
});
