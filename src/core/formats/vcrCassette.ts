import { parseTree, type Node } from 'jsonc-parser';
import {
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Node as YamlNode,
  type YAMLMap,
} from 'yaml';
import type { Conversation, TextRange, Turn, TurnEncoding, TurnPart } from '../transcript';
import { anthropicMessages, readBlocks } from './anthropicMessages';
import { finishConversation } from './conversation';
import { DiagnosticSink } from './diagnosticSink';
import { prop, str } from './json/jsonNodes';
import { readMessage } from './json/messageList';
import { openaiChat } from './openaiChat';
import { openaiResponses } from './openaiResponses';
import { makeInput } from './input';
import type { FormatInput, TranscriptFormat } from './types';
import { unquoteYaml } from './yamlText';

const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);
const API_FORMATS: readonly TranscriptFormat[] = [openaiResponses, anthropicMessages, openaiChat];

/**
 * A recorded body as JSON text, and how a span of that text maps back to the YAML file: the JSON a
 * quoted YAML string holds (vcrpy's `body: '{"messages": ...}'`, Ruby VCR's `string: '...'`), or a
 * YAML structure written out as JSON (pydantic-ai's `parsed_body`, `body: {type: json, content}`).
 */
interface Body {
  readonly json: string;
  /** The source range of a JSON span [start, end), and the encoding a json-string span gets there. */
  remap(range: TextRange): { range: TextRange; encoding: TurnEncoding } | undefined;
}

/**
 * VCR-style YAML cassettes of LLM API calls (vcrpy, pytest-recording, pydantic-ai, Ruby VCR):
 * `interactions` (or `http_interactions`) of {request, response}. Each interaction is a conversation:
 * the request body's messages (OpenAI chat, Anthropic Messages or OpenAI Responses) and the reply in
 * the response body. Bodies are read where they are JSON in a quoted YAML string or a YAML structure;
 * compressed (`!!binary`) and streamed bodies are reported and skipped. Ranges point into the YAML.
 * Detected only when an interaction's request body is such an API call.
 */
export const vcrCassette: TranscriptFormat = {
  id: 'vcr-cassette',
  label: 'VCR cassette',
  extensions: ['.yaml', '.yml'],
  detect(input: FormatInput): number {
    if (!YAML_EXTENSIONS.has(input.extension) && !/^(?:http_)?interactions:/m.test(input.text.slice(0, 4096)))
      return 0;
    if (!/^(?:http_)?interactions:/m.test(input.text)) return 0;
    const doc = readDocument(input.text);
    const quiet = new DiagnosticSink(input.text.length, true);
    return interactions(doc)
      .slice(0, 8)
      .some((i) => readRequest(input.text, i, quiet).length > 0)
      ? 0.95
      : 0;
  },
  parse(input: FormatInput, sink: DiagnosticSink): Conversation[] {
    const text = input.text;
    const doc = readDocument(text);
    for (const e of doc?.errors ?? [])
      sink.error('json-syntax', `Invalid YAML: ${e.message.split('\n')[0] ?? e.code}`, {
        start: e.pos[0],
        end: e.pos[1],
      });
    const out: Conversation[] = [];
    interactions(doc).forEach((interaction, i) => {
      const request = readRequest(text, interaction, sink);
      if (request.length === 0) return;
      const [system, ...turns] = request;
      const reply = readResponse(text, interaction, sink);
      const req = interaction.get('request', true);
      const uri = isMap(req) ? req.get('uri') : undefined;
      const range = nodeRange(interaction) ?? { start: 0, end: text.length };
      out.push(
        finishConversation(
          {
            turns: [...turns.filter((t): t is Turn => t !== undefined), ...reply],
            metadata: typeof uri === 'string' ? { uri } : {},
            range,
            label: `interaction ${i + 1}`,
            ...(system ? { system } : {}),
          },
          sink,
        ),
      );
    });
    return out;
  },
};

function readDocument(text: string): Document | undefined {
  try {
    return parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  } catch {
    return undefined;
  }
}

function interactions(doc: Document | undefined): YAMLMap[] {
  const root = doc?.contents;
  if (!isMap(root)) return [];
  const list = root.get('interactions', true) ?? root.get('http_interactions', true);
  return isSeq(list) ? list.items.filter((x): x is YAMLMap => isMap(x)) : [];
}

function nodeRange(node: YamlNode | undefined): TextRange | undefined {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : undefined;
}

/** The request's system prompt (first, possibly undefined) and turns; [] when the request is no chat call. */
function readRequest(
  text: string,
  interaction: YAMLMap,
  sink: DiagnosticSink,
): [Turn | undefined, ...Turn[]] | [] {
  const body = bodyOf(text, interaction.get('request', true), sink);
  if (!body) return [];
  const inner = new DiagnosticSink(body.json.length, true);
  const input = makeInput(body.json, 'body.json');
  const format = API_FORMATS.find((f) => f.detect(input) >= 0.5);
  if (!format) return [];
  const conversation = format.parse(input, inner)[0];
  if (!conversation) return [];
  const system = conversation.system ? remapTurn(conversation.system, body) : undefined;
  return [system, ...conversation.turns.flatMap((t) => remapTurn(t, body) ?? [])];
}

