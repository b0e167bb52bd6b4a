// Command-line flags of the benches: `--name value` pairs.

export interface Flags {
  number(name: string, fallback: number): number;
  string(name: string, fallback: string): string;
}

export function parseFlags(argv: readonly string[] = process.argv.slice(2)): Flags {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) values.set(argv[i]!.replace(/^--/, ''), argv[i + 1] ?? '');
  return {
    number(name, fallback) {
      const raw = values.get(name);
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new Error(`--${name}: expected a number, got ${JSON.stringify(raw)}`);
      return n;
    },
    string: (name, fallback) => values.get(name) ?? fallback,
  };
}
