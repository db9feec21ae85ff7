/**
 * System prompts in TypeScript and JavaScript, the ways the major SDKs document passing them:
 * - a message object `{ role: "system" | "developer", content: ... }` (OpenAI chat.completions,
 *   most chat APIs), content as a string or as text parts `[{ type: "text", text: ... }]`;
 * - `system:` in a request object that also names `model`, `messages` or `prompt` (Anthropic
 *   messages.create, Vercel AI SDK generateText/streamText), as a string or text blocks;
 * - `instructions:` in an object that also names `model`, `input`, `name` or `tools` (OpenAI
 *   Responses, OpenAI Agents SDK);
 * - `systemPrompt:`, `system_prompt:`, `systemMessage:`, `systemInstruction:` anywhere (wrappers,
 *   Google Gen AI);
 * - LangChain: `new SystemMessage("...")` / `new SystemMessage({ content })`,
 *   `SystemMessagePromptTemplate.fromTemplate("...")` and `["system", "..."]` message tuples.
 * A value may be a string or template literal, a `+` concatenation, or a constant declared in the
 * same file (`const SYSTEM_PROMPT = "..."`), which is then reported where it is declared.
 */
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import { jsEscapeValue } from './escapes';
import { concat, definitions, isStatic, literalText, plusOperands, promptsOfSites, stringParts, type Literal, type PromptSite, type StringSyntax } from './literals';
import type { FoundPrompt, PromptLanguage } from './types';

const SYNTAX: StringSyntax = {
  escape: new Set(['escape_sequence']),
  substitution: new Set(['template_substitution']),
  braceEscape: new Set(),
  escapeValue: jsEscapeValue,
};

const SYSTEM_ROLES = new Set(['system', 'developer']);
/** Keys that name a system prompt wherever they appear. */
const PROMPT_KEYS = new Set(['systemPrompt', 'system_prompt', 'systemMessage', 'systemInstruction']);
/** `system` counts only in a request object with one of these keys; `instructions` with one of the second set. */
const SYSTEM_SIBLINGS = new Set(['model', 'messages', 'prompt']);
const INSTRUCTIONS_SIBLINGS = new Set(['model', 'input', 'name', 'tools', 'messages']);
/** Wrappers a value may sit in without changing it. */
const TRANSPARENT = new Set(['parenthesized_expression', 'as_expression', 'satisfies_expression', 'non_null_expression', 'type_assertion']);

