// Layer rules for `npm run lint:layers` (dependency-cruiser), the layers of
// DESIGN.md section 1: the machine (emulator/) knows nothing above it; the
// kernel reaches the machine only through its guest ABI stub layer (kernel/arch/);
// web/, cli/, bench/, system/ and monitor/ are glue above both. Type-only imports
// (`import type`, erased at compile time) are told apart from runtime ones.

/** Directories above the machine and the kernel: neither may import from them. */
const UPPER = "^(monitor|web|cli|bench|system|tools)/";

module.exports = {
  forbidden: [
    {
      name: "emulator-is-the-bottom",
      comment: "emulator/ is the machine: it imports nothing from the kernel or from the layers above.",
      severity: "error",
      from: { path: "^emulator/" },
      to: { path: ["^kernel/", UPPER] },
    },
    {
      name: "kernel-reaches-the-machine-through-arch",
      comment:
        "Only kernel/arch/ imports emulator/ code; elsewhere in kernel/ an emulator type may be named " +
        "(import type, e.g. the CPU that boot.ts and kernel.ts hand to kernel/arch), nothing more.",
      severity: "error",
      from: { path: "^kernel/", pathNot: "^kernel/arch/" },
      to: { path: "^emulator/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "kernel-below-the-glue",
      comment: "kernel/ imports nothing from web/, the monitor, the CLI, the benchmarks or system/.",
      severity: "error",
      from: { path: "^kernel/" },
      to: { path: UPPER },
    },
    {
      name: "no-circular",
      comment: "No cycles of runtime imports (cycles made only of type-only imports are erased by the compiler).",
      severity: "error",
      from: {},
      to: {
        circular: true,
        dependencyTypesNot: ["type-only"],
        viaOnly: { dependencyTypesNot: ["type-only"] },
      },
    },
    {
      name: "resolvable",
      comment: "Every relative import names a file that exists.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, pathNot: "^node:" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Keep type-only imports in the graph, marked "type-only", so rules can tell them apart.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
