// Shared knobs of the secure-layer tests.

/** fast-check runs per property; FC_RUNS overrides (default 1000). */
export const FC_RUNS = Number(process.env.FC_RUNS ?? 1000) || 1000;
