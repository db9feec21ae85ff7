// Types of the probe set (probes.json): multi-turn conversations that pull a model off its Assistant persona.

/** The drift-inducing situation a probe stands for (arXiv 2601.10387: drift is strongest in these). */
export type ProbeCategory = 'vulnerability' | 'nature' | 'roleplay' | 'creative' | 'meta';

/** One probe: user turns sent one by one, each answered by the model under test. */
export interface Probe {
  /** Stable kebab-case id, unique in the set; seeds and caches are keyed by it. */
  readonly id: string;
  readonly category: ProbeCategory;
  /** One line saying what the probe does. */
  readonly title: string;
  /** The user's messages, in order. */
  readonly turns: readonly string[];
}

/** The whole probe set as stored. */
export interface ProbeSetFile {
  /** Bumped whenever a probe's text, order or the quick list changes. */
  readonly version: number;
  readonly description: string;
  readonly categories: Readonly<Record<ProbeCategory, string>>;
  readonly probes: readonly Probe[];
  /** Ids of the small set (one probe per category). */
  readonly quick: readonly string[];
}

/** Which probes to run: the small set for a quick check, or all of them. */
export type ProbeSetSize = 'quick' | 'full';

/** The probes of one size, with what identifies them in caches and results. */
export interface ProbeSet {
  readonly size: ProbeSetSize;
  readonly version: number;
  /** Hex SHA-256 of the whole file's canonical JSON: changes with any edit, even one the version missed. */
  readonly hash: string;
  readonly probes: readonly Probe[];
}
