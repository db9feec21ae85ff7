/** `persona-lens report FILE... -o report.html`: a self-contained HTML report of every conversation. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildHtmlReport } from '../core/report/htmlReport';
import { sameFile, writeFileAtomic } from '../io/files';
import { problemLine } from '../core/corpus/record';
import { printable } from '../core/report/format';
import { joinNegativeNumbers } from './args';
import { PACKAGE_ROOT } from './context';
import { CORPUS_INPUTS_USAGE, CORPUS_OPTIONS, CORPUS_USAGE, corpusOptions, jobSessionOptions } from './corpusOptions';
import { resolveCorpus } from './corpusPaths';
import { scoreCorpus } from './corpusScoring';
import { ENGINE_OPTIONS, ENGINE_USAGE, integerOption, maxFileBytes, sessionOptions } from './engineOptions';
import { ExitCode, UsageError } from './exitCodes';
import { GATE_OPTIONS, gateExitCode, gateFailures, gateOptions, gateUsage } from './gates';
import { Progress } from './progress';
import type { ScoredConversation } from './scoring';
import { conversationName, readTranscripts } from './transcripts';

export const REPORT_USAGE = `Usage: persona-lens report FILE... -o report.html [options]

Writes one HTML file with, per conversation, the drift plot, the per-token strips of the
assistant turns and the per-turn table. It needs no network to open: script and styles are inline.
${CORPUS_INPUTS_USAGE}

Options:
  -o, --out FILE     where to write the report (required; never one of the transcripts;
                     written whole or not at all: a temporary file renamed into place)
  --title T          the report's title (default: "Persona Lens report")
${CORPUS_USAGE}
${gateUsage('an assistant turn')}
                     (the gates are evaluated after the report is written)
  --max-tokens N     score at most N tokens per conversation (whole turns; default: the model's context)
${ENGINE_USAGE}`;

/** The page script and stylesheet built by esbuild.mjs (entry webview/report/main.ts). */
export function readReportAssets(root: string = PACKAGE_ROOT): { script: string; css: string } {
  const dir = join(root, 'out', 'webview');
  try {
    return {
      script: readFileSync(join(dir, 'report.js'), 'utf8'),
      css: readFileSync(join(dir, 'report.css'), 'utf8'),
    };
  } catch (e) {
    throw new Error(
      `cannot read the report page script in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); run "npm run build"`,
      { cause: e },
    );
  }
}

/** Base64 SHA-256, for the report's CSP hashes. */
export function sha256Base64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

/** Runs the report command; resolves with the exit code. */
export async function runReport(argv: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeNumbers(argv),
    allowPositionals: true,
    options: {
      ...ENGINE_OPTIONS,
      out: { type: 'string', short: 'o' },
      title: { type: 'string', default: 'Persona Lens report' },
      ...GATE_OPTIONS,
      ...CORPUS_OPTIONS,
      'max-tokens': { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError(`no transcript file given\n\n${REPORT_USAGE}`);
  if (!values.out) throw new UsageError(`-o FILE is required (where to write the report)\n\n${REPORT_USAGE}`);
  const gate = gateOptions(values);
  const { jobs, shard } = corpusOptions(values);
  const options = jobSessionOptions(sessionOptions(values, integerOption('max-tokens', values['max-tokens'], 1)), jobs);
  const assets = readReportAssets();
  // Fail before minutes of scoring when the report could not be written anyway, or would
  // overwrite a transcript (`report chat.json -o chat.json`: same file by real path or inode).
  const folder = dirname(resolve(values.out));
  if (!existsSync(folder))
    throw new UsageError(`cannot write ${values.out}: ENOENT (there is no folder ${folder})`);
  const out = values.out;
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`cannot write ${out}: it is a folder`);
  const files = resolveCorpus(positionals, shard);
  if (files.length === 0) {
    if (!values.quiet) process.stderr.write(`persona-lens: shard ${values.shard} of ${positionals.length} input(s) holds no file; no report written\n`);
    return ExitCode.ok;
  }
  const clash = files.find((p) => sameFile(p, out));
  if (clash !== undefined)
    throw new UsageError(`-o ${out} is the transcript ${clash}; the report would overwrite it. Choose another output file.`);
  const { inputs, errors: inputErrors } = await readTranscripts(files, maxFileBytes(values));
  if (inputs.length === 0) return ExitCode.badInput;

  const progress = new Progress(values.quiet);
  const scored: ScoredConversation[] = [];
  let errors = inputErrors;
  try {
    await scoreCorpus({
      inputs,
      jobs,
      options,
      verbose: values.verbose,
      progress,
      signal,
      onOutcome: (o) => {
        if (o.ok) scored.push(o.result);
        else {
          errors++;
          progress.clear();
          process.stderr.write(`${printable(problemLine(o.problem, o.count > 1))}\n`);
        }
      },
    });
  } finally {
    progress.done();
  }
  if (scored.length === 0) return ExitCode.badInput;

  const html = buildHtmlReport({
    title: values.title,
    conversations: scored.map((r) => ({
      label: conversationName(basename(r.file), r.index, r.count),
      conversation: r.conversation,
      scores: r.scores,
    })),
    ...assets,
    sha256Base64,
    generator: `persona-lens ${packageVersion()}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  });
  // A transcript swapped in at the output path while scoring ran is still not overwritten.
  if (files.some((p) => sameFile(p, out)))
    throw new UsageError(`-o ${out} is now one of the transcripts; the report was not written.`);
  writeFileAtomic(out, html);
  const turns = scored.reduce((n, r) => n + r.scores.turns.filter((t) => t.role === 'assistant').length, 0);
  process.stderr.write(
    `${values.quiet ? '' : `wrote ${values.out}: ${scored.length} conversation${scored.length === 1 ? '' : 's'}, ${turns} assistant turns (${Math.round(html.length / 1024)} KB)\n`}`,
  );
  const gated = scored.map((r) => ({ name: conversationName(r.file, r.index, r.count), scores: r.scores, failures: gateFailures(r.scores, gate) }));
  return gateExitCode(gated, errors > 0 ? ExitCode.badInput : ExitCode.ok);
}

function packageVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string })
        .version ?? ''
    );
  } catch {
    return '';
  }
}
