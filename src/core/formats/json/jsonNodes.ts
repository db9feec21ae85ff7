import { getNodeValue, type Node } from 'jsonc-parser';
import type { TextRange } from '../../transcript';

/** A JSON string's unescaped value and the span of its content, quotes excluded. */
export interface StringSpan {
  readonly text: string;
  readonly range: TextRange;
}

/** The value of property `key` of an object node (the last one when repeated, as JSON.parse does). */
export function prop(node: Node | undefined, key: string): Node | undefined {
  if (node?.type !== 'object' || !node.children) return undefined;
  // Indexed loop: this runs for every key of every message, and destructuring allocates iterators.
  let found: Node | undefined;
  const props = node.children;
  for (let i = 0; i < props.length; i++) {
    const kv = props[i]?.children;
    if (kv && kv.length > 1 && kv[0]?.value === key) found = kv[1];
  }
  return found;
}

/** Whether an object node has property `key`. */
export function has(node: Node | undefined, key: string): boolean {
  return prop(node, key) !== undefined;
}

/** The elements of an array node; [] for anything else. */
export function items(node: Node | undefined): readonly Node[] {
  return node?.type === 'array' ? (node.children ?? []) : [];
}

/** The string value of a string node, else undefined. */
export function str(node: Node | undefined): string | undefined {
  return node?.type === 'string' && typeof node.value === 'string' ? node.value : undefined;
}

/** The plain JS value of a node (objects, arrays, scalars), for metadata. */
export function plain(node: Node | undefined): unknown {
  return node ? getNodeValue(node) : undefined;
}

/** The plain values of those of `keys` an object node has, for conversation metadata. */
export function pickKeys(node: Node | undefined, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (has(node, key)) out[key] = plain(prop(node, key));
  return out;
}

/** The span of a node's own source text. */
export function spanOf(node: Node): TextRange {
  return { start: node.offset, end: node.offset + node.length };
}

/**
 * The content span of a well-formed JSON string literal. Returns undefined when the literal is
 * unterminated or holds an invalid escape or a raw control character: then no slice of the text
 * unescapes to a value, and a turn built from it could not keep the range invariant.
 */
export function stringSpan(text: string, node: Node | undefined): StringSpan | undefined {
  if (node?.type !== 'string') return undefined;
  const end = node.offset + node.length;
  if (node.length < 2 || text.charCodeAt(node.offset) !== 34 || text.charCodeAt(end - 1) !== 34) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(node.offset, end));
  } catch {
    return undefined;
  }
  return typeof value === 'string' ? { text: value, range: { start: node.offset + 1, end: end - 1 } } : undefined;
}

/** The fraction of `nodes` (at most the first `limit`) for which `test` holds; 0 for none. */
export function fraction(nodes: readonly Node[], test: (n: Node) => boolean, limit = 8): number {
  const sample = nodes.slice(0, limit);
  return sample.length === 0 ? 0 : sample.filter(test).length / sample.length;
}
