/** Select Model: the demo, the model catalogue (with sizes, licence, rewrite support, cached axes), a hub id or a folder. */
import * as vscode from 'vscode';
import {
  CATALOGUE,
  describeEntry,
  formatSize,
  SUPPORT_TEXT,
  type CatalogueEntry,
} from '../core/models/catalogue';
import { cachedAxisDtypes } from '../engine/cachedAxes';
import type { Config } from './config';
import { CONFIG_SECTION } from './ids';

type Choice = vscode.QuickPickItem & {
  readonly value?: 'demo' | 'hub' | 'folder';
  readonly entry?: CatalogueEntry;
};

const SUPPORT_ICON: Readonly<Record<CatalogueEntry['support'], string>> = {
  tested: '$(pass)',
  'pattern-known': '$(circle-large-outline)',
  unknown: '$(question)',
};

/** The quick pick's items: the demo, the catalogue (each with its facts), then a hub id or a folder. */
export function modelChoices(axes: ReadonlyMap<string, readonly string[]>, current: string): Choice[] {
  const sizes = (e: CatalogueEntry): string =>
    e.files.map((f) => `${f.dtype} ${formatSize(f.sizeMB)}`).join(' · ');
  return [
    { label: 'demo', description: 'The small demo model shipped with Persona Lens (offline)', value: 'demo' },
    { label: 'Catalogue', kind: vscode.QuickPickItemKind.Separator },
    ...CATALOGUE.map((e): Choice => ({
      label: `${SUPPORT_ICON[e.support]} ${e.label}`,
      description: `${e.id}${e.id === current ? ' (current)' : ''}${(axes.get(e.id) ?? []).length > 0 ? ` · axis cached (${(axes.get(e.id) ?? []).join(', ')})` : ''}`,
      detail: `${describeEntry(e)} · rewrite: ${SUPPORT_TEXT[e.support]} · ${sizes(e)}${e.note ? ` · ${e.note}` : ''}`,
      entry: e,
    })),
    { label: 'Other', kind: vscode.QuickPickItemKind.Separator },
    {
      label: 'Hugging Face model id…',
      description: 'e.g. HuggingFaceTB/SmolLM2-360M-Instruct',
      value: 'hub',
    },
    {
      label: 'Local model folder…',
      description: 'A folder with config.json, tokenizer files and onnx/',
      value: 'folder',
    },
  ];
}

/**
 * Asks for a model and writes `persona-lens.model` (and, for a catalogue entry, `persona-lens.dtype`);
 * the engine loads it on the settings change, downloading a hub model with its progress and cancel.
 */
export async function selectModel(config: Config, cacheDir: string, offerAxis: (model: string) => Promise<void>): Promise<void> {
  const current = config.value.model;
  const axes = cachedAxisDtypes(cacheDir);
  const pick = await vscode.window.showQuickPick(modelChoices(axes, current), {
    title: `Persona Lens: select model (current: ${current})`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!pick) return;
  const settings = vscode.workspace.getConfiguration(CONFIG_SECTION);
  if (pick.entry) {
    const entry = pick.entry;
    const dtype = await vscode.window.showQuickPick(
      entry.files.map((f) => ({
        label: f.dtype,
        description: formatSize(f.sizeMB),
        picked: f.dtype === config.value.dtype,
      })),
      { title: `${entry.label}: weights to download (persona-lens.dtype)` },
    );
    if (!dtype) return;
    await settings.update('dtype', dtype.label, vscode.ConfigurationTarget.Global);
    await settings.update('model', entry.id, vscode.ConfigurationTarget.Global);
    // Values need an axis: offer to compute one, with how long it takes here.
    if (!(axes.get(entry.id) ?? []).includes(dtype.label)) await offerAxis(entry.id);
    return;
  }
  let model: string | undefined = pick.value;
  if (pick.value === 'hub') {
    model = await vscode.window.showInputBox({
      title: 'Hugging Face model id',
      value:
        current.includes('/') && !current.startsWith('/') ? current : 'HuggingFaceTB/SmolLM2-360M-Instruct',
      validateInput: (s) => (/^[\w.-]+\/[\w.-]+$/.test(s.trim()) ? null : 'Expected owner/name'),
    });
  } else if (pick.value === 'folder') {
    const uris = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Use this model',
    });
    model = uris?.[0]?.fsPath;
  }
  if (!model) return;
  await settings.update('model', model.trim(), vscode.ConfigurationTarget.Global);
}
