// Types of system prompts found in source code and prompt files.
import type { TextRange } from '../transcript';

/** The language a prompt was found in; `prompt-file` for a whole file kept as a prompt. */
export type PromptLanguage = 'typescript' | 'javascript' | 'python' | 'prompt-file';

/** A piece of a prompt literal: static text with its value, or a run-time substitution. */
export type PromptPart =
  | {
      readonly kind: 'text';
      /** The piece's source text between its quotes (or between substitutions), UTF-16 offsets. */
      readonly range: TextRange;
      /** Its value after unescaping. */
      readonly text: string;
    }
  | {
      readonly kind: 'substitution';
      /** The whole substitution, `${...}` or `{...}`. */
      readonly range: TextRange;
      /** Its source text as written. */
      readonly source: string;
    };

/** One system prompt found in a file. */
export interface FoundPrompt {
  readonly language: PromptLanguage;
  /** What marks it as a system prompt, e.g. `role: "system"`, `system:`, `instructions=`, `SystemMessage(...)`, `*.prompt.md`. */
  readonly via: string;
  /**
   * The prompt's value: the literal's text after unescaping. For a literal with substitutions
   * (template literal, f-string) the static parts with each substitution's source text in its place.
   */
  readonly text: string;
  /** The literal's text content, quotes excluded: from the first part's start to the last part's end. */
  readonly range: TextRange;
  /** The whole literal (or concatenation of literals), quotes and prefixes included. */
  readonly literalRange: TextRange;
  readonly parts: readonly PromptPart[];
  /** False when the value depends on run-time values (substitutions), so `text` is not what the model gets. */
  readonly static: boolean;
  /** Where a constant holding the prompt is used as one (`system: SYSTEM_PROMPT`); absent when the literal sits there itself. */
  readonly usedAt?: TextRange;
  /** A call that changes the value at run time (`textwrap.dedent`), already applied to `text`. */
  readonly transform?: 'dedent';
}

/** A file's prompts and the problems met while looking. */
export interface PromptScan {
  readonly prompts: readonly FoundPrompt[];
  /** E.g. a syntax error near a prompt; the prompts found elsewhere in the file are still listed. */
  readonly notes: readonly string[];
}
