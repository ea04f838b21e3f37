// `vmalab run -v HOSTDIR:/GUESTDIR[:ro]` (docs/hostfs.md): the user's mistakes
// end in one "vmalab: ..." line and status 2; a shared file reaches the guest
// program byte for byte, and a read-only share refuses writes.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runCli, expectUsageError } from "./run-cli.ts";
import { parseArgs } from "../../cli/options.ts";

describe("vmalab run -v", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "vmalab-cli-hostfs-"));
    writeFileSync(join(dir, "file.txt"), "not a directory\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("parses each -v into a host folder, a normalised guest path and a read-only flag", () => {
    const o = parseArgs(["run", "-v", "/a:/b:ro", "--volume", "/c:/d//e/", "-v", "/f:/g:rw", "--", "/bin/true"]);
    expect(o.volumes).toEqual([
      { hostDir: "/a", guestPath: "/b", readOnly: true },
      { hostDir: "/c", guestPath: "/d/e", readOnly: false },
      { hostDir: "/f", guestPath: "/g", readOnly: false },
    ]);
    expect(() => parseArgs(["-v", "/a:/b", "--kernel", "k.elf"])).toThrow(/drop --kernel/);
  });

  it("refuses a missing or non-directory HOSTDIR, a relative or root GUESTDIR and a bad flag", () => {
    const run = (v: string) => runCli(["run", "-v", v, "--", "/bin/true"]);
    expectUsageError(run(`${join(dir, "nope")}:/mnt`), /-v: cannot share '.*nope': no such directory$/);
    expectUsageError(run(`${join(dir, "file.txt")}:/mnt`), /-v: cannot share '.*file\.txt': not a directory$/);
    expectUsageError(run(`${dir}:mnt`), /bad -v '.*': the guest directory 'mnt' is not an absolute path/);
    expectUsageError(run(`${dir}:/`), /cannot cover the guest's root directory/);
    expectUsageError(run(`${dir}:/mnt:rx`), /unknown flag ':rx' \(give :ro or :rw\)/);
    expectUsageError(run(dir), /give -v HOSTDIR:\/GUESTDIR/);
    expectUsageError(runCli(["run", "-v", `${dir}:/a`, "-v", `${dir}:/a`, "--", "/bin/true"]), /same guest directory/);
  });

  it("shows the host file byte for byte (cat and sha256sum in the guest)", { timeout: 60_000 }, () => {
    const cat = runCli(["run", "-v", `${REPO}:/mnt`, "--", "/bin/cat", "/mnt/README.md"]);
    expect(cat.status, cat.stderr).toBe(0);
    expect(cat.stdout).toBe(readFileSync(join(REPO, "README.md"), "utf8"));
    const sum = runCli(["run", "-v", `${REPO}:/mnt`, "--", "/bin/sh", "-c", "sha256sum /mnt/README.md"]);
    const want = createHash("sha256").update(readFileSync(join(REPO, "README.md"))).digest("hex");
    expect(sum.stdout).toBe(`${want}  /mnt/README.md\n`);
  });

  it("writes through a read-write share and refuses to write through :ro", { timeout: 60_000 }, () => {
    const rw = runCli(["run", "-v", `${dir}:/host/d`, "--", "/bin/sh", "-c", "echo from guest > /host/d/out.txt"]);
    expect(rw.status, rw.stderr).toBe(0);
    expect(readFileSync(join(dir, "out.txt"), "utf8")).toBe("from guest\n");
    const ro = runCli(["run", "-v", `${dir}:/host/d:ro`, "--", "/bin/sh", "-c", "echo x > /host/d/ro.txt"]);
    expect(ro.status).not.toBe(0);
    expect(ro.stderr + ro.stdout).toMatch(/Read-only file system/);
    expect(readdirSync(dir).sort()).toEqual(["file.txt", "out.txt"]);
  });
});
