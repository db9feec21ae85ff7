/** Reads the demo model's evaluation files (models/demo/eval) and builds the classifier and matcher from them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AxisSetSchema,
  DefaultSetSchema,
  DriftFullSetSchema,
  DriftSetSchema,
  parseEvalFile,
  RegisterLexiconsSchema,
  RoleSetSchema,
  SentenceTemplatesSchema,
  type AxisSet,
  type DefaultSet,
  type DriftFullSet,
  type DriftSet,
  type RoleSet,
} from '../../../src/core/demo/evalSets';
import { makeRegisterClassifier, type RegisterClassifier } from '../../../src/core/demo/registerClassifier';
import { makeTemplateMatcher, type TemplateMatcher } from '../../../src/core/demo/templateMatcher';

export interface EvalSets {
  readonly drift: DriftSet;
  readonly driftFull: DriftFullSet;
  readonly role: RoleSet;
  readonly default: DefaultSet;
  readonly axis: AxisSet;
  readonly classify: RegisterClassifier;
  readonly match: TemplateMatcher;
}

/** Loads every evaluation file of the model folder (e.g. models/demo). */
export function loadEvalSets(modelDir: string): EvalSets {
  const read = <T>(schema: Parameters<typeof parseEvalFile<T>>[0], name: string): T => {
    const path = join(modelDir, 'eval', name);
    return parseEvalFile(schema, readFileSync(path, 'utf8'), path);
  };
  return {
    drift: read(DriftSetSchema, 'drift.json'),
    driftFull: read(DriftFullSetSchema, 'drift-full.json'),
    role: read(RoleSetSchema, 'role.json'),
    default: read(DefaultSetSchema, 'default.json'),
    axis: read(AxisSetSchema, 'axis-set.json'),
    classify: makeRegisterClassifier(read(RegisterLexiconsSchema, 'register-lexicons.json')),
    match: makeTemplateMatcher(read(SentenceTemplatesSchema, 'sentence-templates.json')),
  };
}
