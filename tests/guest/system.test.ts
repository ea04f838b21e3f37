import { describe, expect, it } from "vitest";
import { exitCodeOf } from "../../system/system.ts";
import { GuestSession } from "../support/guest.ts";

describe("the booted system", () => {
  it("turns wait statuses into shell exit codes", () => {
    expect(exitCodeOf(3 << 8)).toBe(3);
    expect(exitCodeOf(11)).toBe(139);
    expect(exitCodeOf(9)).toBe(137);
  });

  it("returns every frame to the allocator when all processes but init and the shell end", () => {
    const s = new GuestSession();
    s.run("/bin/true"); // warm the page cache of the programs used below
    s.run("echo a | wc -c; ls /bin > /dev/null");
    const free = s.freeFrames();
    for (let i = 0; i < 3; i++) s.run("echo a | wc -c; ls /bin > /dev/null");
    expect(s.freeFrames()).toBe(free);
    expect(s.check()).toEqual([]);
  });

  it("reports unknown boot options and keeps going", () => {
    const lines: string[] = [];
    const s = new GuestSession({ cmdline: "mm=bogus frobnicate", onKernelLog: (l) => lines.push(l) });
    expect(lines).toContain('kernel: unknown mm design "bogus" (expected classic, vma, lazy, sharedpt); using vma');
    expect(lines).toContain('kernel: unknown boot option "frobnicate" ignored');
    expect(s.run("echo ok")).toBe("ok");
  });
});
