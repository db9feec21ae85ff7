/**
 * System prompts in Python, the ways the major SDKs document passing them:
 * - a message dict `{"role": "system" | "developer", "content": ...}` (OpenAI chat.completions and
 *   most chat APIs), content as a string or as text parts `[{"type": "text", "text": ...}]`;
 * - keyword arguments `system=` (Anthropic messages.create, as a string or text blocks),
 *   `instructions=` (OpenAI Responses, OpenAI Agents SDK), `system_prompt=` (pydantic-ai,
 *   LlamaIndex), `system_message=` (AutoGen), `system_instruction=` (Google Gen AI);
 * - LangChain: `SystemMessage("...")` / `SystemMessage(content="...")`,
 *   `SystemMessagePromptTemplate.from_template("...")` and `("system", "...")` message tuples.
 * A value may be a string (any quotes, raw strings, f-strings), an implicit or `+` concatenation,
 * `textwrap.dedent("""...""")` (the dedented text is the prompt), or a module constant assigned once
 * in the file (`SYSTEM_PROMPT = "..."`), which is then reported where it is assigned.
 */
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import { pyEscapeValue } from './escapes';
import { concat, definitions, isStatic, literalText, plusOperands, promptsOfSites, stringParts, type Literal, type PromptSite, type StringSyntax } from './literals';
import type { FoundPrompt } from './types';

const SYNTAX: StringSyntax = {
  escape: new Set(['escape_sequence']),
  substitution: new Set(['interpolation']),
  braceEscape: new Set(['escape_interpolation']),
  escapeValue: pyEscapeValue,
};

const SYSTEM_ROLES = new Set(['system', 'developer']);
const PROMPT_KEYWORDS = new Set(['system', 'instructions', 'system_prompt', 'system_message', 'system_instruction']);
const DEDENT = new Set(['dedent', 'textwrap.dedent']);

interface Ctx {
  readonly src: string;
  readonly constants: ReadonlyMap<string, readonly Node[]>;
}

/** Finds the system prompts in a parsed Python file. */
export function findPyPrompts(tree: Tree, src: string): FoundPrompt[] {
  const constants = definitions(tree.rootNode, (n) =>
    n.type === 'assignment' || n.type === 'augmented_assignment' ? { name: n.childForFieldName('left'), value: n.childForFieldName('right') } : null,
  );
  const ctx: Ctx = { src, constants };
  const sites: PromptSite[] = [];
  const walk = (n: Node): void => {
    if (n.type === 'dictionary') sites.push(...dictSites(n, ctx));
    else if (n.type === 'keyword_argument') {
      const name = n.childForFieldName('name')?.text ?? '';
      const value = n.childForFieldName('value');
      if (PROMPT_KEYWORDS.has(name) && value) sites.push(...valueSites(value, `${name}=`, ctx));
    } else if (n.type === 'call') sites.push(...callSites(n, ctx));
    else if (n.type === 'tuple' || n.type === 'list') sites.push(...tupleSites(n, ctx));
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(tree.rootNode);
  return promptsOfSites(sites, 'python');
}

function dictSites(dict: Node, ctx: Ctx): PromptSite[] {
  const pairs = dictPairs(dict, ctx);
  const role = pairs.get('role');
  const roleName = role ? stringValue(role, ctx) : null;
  const content = pairs.get('content');
  return roleName !== null && SYSTEM_ROLES.has(roleName) && content ? valueSites(content, `"role": "${roleName}"`, ctx) : [];
}

function dictPairs(dict: Node, ctx: Ctx): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const p of dict.namedChildren) {
    if (p?.type !== 'pair') continue;
    const key = p.childForFieldName('key');
    const value = p.childForFieldName('value');
    const name = key ? stringValue(key, ctx) : null;
    if (name !== null && value) out.set(name, value);
  }
  return out;
}

