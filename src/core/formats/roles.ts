import type { Role, TurnKind } from '../transcript';

/** A role label normalised: the role, and whether the label itself marks a tool call or result. */
export interface RoleInfo {
  readonly role: Role;
  readonly kind: TurnKind;
}

// Labels seen in the wild, lower-cased. "developer" is OpenAI's newer name for system;
// "model" is Gemini's; ShareGPT uses human/gpt and, in tool-use sets, function_call/observation.
const ROLES: Readonly<Record<string, RoleInfo>> = {
  system: { role: 'system', kind: 'message' },
  developer: { role: 'system', kind: 'message' },
  user: { role: 'user', kind: 'message' },
  human: { role: 'user', kind: 'message' },
  assistant: { role: 'assistant', kind: 'message' },
  gpt: { role: 'assistant', kind: 'message' },
  chatgpt: { role: 'assistant', kind: 'message' },
  model: { role: 'assistant', kind: 'message' },
  ai: { role: 'assistant', kind: 'message' },
  bot: { role: 'assistant', kind: 'message' },
  bing: { role: 'assistant', kind: 'message' },
  bard: { role: 'assistant', kind: 'message' },
  tool: { role: 'tool', kind: 'toolResult' },
  function: { role: 'tool', kind: 'toolResult' },
  ipython: { role: 'tool', kind: 'toolResult' },
  observation: { role: 'tool', kind: 'toolResult' },
  function_response: { role: 'tool', kind: 'toolResult' },
  tool_response: { role: 'tool', kind: 'toolResult' },
  // The model wrote the call: an assistant turn (LLaMA-Factory's ShareGPT renders it on the assistant side).
  function_call: { role: 'assistant', kind: 'toolCall' },
  tool_call: { role: 'assistant', kind: 'toolCall' },
};

/** Normalises a role label ("Human", "gpt", "developer"); undefined when unknown. */
export function normalizeRole(label: string): RoleInfo | undefined {
  return Object.hasOwn(ROLES, label.trim().toLowerCase()) ? ROLES[label.trim().toLowerCase()] : undefined;
}

/** The labels `normalizeRole` accepts, for messages. */
export function knownRoleLabels(): readonly string[] {
  return Object.keys(ROLES);
}
