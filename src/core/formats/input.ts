import { looksLikeJson, readJsonSource, type JsonSource } from './json/jsonSource';
import type { FormatInput } from './types';

/** The input a format sees; the JSON reading is shared by all JSON formats and done once. */
export function makeInput(text: string, fileName: string): FormatInput {
  const extension = extensionOf(fileName);
  let json: JsonSource | undefined | null = null;
  return {
    text,
    fileName,
    extension,
    json(): JsonSource | undefined {
      if (json === null)
        json = looksLikeJson(text, extension) ? readJsonSource(withoutBom(text), extension) : undefined;
      return json;
    },
  };
}

// A BOM is not JSON; a space of the same length keeps every offset valid.
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
}

function extensionOf(fileName: string): string {
  const base = baseName(fileName);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** The file name without its folders ("the file" when empty). */
export function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() || fileName || 'the file';
}
