// The v86+Linux measurement of `npm run bench:cpu` (bench/cpu.ts runs this file bundled,
// once per fresh process): `node linux-bench.mjs NAME,NAME...` boots Linux in v86 once
// (bench/linux-v86.ts) and runs those workloads of bench/whole-program.ts in order, then
// prints JSON with each one's output and host wall and CPU seconds, and the guest's
// packages.

import { linuxGuest, runProgramsOnLinuxV86 } from "./linux-v86.ts";

try {
  const names = (process.argv[2] ?? "sha256sum").split(",");
  const guest = linuxGuest();
  if ("error" in guest) throw new Error(guest.error);
  const runs = await runProgramsOnLinuxV86(guest, names);
  console.log(JSON.stringify({ guest: guest.describe, runs, rssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0); // v86 leaves timers behind
} catch (e) {
  console.error(`bench:cpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
