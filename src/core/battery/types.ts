// Types of the persona battery (battery.json): the roles, questions and default prompts
// from which role vectors and the default vector of the Assistant Axis are computed.

/** One character the model is asked to play. */
export interface BatteryRole {
  /** Stable snake_case id, unique in the battery. */
  readonly id: string;
  /** Human-readable name. */
  readonly name: string;
  /** How close the character is to a plain assistant: 0 = fantastical, 1 = assistant-like profession. */
  readonly assistantLikeness: number;
  /** One-line description in the project's own words. */
  readonly description: string;
  /** At least three system-prompt variants that ask the model to play the role. */
  readonly systemPrompts: readonly string[];
}

/** Kind of user question: identity questions ask about the model's own nature (where drift is strongest). */
export type QuestionKind = 'practical' | 'feeling' | 'identity';

/** One user question, asked under every role and default prompt. */
export interface BatteryQuestion {
  readonly id: string;
  readonly text: string;
  /** Short noun phrase naming the subject ('' for identity questions). */
  readonly topic: string;
  readonly kind: QuestionKind;
}

/** A neutral prompt for default-Assistant responses; `systemPrompt: null` means no system message at all. */
export interface DefaultPrompt {
  readonly id: string;
  readonly systemPrompt: string | null;
}

/** Held-out roles and questions for validation, drawn once with a seeded RNG (method documented in the file). */
export interface BatterySplit {
  readonly seed: number;
  readonly method: string;
  readonly heldOutRoles: readonly string[];
  readonly heldOutQuestions: readonly string[];
}

/** Role and question ids of the small subset for small machines. */
export interface QuickSubset {
  readonly description: string;
  readonly roles: readonly string[];
  readonly questions: readonly string[];
}

/** The whole battery as stored in battery.json. */
export interface Battery {
  readonly version: number;
  readonly description: string;
  readonly defaultPrompts: readonly DefaultPrompt[];
  readonly roles: readonly BatteryRole[];
  readonly questions: readonly BatteryQuestion[];
  readonly split: BatterySplit;
  readonly quick: QuickSubset;
}

/** Which part of the battery to use: all of it, the training part, the held-out part, or the quick subset. */
export type BatteryPart = 'all' | 'train' | 'heldOut' | 'quick';
