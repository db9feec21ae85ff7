// Small helpers shared by the benchmark sections.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage } from '../src/protocol/messages';
import { TRANSCRIPTS_DIR } from '../test/support/shared.mjs';

/** Median of the values (the upper one of an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/**
 * Median over rounds of a[r] / b[r]: each round's two measurements ran back to back, so their ratio
 * cancels the machine's drift between rounds, which a ratio of the two medians does not.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`paired rounds differ: ${a.length} vs ${b.length}`);
  return median(a.map((x, r) => x / (b[r] as number)));
}

/** Runs f and returns [ms, result]. */
export async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await f();
  return [performance.now() - t0, r];
}

/** Path of a persona-drift transcript of the paper's public data (MIT). */
export function transcriptPath(name: string): string {
  return join(TRANSCRIPTS_DIR, name);
}

/** A persona-drift transcript's messages, each cut to maxChars. */
export function conversation(name: string, maxChars: number): ChatMessage[] {
  const j = JSON.parse(readFileSync(transcriptPath(name), 'utf8')) as { conversation: ChatMessage[] };
  return j.conversation.map((m) => ({ role: m.role, content: m.content.slice(0, maxChars) }));
}
