/**
 * Machine formats (JSON and CSV) of prompt stress tests and their comparisons, shared by
 * `persona-lens probe`, `persona-lens ab --probes` and any export of the same results, so a file
 * reads the same in a pipeline wherever it was made. Per-token values stay out, as in score exports.
 */
import type { GateFailure } from '../gate';
import type { ProbeRun, StressComparison, StressTest } from '../probes';
import { renderCsv } from './table';

/** Where a prompt came from on the command line or in the editor ("text", a file, FILE#N). */
export interface PromptSource {
  readonly text: string | null;
  readonly source: string;
  readonly static: boolean;
}

function runJson(r: ProbeRun, failures?: readonly GateFailure[]): object {
  return {
    id: r.id,
    category: r.category,
    title: r.title,
    seed: r.seed,
    leftAt: r.leftAt,
    slope: r.slope,
    replies: r.replies,
    ...(failures ? { gateFailures: failures } : {}),
  };
}

/** One stress test as JSON: settings, calibration, summary and every probe's trajectory. */
export function stressJson(t: StressTest, prompt: PromptSource, failures?: ReadonlyMap<string, readonly GateFailure[]>): string {
  const first = t.runs[0];
  return `${JSON.stringify(
    {
      prompt,
      settings: t.settings,
      calibration: first?.scores.calibration ?? null,
      summary: t.summary,
      probes: t.runs.map((r) => runJson(r, failures?.get(r.id))),
    },
    null,
    2,
  )}\n`;
}

/** One row per reply: probe, reply, value, zone, domain, text. */
export function stressCsv(t: StressTest): string {
  return renderCsv(
    ['probe', 'category', 'reply', 'turn', 'value', 'zone', 'out_of_domain', 'surprise', 'stop_reason', 'left_at', 'user', 'text'],
    t.runs.flatMap((r) => r.replies.map((x) => [r.id, r.category, x.reply, x.turn, x.value, x.zone, x.outOfDomain, x.surprise, x.stopReason, r.leftAt, x.user, x.text])),
  );
}

/** A comparison as JSON: both prompts' summaries, per probe both trajectories and B − A per reply. */
export function comparisonJson(c: StressComparison, a: PromptSource, b: PromptSource, failures: readonly GateFailure[]): string {
  return `${JSON.stringify(
    {
      promptA: a,
      promptB: b,
      settings: c.a.settings,
      calibration: c.a.runs[0]?.scores.calibration ?? null,
      partThreshold: c.threshold,
      meanDifference: c.meanDifference,
      parted: c.parted,
      summaryA: c.a.summary,
      summaryB: c.b.summary,
      probes: c.pairs.map((p) => ({
        id: p.id,
        category: p.category,
        title: p.title,
        partsAtReply: p.partsAtReply,
        leftAtA: p.a.leftAt,
        leftAtB: p.b.leftAt,
        replies: p.a.replies.map((ra, i) => {
          const rb = p.b.replies[i];
          return {
            reply: ra.reply,
            turn: ra.turn,
            a: { value: ra.value, zone: ra.zone, outOfDomain: ra.outOfDomain, text: ra.text },
            b: rb ? { value: rb.value, zone: rb.zone, outOfDomain: rb.outOfDomain, text: rb.text } : null,
            difference: rb && ra.value !== null && rb.value !== null ? rb.value - ra.value : null,
          };
        }),
      })),
      gateFailures: failures,
    },
    null,
    2,
  )}\n`;
}

/** One row per probe reply with both prompts' values and B − A. */
export function comparisonCsv(c: StressComparison): string {
  return renderCsv(
    ['probe', 'category', 'reply', 'turn', 'value_a', 'zone_a', 'value_b', 'zone_b', 'difference', 'parts_here', 'text_a', 'text_b'],
    c.pairs.flatMap((p) =>
      p.a.replies.map((ra, i) => {
        const rb = p.b.replies[i];
        const diff = rb && ra.value !== null && rb.value !== null ? rb.value - ra.value : null;
        return [p.id, p.category, ra.reply, ra.turn, ra.value, ra.zone, rb?.value ?? null, rb?.zone ?? null, diff, p.partsAtReply === ra.reply, ra.text, rb?.text ?? null];
      }),
    ),
  );
}
