import { aiderHistory } from './aider';
import { anthropicMessages } from './anthropicMessages';
import { assistantAxisTranscript } from './assistantAxis';
import { chatgptExport } from './chatgptExport';
import { claudeAiExport } from './claudeAiExport';
import { claudeCode } from './claudeCode';
import { evalDataset } from './evalDataset';
import { inspectEval } from './inspectEval';
import { markdownTranscript } from './markdown';
import { openaiChat } from './openaiChat';
import { openaiResponses } from './openaiResponses';
import { openWebui } from './openWebui';
import { prompty } from './prompty';
import { shareGpt } from './shareGpt';
import { sillyTavern } from './sillyTavern';
import { vcrCassette } from './vcrCassette';
import type { TranscriptFormat } from './types';

/**
 * Every known format. Detection picks the highest `detect` score; on a tie, the earlier entry wins,
 * so more specific formats come first. Adding a format: write its file, add it here.
 */
export const FORMATS: readonly TranscriptFormat[] = [
  inspectEval,
  chatgptExport,
  claudeAiExport,
  openWebui,
  claudeCode,
  sillyTavern,
  assistantAxisTranscript,
  shareGpt,
  openaiResponses,
  anthropicMessages,
  openaiChat,
  evalDataset,
  prompty,
  vcrCassette,
  aiderHistory,
  markdownTranscript,
];