/** The reply in the response body: an OpenAI chat completion, an Anthropic message or a Responses response. */
function readResponse(text: string, interaction: YAMLMap, sink: DiagnosticSink): Turn[] {
  const response = interaction.get('response', true);
  const body = bodyOf(text, response, sink);
  if (!body) return [];
  const inner = new DiagnosticSink(body.json.length, true);
  const root = parseTree(body.json);
  if (!root) return [];
  let turns: Turn[] = [];
  const choices = prop(root, 'choices');
  if (choices?.type === 'array') {
    const message = prop(choices.children?.[0], 'message');
    const t = message ? readMessage(body.json, message, inner) : undefined;
    turns = t ? [t] : [];
  } else if (str(prop(root, 'type')) === 'message' && prop(root, 'content')?.type === 'array') {
    turns = readBlocks(body.json, prop(root, 'content') as Node, 'assistant', 'assistant', inner);
  } else if (str(prop(root, 'object')) === 'response') {
    turns = [...(openaiResponses.parse(makeInput(body.json, 'response.json'), inner)[0]?.turns ?? [])];
  }
  return turns.flatMap((t) => remapTurn(t, body) ?? []);
}

/** A request's or response's body, if it is JSON Persona Lens can point into. */
function bodyOf(text: string, part: unknown, sink: DiagnosticSink): Body | undefined {
  if (!isMap(part)) return undefined;
  const parsed = part.get('parsed_body', true);
  if (isMap(parsed) || isSeq(parsed)) return structuredBody(parsed);
  const body = part.get('body', true) ?? part.get('content', true);
  if (isMap(body)) {
    const content = body.get('content', true);
    if (isMap(content) || isSeq(content)) return structuredBody(content);
    return scalarBody(text, body.get('string', true), sink);
  }
  return scalarBody(text, body, sink);
}

function scalarBody(text: string, node: unknown, sink: DiagnosticSink): Body | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  const [start, end] = node.range;
  if (node.tag === 'tag:yaml.org,2002:binary') {
    sink.info(
      'unrecognized-record',
      'This body is stored compressed (!!binary); its messages are not read.',
      { start, end: Math.min(end, start + 8) },
    );
    return undefined;
  }
  if (typeof node.value !== 'string') return undefined;
  const value = node.value.trimStart();
  if (!value.startsWith('{') && !value.startsWith('[')) {
    if (/^(?:event:|data:)/m.test(value))
      sink.info('unrecognized-record', 'A streamed (server-sent events) body is not read.', {
        start,
        end: Math.min(end, start + 8),
      });
    return undefined;
  }
  if (node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') {
    const style = node.type === 'QUOTE_SINGLE' ? 'single' : 'double';
    const u = unquoteYaml(text, start + 1, end - 1, style);
    if (!u) return undefined;
    const encoding: TurnEncoding = style === 'single' ? 'yaml-single-json' : 'yaml-double-json';
    return {
      json: u.text,
      remap: (r) => {
        const s = u.map[r.start];
        const e = u.map[r.end];
        return s === undefined || e === undefined ? undefined : { range: { start: s, end: e }, encoding };
      },
    };
  }
  // Block and plain scalars would need their indentation to map back; they are rare for JSON bodies.
  sink.info(
    'unrecognized-record',
    `A ${node.type === 'PLAIN' ? 'plain' : 'block'} YAML body is not read; Persona Lens reads JSON bodies in quoted strings or as YAML structures.`,
    { start, end: Math.min(end, start + 8) },
  );
  return undefined;
}

/** A YAML structure written out as JSON, remembering where each value came from. */
function structuredBody(root: YamlNode): Body {
  const origin = new Map<number, YamlNode>();
  let json = '';
  const write = (node: unknown): void => {
    if (isMap(node)) {
      origin.set(json.length, node);
      json += '{';
      node.items.forEach((pair, i) => {
        if (i > 0) json += ',';
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        json += JSON.stringify(String(key)) + ':';
        write(pair.value);
      });
      json += '}';
    } else if (isSeq(node)) {
      origin.set(json.length, node);
      json += '[';
      node.items.forEach((item, i) => {
        if (i > 0) json += ',';
        write(item);
      });
      json += ']';
    } else if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string') origin.set(json.length + 1, node);
      json +=
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? JSON.stringify(v) : 'null';
    } else {
      json += 'null';
    }
  };
  write(root);
  return {
    json,
    remap: (r) => {
      // A string's content starts one after its quote; objects and arrays at their bracket.
      const node = origin.get(r.start) ?? origin.get(r.start - 1);
      const range = nodeRange(node);
      if (!range) return undefined;
      return { range, encoding: isScalar(node) ? 'yaml' : 'verbatim' };
    },
  };
}

/** A turn read from a body's JSON, with its ranges (and its parts') moved into the YAML file. */
function remapTurn(turn: Turn, body: Body): Turn | undefined {
  if (turn.encoding === 'parts') {
    const parts = (turn.parts ?? []).flatMap((p) => remapPart(p, body) ?? []);
    const first = parts[0];
    const last = parts[parts.length - 1];
    if (!first || !last || parts.length !== (turn.parts ?? []).length) return undefined;
    return { ...turn, parts, range: { start: first.range.start, end: last.range.end } };
  }
  if (turn.encoding !== 'json-string') return undefined;
  const moved = body.remap(turn.range);
  return moved && moved.encoding !== 'verbatim'
    ? { ...turn, range: moved.range, encoding: moved.encoding }
    : undefined;
}

function remapPart(part: TurnPart, body: Body): TurnPart | undefined {
  const moved = body.remap(part.range);
  if (!moved) return undefined;
  if (part.encoding === 'placeholder' || part.encoding === 'toolCall') return { ...part, range: moved.range };
  if (part.encoding !== 'json-string' || moved.encoding === 'verbatim' || moved.encoding === 'parts')
    return undefined;
  return { ...part, range: moved.range, encoding: moved.encoding };
}