function callSites(call: Node, ctx: Ctx): PromptSite[] {
  const fn = call.childForFieldName('function');
  const args = call.childForFieldName('arguments');
  if (!fn || !args) return [];
  const name = fn.type === 'identifier' ? fn.text : fn.type === 'attribute' ? (fn.childForFieldName('attribute')?.text ?? '') : '';
  const positional = args.namedChildren.find((c) => c !== null && c.type !== 'keyword_argument' && c.type !== 'comment') ?? null;
  if (name === 'SystemMessage') {
    // `content=` is no prompt keyword elsewhere, so SystemMessage(content=...) is read here.
    const content = args.namedChildren.find((c) => c?.type === 'keyword_argument' && c.childForFieldName('name')?.text === 'content');
    const value = positional ?? content?.childForFieldName('value') ?? null;
    return value ? valueSites(value, 'SystemMessage(...)', ctx) : [];
  }
  if (name === 'from_template' && fn.type === 'attribute' && fn.childForFieldName('object')?.text.endsWith('SystemMessagePromptTemplate') && positional) {
    return valueSites(positional, 'SystemMessagePromptTemplate.from_template(...)', ctx);
  }
  return [];
}

/** `("system", "...")` or `["system", "..."]`: a LangChain message tuple. */
function tupleSites(t: Node, ctx: Ctx): PromptSite[] {
  const items = t.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  if (items.length !== 2) return [];
  const [role, content] = items as [Node, Node];
  const name = role.type === 'string' ? stringValue(role, ctx) : null;
  return name !== null && SYSTEM_ROLES.has(name) ? valueSites(content, `("${name}", ...)`, ctx) : [];
}

/** The prompt literals a value stands for: a literal, a constant, or text parts/blocks `[{"type": "text", "text": ...}]`. */
function valueSites(value: Node, via: string, ctx: Ctx): PromptSite[] {
  const v = unwrap(value);
  if (v.type === 'list') {
    return v.namedChildren.flatMap((item) => {
      if (item?.type !== 'dictionary') return [];
      const text = dictPairs(item, ctx).get('text');
      return text ? valueSites(text, via, ctx) : [];
    });
  }
  const direct = literalOf(v, ctx);
  if (direct) return [{ literal: direct, via }];
  if (v.type === 'identifier') {
    const assigned = ctx.constants.get(v.text);
    // One assignment only: with several, which one reaches this call is a run-time matter.
    if (assigned?.length === 1) {
      const lit = literalOf(unwrap(assigned[0] as Node), ctx);
      if (lit) return [{ literal: lit, via, usedAt: { start: v.startIndex, end: v.endIndex } }];
    }
  }
  return [];
}

/** A str literal, a concatenation (implicit or `+`), or `dedent(<literal>)`; bytes are not prompts. */
function literalOf(n: Node, ctx: Ctx): Literal | null {
  if (n.type === 'string') {
    const open = n.children.find((c) => c?.type === 'string_start');
    const close = n.children.find((c) => c?.type === 'string_end');
    if (!open || !close) return null;
    const prefix = open.text.replace(/["']+$/, '').toLowerCase();
    if (prefix.includes('b')) return null;
    const { parts, unresolved } = stringParts(ctx.src, n, open.endIndex, close.startIndex, SYNTAX, prefix.includes('r'));
    return { parts, unresolved, literalRange: { start: n.startIndex, end: n.endIndex } };
  }
  if (n.type === 'concatenated_string') {
    const pieces = n.namedChildren.filter((c): c is Node => c?.type === 'string').map((s) => literalOf(s, ctx));
    return pieces.every((p) => p !== null) ? concat(pieces) : null;
  }
  if (isPlus(n)) return concat(plusOperands(n, isPlus, unwrap).map((o) => literalOf(o, ctx) ?? { expression: o }));
  if (n.type === 'call' && DEDENT.has(n.childForFieldName('function')?.text ?? '')) {
    const args = n.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment') ?? [];
    const inner = args.length === 1 ? literalOf(unwrap(args[0] as Node), ctx) : null;
    return inner ? { ...inner, transform: 'dedent' } : null;
  }
  return null;
}

function isPlus(n: Node): boolean {
  return n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+';
}

function unwrap(n: Node): Node {
  let x = n;
  while (x.type === 'parenthesized_expression') {
    const inner = x.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!inner) break;
    x = inner;
  }
  return x;
}

function stringValue(n: Node, ctx: Ctx): string | null {
  const lit = n.type === 'string' ? literalOf(n, ctx) : null;
  return lit && isStatic(lit.parts) && lit.unresolved === 0 ? literalText(lit.parts) : null;
}
