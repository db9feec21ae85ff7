/**
 * What a user may name as a model: "demo" (the demo model shipped in models/demo), a local
 * folder, or a Hugging Face model id (owner/name).
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { isHubModelId } from '../model/hubIds';

export const DEMO_MODEL = 'demo';

/** A resolved model reference. */
export type ModelRef =
  | { readonly kind: 'demo'; readonly dir: string; readonly label: string }
  | { readonly kind: 'folder'; readonly dir: string; readonly label: string }
  | { readonly kind: 'hub'; readonly id: string; readonly label: string };

/** Raised for a model name that is neither the demo, an existing folder nor a hub id. */
export class ModelRefError extends Error {
  override readonly name = 'ModelRefError';
}

/** Folder of the shipped demo model, given the package root (the folder with package.json). */
export function demoModelDir(packageRoot: string): string {
  return join(packageRoot, 'models', 'demo');
}

/** Resolves a user's model name; relative folders are taken from `cwd`. */
export function resolveModelRef(name: string, packageRoot: string, cwd = process.cwd()): ModelRef {
  const trimmed = name.trim();
  // An empty name would resolve to the current folder and load it as a model.
  if (trimmed === '') throw new ModelRefError('the model name is empty; give "demo", a model folder or a Hugging Face model id like owner/name');
  if (trimmed === DEMO_MODEL) {
    const dir = demoModelDir(packageRoot);
    if (!existsSync(join(dir, 'config.json'))) throw new ModelRefError(`the demo model is missing from ${dir} (a broken install?)`);
    return { kind: 'demo', dir, label: DEMO_MODEL };
  }
  const path = isAbsolute(trimmed) ? trimmed : resolve(cwd, trimmed);
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new ModelRefError(`${path} is a file; a model is a folder with config.json, tokenizer files and onnx/`);
    return { kind: 'folder', dir: path, label: trimmed };
  }
  if (isHubModelId(trimmed) && !trimmed.startsWith('.') && !isAbsolute(trimmed)) return { kind: 'hub', id: trimmed, label: trimmed };
  throw new ModelRefError(`"${trimmed}" is neither "demo", an existing model folder, nor a Hugging Face model id like owner/name`);
}

/** What to pass to EngineClient.load for a resolved reference. */
export function loadTarget(ref: ModelRef): string {
  return ref.kind === 'hub' ? ref.id : ref.dir;
}
