/**
 * Every identifier the extension shares with package.json. A unit test checks this file
 * against the manifest, so a renamed command or setting cannot drift silently.
 */

export const EXTENSION_ID = 'persona-lens.persona-lens';

/** Commands shown in the palette. */
export enum CommandId {
  analyzeFile = 'persona-lens.analyzeFile',
  analyzeSelection = 'persona-lens.analyzeSelection',
  clearAnnotations = 'persona-lens.clearAnnotations',
  showPanel = 'persona-lens.showPanel',
  computeAxis = 'persona-lens.computeAxis',
  selectModel = 'persona-lens.selectModel',
  openLogs = 'persona-lens.openLogs',
  restartEngine = 'persona-lens.restartEngine',
  showActions = 'persona-lens.showActions',
  tryDemoModel = 'persona-lens.tryDemoModel',
  exportReport = 'persona-lens.exportReport',
  rerunTurn = 'persona-lens.rerunTurnCapped',
  openEvalSample = 'persona-lens.openEvalSample',
  stressTestPrompt = 'persona-lens.stressTestPrompt',
  comparePrompt = 'persona-lens.comparePrompt',
  comparePromptWithHead = 'persona-lens.comparePromptWithHead',
  continueConversation = 'persona-lens.continueConversation',
  toggleTokenHeat = 'persona-lens.toggleTokenHeat',
}

/** Link targets of hovers and CodeLens; hidden from the palette. */
export enum InternalCommandId {
  showInPanel = 'persona-lens._showInPanel',
  copyValues = 'persona-lens._copyValues',
}

export const PANEL_VIEW_TYPE = 'persona-lens.panel';
export const PROMPT_STUDIO_VIEW_TYPE = 'persona-lens.promptStudio';
export const CONTINUE_VIEW_TYPE = 'persona-lens.continue';
export const CONFIG_SECTION = 'persona-lens';
export const LOG_CHANNEL_NAME = 'Persona Lens';
export const DIAGNOSTIC_COLLECTION = 'persona-lens';

/** Theme colour ids contributed in package.json (ids may not contain '-'). */
export enum ColorId {
  value = 'personaLens.valueForeground',
  assistant = 'personaLens.assistantForeground',
  drifting = 'personaLens.driftingForeground',
  alarm = 'personaLens.alarmForeground',
  outOfDomain = 'personaLens.outOfDomainForeground',
  stale = 'personaLens.staleForeground',
  rulerDrifting = 'personaLens.driftingRuler',
  rulerAlarm = 'personaLens.alarmRuler',
  heatAssistant = 'personaLens.heatAssistantBackground',
  heatDrifting = 'personaLens.heatDriftingBackground',
  heatDeepDrifting = 'personaLens.heatDeepDriftingBackground',
  heatRole = 'personaLens.heatRoleBackground',
}

/** Languages whose documents may hold transcripts (YAML: VCR cassettes of API calls). */
export const TRANSCRIPT_LANGUAGES = ['json', 'jsonc', 'jsonl', 'markdown', 'prompty', 'yaml'] as const;

/** Languages whose documents may hold system prompts (src/core/prompts); plaintext: *.system.txt and the user's prompt globs. */
export const PROMPT_LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python', 'plaintext'] as const;
