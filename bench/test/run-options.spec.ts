// bench/support/run-options.ts: the command line of `npm run bench`.
import { parseRunOptions } from '../support/run-options.js';

const known = ['crypto', 'word-filter', 'scale'];

describe('parseRunOptions', () => {
  it('runs everything 3 times by default: a full run', () => {
    expect(parseRunOptions([], known)).toEqual({ benches: known, reps: 3, partial: false });
  });

  it('keeps the known order for --only, and marks a subset partial', () => {
    expect(parseRunOptions(['--only', 'scale,crypto'], known)).toEqual({
      benches: ['crypto', 'scale'],
      reps: 3,
      partial: true,
    });
  });

  it('marks fewer than 3 repetitions partial, more not', () => {
    expect(parseRunOptions(['--reps', '1'], known).partial).toBe(true);
    expect(parseRunOptions(['--reps', '5'], known)).toEqual({ benches: known, reps: 5, partial: false });
  });

  it('refuses unknown flags, unknown benches and bad counts', () => {
    expect(() => parseRunOptions(['--rep', '3'], known)).toThrow('unknown argument "--rep"');
    expect(() => parseRunOptions(['--only', 'crypto,wordfilter'], known)).toThrow('unknown bench "wordfilter"');
    expect(() => parseRunOptions(['--reps', '0'], known)).toThrow('expected a whole number ≥ 1, got "0"');
    expect(() => parseRunOptions(['--reps', '2.5'], known)).toThrow('--reps');
    expect(() => parseRunOptions(['--reps'], known)).toThrow('--reps needs a value');
    expect(() => parseRunOptions(['--only', '--reps', '3'], known)).toThrow('--only needs a value');
  });
});
