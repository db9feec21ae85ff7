// Public surface of prompt detection.
export { DEFAULT_PROMPT_GLOBS, findPrompts, promptFileKind, type PromptFileKind } from './findPrompts';
export { matchPrompt } from './match';
export { PromptParsers, type Grammar } from './parsers';
export type * from './types';
