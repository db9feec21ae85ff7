/** Whether a role-prompted demo reply speaks as the role its system prompt asked for. */
import { ASSISTANT_REGISTER, type RegisterVerdict } from './registerClassifier';

/**
 * True when the prompted role's markers occur and no other role has more. Assistant markers are not
 * counted: graded roles mix assistant sentences into in-role replies by design (mix up to 0.65).
 */
export function inPromptedPersona(v: RegisterVerdict, role: string): boolean {
  const own = v.counts[role] ?? 0;
  if (own === 0) return false;
  return Object.entries(v.counts).every(([p, n]) => p === ASSISTANT_REGISTER || p === role || n <= own);
}

/** True when any role (not the assistant) has a marker in the reply. */
export function hasRoleMarkers(counts: Readonly<Record<string, number>>): boolean {
  return Object.entries(counts).some(([p, n]) => p !== ASSISTANT_REGISTER && n > 0);
}

/** How often role-prompted replies keep the prompted role, over the roles the model was trained on. */
export interface PersonaKeeping {
  /** Percent of `voiced` replies in the prompted role. */
  readonly share: number;
  /** Replies of trained roles that carry any role marker (the others are character breaks). */
  readonly voiced: number;
  /** Replies of trained roles. */
  readonly trained: number;
}

/**
 * Never-trained roles are left out: the model has never seen their words, so it cannot keep them.
 * Replies with no role marker are left out too (character breaks, or all-assistant graded replies).
 */
export function personaKeeping(
  replies: readonly { readonly text: string; readonly role: string }[],
  classify: (text: string) => RegisterVerdict,
  heldOutRoles: readonly string[],
): PersonaKeeping {
  const held = new Set(heldOutRoles);
  const trained = replies.filter((r) => !held.has(r.role));
  const kept = trained.flatMap((r) => {
    const v = classify(r.text);
    return hasRoleMarkers(v.counts) ? [inPromptedPersona(v, r.role)] : [];
  });
  return { share: kept.length ? (100 * kept.filter(Boolean).length) / kept.length : NaN, voiced: kept.length, trained: trained.length };
}
