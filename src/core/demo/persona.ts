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
