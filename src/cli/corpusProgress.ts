/** The progress line of a corpus run: files and conversations done, and the time left at the rate so far. */

export interface CorpusCounts {
  readonly filesDone: number;
  readonly files: number;
  readonly conversationsDone: number;
  readonly conversations: number;
  /** Milliseconds since scoring began (model load excluded: it says nothing about the rate). */
  readonly elapsedMs: number;
}

/** "1m05s", "42s", "2h03m". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Text and fraction for Progress.update; no ETA until one conversation is done. */
export function corpusProgress(c: CorpusCounts): { text: string; fraction: number } {
  const fraction = c.conversations === 0 ? 1 : c.conversationsDone / c.conversations;
  const left = c.conversations - c.conversationsDone;
  const eta = c.conversationsDone > 0 && left > 0 ? `, ETA ${formatDuration((c.elapsedMs / c.conversationsDone) * left)}` : '';
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  return {
    text: `${c.filesDone}/${plural(c.files, 'file')}, ${c.conversationsDone}/${plural(c.conversations, 'conversation')}${eta}`,
    fraction,
  };
}