/** Finds the system prompts in a parsed TypeScript/JavaScript file. */
export function findJsPrompts(tree: Tree, src: string, language: Extract<PromptLanguage, 'typescript' | 'javascript'>): FoundPrompt[] {
  const constants = definitions(tree.rootNode, (n) => {
    if (n.type === 'variable_declarator') return { name: n.childForFieldName('name'), value: n.childForFieldName('value') };
    // A later assignment counts too, so a reassigned name stays unresolved.
    if (n.type === 'assignment_expression' || n.type === 'augmented_assignment_expression') return { name: n.childForFieldName('left'), value: n.childForFieldName('right') };
    return null;
  });
  const ctx: Ctx = { src, constants };
  const sites: PromptSite[] = [];
  const walk = (n: Node): void => {
    if (n.type === 'object') sites.push(...objectSites(n, ctx));
    else if (n.type === 'new_expression' || n.type === 'call_expression') sites.push(...callSites(n, ctx));
    else if (n.type === 'array') sites.push(...tupleSites(n, ctx));
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(tree.rootNode);
  return promptsOfSites(sites, language);
}

interface Ctx {
  readonly src: string;
  readonly constants: ReadonlyMap<string, readonly Node[]>;
}

/** The object's properties by key (identifier, string or shorthand keys; computed keys are skipped). */
function properties(obj: Node, ctx: Ctx): Map<string, Node> {
  const props = new Map<string, Node>();
  for (const c of obj.namedChildren) {
    if (!c) continue;
    if (c.type === 'shorthand_property_identifier') props.set(c.text, c);
    if (c.type !== 'pair') continue;
    const key = c.childForFieldName('key');
    const value = c.childForFieldName('value');
    if (!key || !value) continue;
    const name = key.type === 'string' ? stringValue(key, ctx) : key.type === 'property_identifier' ? key.text : null;
    if (name !== null) props.set(name, value);
  }
  return props;
}

function objectSites(obj: Node, ctx: Ctx): PromptSite[] {
  const props = properties(obj, ctx);
  const out: PromptSite[] = [];
  const role = props.get('role');
  const roleName = role ? stringValue(unwrap(role), ctx) : null;
  const content = props.get('content');
  if (roleName !== null && SYSTEM_ROLES.has(roleName) && content) out.push(...valueSites(content, `role: "${roleName}"`, ctx));
  const has = (keys: ReadonlySet<string>): boolean => [...keys].some((k) => props.has(k));
  const system = props.get('system');
  if (system && has(SYSTEM_SIBLINGS)) out.push(...valueSites(system, 'system:', ctx));
  const instructions = props.get('instructions');
  if (instructions && has(INSTRUCTIONS_SIBLINGS)) out.push(...valueSites(instructions, 'instructions:', ctx));
  for (const key of PROMPT_KEYS) {
    const v = props.get(key);
    if (v) out.push(...valueSites(v, `${key}:`, ctx));
  }
  return out;
}

function callSites(call: Node, ctx: Ctx): PromptSite[] {
  const callee = call.childForFieldName(call.type === 'new_expression' ? 'constructor' : 'function');
  const args = call.childForFieldName('arguments');
  const first = args?.namedChildren.find((c) => c !== null && c.type !== 'comment') ?? null;
  if (!callee || !first) return [];
  const name = calleeName(callee);
  if (name === 'SystemMessage') {
    const target = unwrap(first);
    if (target.type === 'object') {
      const content = properties(target, ctx).get('content');
      return content ? valueSites(content, 'SystemMessage(...)', ctx) : [];
    }
    return valueSites(first, 'SystemMessage(...)', ctx);
  }
  if (name === 'fromTemplate' && callee.type === 'member_expression' && calleeName(callee.childForFieldName('object')) === 'SystemMessagePromptTemplate') {
    return valueSites(first, 'SystemMessagePromptTemplate.fromTemplate(...)', ctx);
  }
  return [];
}

/** `["system", "..."]`: a LangChain message tuple. */
function tupleSites(arr: Node, ctx: Ctx): PromptSite[] {
  const items = arr.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  if (items.length !== 2) return [];
  const [role, content] = items as [Node, Node];
  const name = role.type === 'string' ? stringValue(role, ctx) : null;
  return name !== null && SYSTEM_ROLES.has(name) ? valueSites(content, `["${name}", ...]`, ctx) : [];
}

/** The prompt literals a value stands for: a literal, a constant, or text parts/blocks `[{ type: "text", text }]`. */
function valueSites(value: Node, via: string, ctx: Ctx): PromptSite[] {
  const v = unwrap(value);
  if (v.type === 'array') {
    return v.namedChildren.flatMap((item) => {
      if (!item || unwrap(item).type !== 'object') return [];
      const props = properties(unwrap(item), ctx);
      const text = props.get('text');
      return text ? valueSites(text, via, ctx) : [];
    });
  }
  const direct = literalOf(v, ctx);
  if (direct) return [{ literal: direct, via }];
  if (v.type === 'identifier' || v.type === 'shorthand_property_identifier') {
    const decls = ctx.constants.get(v.text);
    // One declaration only: with several, which one reaches this call is a run-time matter.
    if (decls?.length === 1) {
      const lit = literalOf(unwrap(decls[0] as Node), ctx);
      if (lit) return [{ literal: lit, via, usedAt: { start: v.startIndex, end: v.endIndex } }];
    }
  }
  return [];
}

/** A string or template literal, or a `+` concatenation with at least one literal operand. */
function literalOf(n: Node, ctx: Ctx): Literal | null {
  if (n.type === 'string' || n.type === 'template_string') {
    const open = n.firstChild;
    const close = n.lastChild;
    if (!open || !close || close === open) return null;
    const { parts, unresolved } = stringParts(ctx.src, n, open.endIndex, close.startIndex, SYNTAX, false);
    return { parts, unresolved, literalRange: { start: n.startIndex, end: n.endIndex } };
  }
  if (isPlus(n)) return concat(plusOperands(n, isPlus, unwrap).map((o) => literalOf(o, ctx) ?? { expression: o }));
  return null;
}

function isPlus(n: Node): boolean {
  return n.type === 'binary_expression' && n.childForFieldName('operator')?.text === '+';
}

function unwrap(n: Node): Node {
  let x = n;
  while (TRANSPARENT.has(x.type)) {
    // The wrapped expression comes first (`x as T`, `x satisfies T`, `x!`, `(x)`).
    const inner = x.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!inner) break;
    x = inner;
  }
  return x;
}

/** The value of a static string literal, or null. */
function stringValue(n: Node, ctx: Ctx): string | null {
  const lit = n.type === 'string' || n.type === 'template_string' ? literalOf(n, ctx) : null;
  return lit && isStatic(lit.parts) ? literalText(lit.parts) : null;
}

function calleeName(n: Node | null): string | null {
  if (!n) return null;
  if (n.type === 'identifier') return n.text;
  if (n.type === 'member_expression') return n.childForFieldName('property')?.text ?? null;
  return null;
}
