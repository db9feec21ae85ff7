// Loads and checks the persona battery, and selects its train / held-out / quick parts.
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { canonicalJson } from '../canonicalJson';
import batteryJson from './battery.json';
import { batterySchema } from './schema';
import type { Battery, BatteryPart, BatteryQuestion, BatteryRole } from './types';

/** Thrown when battery data is malformed or inconsistent. */
export class BatteryError extends Error {
  override readonly name = 'BatteryError';
}

/** Parses and cross-checks battery data (ids unique, split and quick ids known); `source` names it in errors. */
export function parseBattery(data: unknown, source = 'battery.json'): Battery {
  const parsed = v.safeParse(batterySchema, data);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    throw new BatteryError(`${source}: invalid battery at ${path || '(root)'}: ${issue.message}`);
  }
  const b = parsed.output;
  const roleIds = uniqueIds(b.roles.map((r) => r.id), 'role', source);
  const questionIds = uniqueIds(b.questions.map((q) => q.id), 'question', source);
  uniqueIds(b.defaultPrompts.map((p) => p.id), 'default prompt', source);
  const known = (ids: readonly string[], set: Set<string>, what: string): void => {
    for (const id of ids) if (!set.has(id)) throw new BatteryError(`${source}: ${what} names unknown id '${id}'`);
  };
  known(b.split.heldOutRoles, roleIds, 'split.heldOutRoles');
  known(b.split.heldOutQuestions, questionIds, 'split.heldOutQuestions');
  known(b.quick.roles, roleIds, 'quick.roles');
  known(b.quick.questions, questionIds, 'quick.questions');
  return b;
}

function uniqueIds(ids: readonly string[], what: string, source: string): Set<string> {
  const set = new Set<string>();
  for (const id of ids) {
    if (set.has(id)) throw new BatteryError(`${source}: duplicate ${what} id '${id}'`);
    set.add(id);
  }
  return set;
}

let cached: Battery | undefined;

/** The project's persona battery (bundled battery.json), parsed and checked once. */
export function loadBattery(): Battery {
  cached ??= parseBattery(batteryJson);
  return cached;
}

/** Roles and questions of one part of the battery, in file order. */
export function selectBattery(
  battery: Battery,
  part: BatteryPart,
): { roles: readonly BatteryRole[]; questions: readonly BatteryQuestion[] } {
  const heldRoles = new Set(battery.split.heldOutRoles);
  const heldQuestions = new Set(battery.split.heldOutQuestions);
  switch (part) {
    case 'all':
      return { roles: battery.roles, questions: battery.questions };
    case 'train':
      return {
        roles: battery.roles.filter((r) => !heldRoles.has(r.id)),
        questions: battery.questions.filter((q) => !heldQuestions.has(q.id)),
      };
    case 'heldOut':
      return {
        roles: battery.roles.filter((r) => heldRoles.has(r.id)),
        questions: battery.questions.filter((q) => heldQuestions.has(q.id)),
      };
    case 'quick': {
      const qr = new Set(battery.quick.roles);
      const qq = new Set(battery.quick.questions);
      return { roles: battery.roles.filter((r) => qr.has(r.id)), questions: battery.questions.filter((q) => qq.has(q.id)) };
    }
  }
}

/** Hex SHA-256 of the battery's canonical JSON (object keys sorted), so key order does not change it. */
export function batteryHash(battery: Battery): string {
  return createHash('sha256').update(canonicalJson(battery)).digest('hex');
}
