import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { TextRange } from '../../transcript';

/** One top-level JSON value: the whole file, or one JSONL line. */
export interface JsonValue {
  readonly node: Node;
  /** The span of the value's source (the trimmed line for JSONL). */
  readonly range: TextRange;
  /** "line 3" for JSONL; undefined for a whole-file value. */
  readonly label?: string;
}

/**
 * jsonc-parser and the readers recurse once per nesting level; transcripts nest a few levels, tool
 * arguments a few dozen. Deeper input is refused before it can overflow the stack.
 */
export const MAX_JSON_DEPTH = 512;

/** A syntax error with absolute offsets and a readable message. */
export interface JsonSyntaxError {
  readonly message: string;
  readonly range: TextRange;
}

/**
 * A file read as JSON (one value, possibly partial after errors) or JSONL (one value per valid line).
 * JSONL lines are parsed again on each pass over `values()`, so the tree of a line that has been
 * read can be freed: a 10 MB file then never holds all its trees at once.
 */
export interface JsonSource {
  readonly framing: 'json' | 'jsonl';
  /** The first few values, enough to detect the format. */
  readonly head: readonly JsonValue[];
  /** Every value, in text order. */
  values(): Iterable<JsonValue>;
  /** Every syntax error (for JSONL this reads the whole file once if no pass has finished yet). */
  errors(): readonly JsonSyntaxError[];
}

const JSONL_EXTENSIONS = new Set(['.jsonl', '.ndjson', '.jsonlines']);
const JSON_EXTENSIONS = new Set(['.json', '.jsonc', '.json5', ...JSONL_EXTENSIONS]);
const NEVER_JSON = new Set(['.md', '.markdown', '.prompty', '.txt', '.yaml', '.yml']);
// Comments are reported (they are not JSON) but jsonc-parser still skips them and reads on.
const OPTIONS = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: true };

/** Whether a file should be read as JSON at all: by extension, else by its first non-blank character. */
export function looksLikeJson(text: string, extension: string): boolean {
  if (JSON_EXTENSIONS.has(extension)) return true;
  if (NEVER_JSON.has(extension)) return false;
  const m = /\S/.exec(text.length > 4096 ? text.slice(0, 4096) : text);
  return m !== null && (m[0] === '{' || m[0] === '[');
}

/**
 * Reads `text` as JSON or JSONL. JSONL is chosen by extension, or when a whole-file parse fails
 * and the first two non-blank lines each start a value (fine-tuning sets saved as .json).
 */
export function readJsonSource(text: string, extension: string): JsonSource {
  if (JSONL_EXTENSIONS.has(extension)) return new JsonLines(text);
  const tooDeep = depthError(text, 0, text.length);
  if (tooDeep) return { framing: 'json', head: [], values: () => [], errors: () => [tooDeep] };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, OPTIONS);
  if (errors.length > 0 && firstTwoLinesAreValues(text)) return new JsonLines(text);
  const values: JsonValue[] = root ? [{ node: root, range: { start: root.offset, end: root.offset + root.length } }] : [];
  const syntaxErrors = errors.map((e) => toSyntaxError(e, 0));
  return { framing: 'json', head: values, values: () => values, errors: () => syntaxErrors };
}

const HEAD = 8;

class JsonLines implements JsonSource {
  readonly framing = 'jsonl';
  readonly head: readonly JsonValue[];
  private finished: JsonSyntaxError[] | undefined;

  constructor(private readonly text: string) {
    const head: JsonValue[] = [];
    for (const v of this.read([])) {
      head.push(v);
      if (head.length === HEAD) break;
    }
    this.head = head;
  }

  *values(): Generator<JsonValue> {
    const errors: JsonSyntaxError[] = [];
    yield* this.read(errors);
    this.finished ??= errors;
  }

  errors(): readonly JsonSyntaxError[] {
    if (!this.finished) for (const _ of this.values());
    return this.finished ?? [];
  }

  private *read(errors: JsonSyntaxError[]): Generator<JsonValue> {
    const text = this.text;
    let lineNo = 0;
    for (const line of lines(text)) {
      lineNo++;
      if (isBlank(text, line.start, line.end)) continue;
      const tooDeep = depthError(text, line.start, line.end);
      if (tooDeep) {
        errors.push({ ...tooDeep, message: `${tooDeep.message}; line ${lineNo} is skipped, the other lines are still read` });
        continue;
      }
      const errs: ParseError[] = [];
      const node = parseTree(text.slice(line.start, line.end), errs, OPTIONS);
      if (errs.length > 0 || !node) {
        for (const e of errs) {
          const err = toSyntaxError(e, line.start);
          errors.push({ ...err, message: `${err.message}; line ${lineNo} is skipped, the other lines are still read` });
        }
        continue;
      }
      shift(node, line.start);
      yield { node, range: { start: node.offset, end: node.offset + node.length }, label: `line ${lineNo}` };
    }
  }
}

/** An error at the first bracket nested deeper than MAX_JSON_DEPTH in text[start, end), if any. */
function depthError(text: string, start: number, end: number): JsonSyntaxError | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */ || c === 10 /* a newline ends a broken string, as in the parser */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > MAX_JSON_DEPTH) {
        return { message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels; it is not read`, range: { start: i, end: i + 1 } };
      }
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth = Math.max(0, depth - 1);
  }
  return undefined;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) return false;
  }
  return true;
}

/** Line spans without their terminators ("\n", "\r\n"). */
function* lines(text: string): Generator<TextRange> {
  let start = 0;
  while (start <= text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    yield { start, end };
    start = nl + 1;
  }
}

function firstTwoLinesAreValues(text: string): boolean {
  const found: string[] = [];
  for (const line of lines(text)) {
    const t = text.slice(line.start, line.end).trim();
    if (t !== '') found.push(t);
    if (found.length === 2) break;
  }
  if (found.length < 2 || !/^[[{]/.test(found[1] ?? '')) return false;
  const errs: ParseError[] = [];
  const node = parseTree(found[0] ?? '', errs, OPTIONS);
  return errs.length === 0 && (node?.type === 'object' || node?.type === 'array');
}

// jsonc-parser nodes are plain objects; moving a line's tree to absolute offsets once is cheaper
// than carrying a base offset through every reader.
function shift(node: Node, delta: number): void {
  const n = node as { offset: number; colonOffset?: number };
  n.offset += delta;
  if (n.colonOffset !== undefined) n.colonOffset += delta;
  for (const c of node.children ?? []) shift(c, delta);
}

const MESSAGES: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'expected the end of the file after the first value (one record per line needs a .jsonl name)',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape sequence',
  InvalidCharacter: 'control character inside a string (it must be escaped)',
};

function toSyntaxError(e: ParseError, base: number): JsonSyntaxError {
  const name = printParseErrorCode(e.error);
  const start = base + e.offset;
  return { message: `Invalid JSON: ${MESSAGES[name] ?? name}`, range: { start, end: start + Math.max(0, e.length) } };
}
