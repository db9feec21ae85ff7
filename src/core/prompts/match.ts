/**
 * Which prompt of another version of a file is "the same prompt" (Compare with HEAD): the one with
 * the same marker (`via`) at the same rank among the prompts with that marker, else the one at the
 * same position when both versions hold as many prompts. Prompt literals carry no names, and an edit
 * usually changes text, not how many prompts a file has or where they sit.
 */
import type { FoundPrompt } from './types';

/** The prompt of `other` that matches `mine[index]`, or null when none can be told apart. */
export function matchPrompt(mine: readonly FoundPrompt[], index: number, other: readonly FoundPrompt[]): FoundPrompt | null {
  const p = mine[index];
  if (!p) return null;
  const rank = mine.slice(0, index).filter((q) => q.via === p.via).length;
  const sameVia = other.filter((q) => q.via === p.via);
  if (sameVia.length === mine.filter((q) => q.via === p.via).length) return sameVia[rank] ?? null;
  if (other.length === mine.length) return other[index] ?? null;
  return null;
}
