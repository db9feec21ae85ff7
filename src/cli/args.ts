/**
 * node:util parseArgs reads "--fail-below -0.5" as a missing value followed by an option; gates
 * and floors are often negative, so "--opt -number" is rewritten to "--opt=-number" first.
 */
export function joinNegativeNumbers(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = argv[i + 1];
    if (/^--[a-z-]+$/.test(a) && next !== undefined && /^-(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
