import * as vscode from 'vscode';
import type { Calibration } from '../core/axis/calibration';
import { formatDelta, formatValue } from '../core/report/format';
import { describeDomain, describeZones, readingLabel } from '../core/report/reading';
import type { TurnScore } from '../core/scores';
import { CommandId, InternalCommandId, TRANSCRIPT_LANGUAGES } from './ids';
import type { ResultStore } from './resultStore';

/**
 * Hover on a scored assistant turn: its numbers, what they were computed with, and links to
 * our own commands. Transcript text never enters the hover; the Markdown is trusted only for
 * the listed command ids (a transcript cannot smuggle a command link in).
 */
export function registerHovers(store: ResultStore): vscode.Disposable {
  return vscode.languages.registerHoverProvider(
    TRANSCRIPT_LANGUAGES.map((language) => ({ language })),
    {
      provideHover(doc, position) {
        const result = store.get(doc.uri);
        if (!result) return undefined;
        const offset = doc.offsetAt(position);
        for (let ci = 0; ci < result.scores.length; ci++) {
          const scores = result.scores[ci];
          const conv = result.parse.conversations[ci];
          if (!scores || !conv) continue;
          for (const s of scores.turns) {
            const turn = conv.turns[s.turn];
            if (!turn || s.role !== 'assistant' || offset < turn.range.start || offset > turn.range.end) continue;
            const md = new vscode.MarkdownString(undefined, true);
            md.isTrusted = { enabledCommands: [CommandId.rerunTurn, InternalCommandId.showInPanel, InternalCommandId.copyValues] };
            md.appendMarkdown(`**Persona Lens** — assistant turn ${s.turn}${result.stale ? ' *(stale: the text changed since scoring)*' : ''}\n\n`);
            const c = scores.calibration;
            const zones = c.zones ? describeZones(c.zones) : null;
            const rows: [string, string][] = [
              ['Assistant-Axis value', formatValue(s.value)],
              ['Reading', readingText(s, c)],
              ['Change from previous assistant turn', formatDelta(s.delta) || '—'],
              ['Surprise', s.surprise === null ? '—' : `${s.surprise.toFixed(2)} nats/token`],
              ['Token values (min … max)', `${formatValue(s.minToken)} … ${formatValue(s.maxToken)} over ${s.tokenCount} tokens`],
              ['Zones', zones ? [zones.assistant, zones.role].filter(Boolean).join('; ') : (c.noZones ?? 'none')],
              ...(c.domain ? ([['Domain', describeDomain(c) ?? '']] as [string, string][]) : []),
              ['Capping floor τ (re-run with capping)', scores.tau === null ? '—' : formatValue(scores.tau)],
              ['Layer', String(scores.monitorLayer)],
            ];
            md.appendMarkdown('| | |\n|---|---|\n' + rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n') + '\n\n');
            md.appendText(`Model: ${scores.model}\nAxis: ${scores.axis}\n`);
            const args = (cmd: string): string => `command:${cmd}?${encodeURIComponent(JSON.stringify([doc.uri.toString(), ci, s.turn]))}`;
            md.appendMarkdown(`\n[Re-run with capping](${args(CommandId.rerunTurn)}) · [Show in drift panel](${args(InternalCommandId.showInPanel)}) · [Copy values](${args(InternalCommandId.copyValues)})`);
            return new vscode.Hover(md, new vscode.Range(doc.positionAt(turn.range.start), doc.positionAt(turn.range.end)));
          }
        }
        return undefined;
      },
    },
  );
}

/** The reading of a turn in words for the hover (our own text only, never the transcript's). */
function readingText(s: TurnScore, c: Calibration): string {
  if (s.outOfDomain) return '**out of domain**: the model cannot read this turn (surprise far above its own replies\'), so the value is noise and raises no alarm';
  const z = c.zones;
  if (!z || s.zone === null) return c.noZones ?? '—';
  const label = readingLabel(s);
  switch (s.zone) {
    case 'assistant':
      return `**${label}**: within the range of the model's own default replies`;
    case 'drifting':
      return `**${label}**: below the assistant zone${z.roleTo === null ? '' : ', not yet in the role zone'}`;
    case 'role':
      return `**${label}**: closer to typical role-play than to the model's default replies`;
  }
}
