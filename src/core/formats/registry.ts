import { anthropicMessages } from './anthropicMessages';
import { assistantAxisTranscript } from './assistantAxis';
import { inspectEval } from './inspectEval';
import { markdownTranscript } from './markdown';
import { openaiChat } from './openaiChat';
import { prompty } from './prompty';
import { shareGpt } from './shareGpt';
import type { TranscriptFormat } from './types';

/**
 * Every known format. Detection picks the highest `detect` score; on a tie, the earlier entry wins,
 * so more specific formats come first. Adding a format: write its file, add it here.
 */
export const FORMATS: readonly TranscriptFormat[] = [
  inspectEval,
  assistantAxisTranscript,
  shareGpt,
  anthropicMessages,
  openaiChat,
  prompty,
  markdownTranscript,
];
