// Command line of `npm run bench` (bench/run-all.ts): `--only name[,name]` and `--reps N`, checked strictly (a
// typo must not silently run the whole 20-minute set). Pure, for bench/test/run-options.spec.ts.

/** Repetitions of each ordinary bench for a full run: the table needs a min, a median and a max. */
export const FULL_REPS = 3;

export interface RunOptions {
  /** The benches to run, in the order of `known`. */
  benches: string[];
  reps: number;
  /** Fewer repetitions or a subset: results go to bench/results/tmp/, docs/benchmarks.md is left alone. */
  partial: boolean;
}

export function parseRunOptions(argv: readonly string[], known: readonly string[]): RunOptions {
  let only: string[] | null = null;
  let reps = FULL_REPS;
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (flag !== '--only' && flag !== '--reps') {
      throw new Error(`unknown argument ${JSON.stringify(flag)} (expected --only name[,name] and/or --reps N)`);
    }
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
    if (flag === '--reps') {
      if (!/^[1-9]\d*$/.test(value))
        throw new Error(`--reps: expected a whole number ≥ 1, got ${JSON.stringify(value)}`);
      reps = Number(value);
    } else {
      only = value.split(',').map((n) => n.trim());
      const unknown = only.filter((n) => !known.includes(n));
      if (unknown.length) {
        throw new Error(
          `--only: unknown bench ${unknown.map((n) => JSON.stringify(n)).join(', ')}; known: ${known.join(', ')}`,
        );
      }
    }
  }
  const chosen = only;
  const benches = chosen ? known.filter((n) => chosen.includes(n)) : [...known];
  return { benches, reps, partial: reps < FULL_REPS || benches.length < known.length };
}
