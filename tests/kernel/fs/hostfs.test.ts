// Host folders in the guest (docs/hostfs.md): userland/tests/hostfs run on a
// read-write and a read-only host folder under every memory-manager design,
// twice each with the frame-leak check of the guest tests, then the host
// side is checked: the files the guest made, their bytes and modes, the
// read-only folder untouched, nothing made outside the folders. Plus the
// device's determinism (same folder, same cycles) and the CLI's -v.

import { afterAll, describe, expect, it } from "vitest";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GuestSession } from "../../support/guest.ts";
import { NodeHostFs } from "../../../cli/hostfs-node.ts";
import type { HostShare } from "../../../emulator/devices/hostfs-backend.ts";

const DESIGNS = ["classic", "vma", "lazy", "sharedpt"];
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh folder inside a fresh parent (so escapes into the parent would show). */
function folders(): { parent: string; rw: string; ro: string } {
  const parent = mkdtempSync(join(tmpdir(), "vmalab-hostfs-"));
  made.push(parent);
  const rw = join(parent, "rw");
  const ro = join(parent, "ro");
  mkdirSync(rw);
  mkdirSync(join(ro, "emptydir"), { recursive: true });
  writeFileSync(join(ro, "input.txt"), "host data\n");
  writeFileSync(join(rw, "input.txt"), "host data\n");
  return { parent, rw, ro };
}

function shares(rw: string, ro: string): HostShare[] {
  return [
    { backend: new NodeHostFs(rw), guestPath: "/mnt/rw", readOnly: false },
    { backend: new NodeHostFs(ro), guestPath: "/mnt/ro", readOnly: true },
  ];
}

function expectPass(out: { output: string; status: number }): void {
  expect(out.output).not.toMatch(/^(FAIL|SKIP)/m);
  expect(out.output).toMatch(/^PASS hostfs_/m);
  expect(out.status).toBe(0);
}

describe.each(DESIGNS)("host folders under mm=%s", (design) => {
  const f = folders();
  const session = new GuestSession({ cmdline: `quiet mm=${design}`, hostShares: shares(f.rw, f.ro) });

  it("passes the guest checks on a read-write folder, twice, leaking no frame", { timeout: 240_000 }, () => {
    expectPass(session.runStatus("/tests/hostfs /mnt/rw"));
    const free = session.freeFrames();
    expectPass(session.runStatus("/tests/hostfs /mnt/rw"));
    expect(session.freeFrames()).toBe(free);
    expect(session.check()).toEqual([]);

    expect(readFileSync(join(f.rw, "created.txt"), "latin1")).toBe("hello from the guest\n");
    expect(lstatSync(join(f.rw, "created.txt")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(f.rw, "renamed.txt"), "latin1")).toBe("moved\n");
    expect(readlinkSync(join(f.rw, "link"))).toBe("created.txt");
    const m = readFileSync(join(f.rw, "mapped.bin"));
    expect(m.length).toBe(8192);
    expect([m[0], m[1], m[10], m[4096 + 5], m[4096]].map((c) => String.fromCharCode(c)).join("")).toBe("XAZYB");
    expect(readdirSync(f.rw).sort()).toEqual(["created.txt", "input.txt", "link", "mapped.bin", "renamed.txt"]);
    expect(readdirSync(f.parent).sort()).toEqual(["ro", "rw"]);
  });

  it("refuses every change on a read-only folder and leaves it as it was", { timeout: 240_000 }, () => {
    expectPass(session.runStatus("/tests/hostfs /mnt/ro ro"));
    const free = session.freeFrames();
    expectPass(session.runStatus("/tests/hostfs /mnt/ro ro"));
    expect(session.freeFrames()).toBe(free);
    expect(session.check()).toEqual([]);
    expect(readdirSync(f.ro).sort()).toEqual(["emptydir", "input.txt"]);
    expect(readFileSync(join(f.ro, "input.txt"), "latin1")).toBe("host data\n");
  });

  it("shows host files to the shell byte for byte", () => {
    const out = session.runStatus("cat /mnt/ro/input.txt; ls -1 /mnt/ro");
    expect(out.output).toBe("host data\nemptydir\ninput.txt\n");
  });

  it("writes dirty shared pages back when reclaim drops them (a mapping larger than RAM)", { timeout: 240_000 }, () => {
    const g = folders();
    writeFileSync(join(g.rw, "big.bin"), Buffer.alloc(24 * 1024 * 1024));
    const small = new GuestSession({ cmdline: `quiet mm=${design}`, memorySize: 16 * 1024 * 1024, hostShares: shares(g.rw, g.ro) });
    expectPass(small.runStatus("/tests/hostfs /mnt/rw big"));
    expect(small.check()).toEqual([]);
    const data = readFileSync(join(g.rw, "big.bin"));
    let bad = -1;
    for (let i = 0; i < data.length / 4096 && bad < 0; i++) if (data[i * 4096] !== ((i * 7 + 1) & 0xff)) bad = i;
    expect(bad).toBe(-1);
  });
});

describe("the host-folder device", () => {
  it("answers deterministically: the same folder contents give the same guest cycles", { timeout: 120_000 }, () => {
    const f = folders();
    writeFileSync(join(f.ro, "data.bin"), Buffer.alloc(300_000, 7));
    const cycles = [0, 1].map(() => {
      const s = new GuestSession({ cmdline: "quiet", hostShares: shares(f.rw, f.ro) });
      const start = s.sys.machine.cycles;
      expect(s.runStatus("cat /mnt/ro/data.bin > /dev/null; ls -l /mnt/ro > /dev/null").status).toBe(0);
      return s.sys.machine.cycles - start;
    });
    expect(cycles[1]).toBe(cycles[0]);
  });

  it("keeps a symlink's escape inside the guest: the host outside the folder is never touched", { timeout: 120_000 }, () => {
    const f = folders();
    const s = new GuestSession({ cmdline: "quiet", hostShares: shares(f.rw, f.ro) });
    const out = s.runStatus(
      "cd /mnt/rw; ln -s ../../.. up; ln -s / root; ls up/ 2>&1; echo x > root/tmp/escaped; mkdir up/escaped; cd /; " +
        "echo y > /mnt/rw/../../escaped2; ls /escaped2",
    );
    expect(out.output).toMatch(/Permission denied/);
    expect(out.output).toMatch(/\/escaped2/);
    expect(readdirSync(f.parent).sort()).toEqual(["ro", "rw"]);
    expect(readdirSync(f.rw).sort()).toEqual(["input.txt", "root", "up"]);
  });
});
