// The manifest and the code name the same commands, settings and colours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandId, InternalCommandId, ColorId, PANEL_VIEW_TYPE, PROMPT_LANGUAGES, PROMPT_STUDIO_VIEW_TYPE, TRANSCRIPT_LANGUAGES } from '../../../src/extension/ids';
import { isRestricted, SETTINGS, SETTING_KEYS, settingProblem, toConfig, type SettingSpec } from '../../../src/extension/settings';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string }[];
    menus: { commandPalette: { command: string; when: string }[] };
    configuration: { properties: Record<string, { type: string; default: unknown; enum?: string[]; minimum?: number; maximum?: number; pattern?: string }> };
    colors: { id: string }[];
  };
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
}

const manifest = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as Manifest;
const ids = (o: object): string[] => Object.values(o).filter((v): v is string => typeof v === 'string');

test('every command id in ids.ts is contributed, and every contributed command is known', () => {
  const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
  const known = [...ids(CommandId), ...ids(InternalCommandId)];
  assert.deepEqual([...contributed].sort(), [...known].sort());
});

test('internal commands are hidden from the palette', () => {
  const hidden = new Set(manifest.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command));
  for (const id of ids(InternalCommandId)) assert.ok(hidden.has(id), `${id} should be hidden`);
});

test('settings.ts mirrors contributes.configuration', () => {
  const contributed = Object.keys(manifest.contributes.configuration.properties).sort();
  assert.deepEqual(contributed, Object.keys(SETTINGS).map((k) => `persona-lens.${k}`).sort());
});

test('each setting has the manifest\'s type, default, enum, bounds and pattern', () => {
  for (const key of SETTING_KEYS) {
    const spec: SettingSpec = SETTINGS[key];
    const m = manifest.contributes.configuration.properties[`persona-lens.${key}`];
    assert.ok(m, key);
    const declared = {
      type: spec.type,
      default: spec.default,
      ...('enum' in spec && spec.enum ? { enum: [...spec.enum] } : {}),
      ...('minimum' in spec && spec.minimum !== undefined ? { minimum: spec.minimum } : {}),
      ...('maximum' in spec && spec.maximum !== undefined ? { maximum: spec.maximum } : {}),
      ...('pattern' in spec && spec.pattern !== undefined ? { pattern: spec.pattern } : {}),
    };
    const inManifest = Object.fromEntries(Object.entries(m).filter(([k]) => ['type', 'default', 'enum', 'minimum', 'maximum', 'pattern'].includes(k)));
    assert.deepEqual(inManifest, declared, key);
    assert.equal(settingProblem(spec, spec.default), null, `${key}: the default fits its own declaration`);
  }
});

test('a value that does not fit its setting falls back to the default and is named', () => {
  const bad: Record<string, unknown> = { threads: 2.5, dtype: 'fp64', 'capping.layers': '2-x', offline: 'yes', maxFileSizeMB: 0, 'alarm.dropFromFirst': -1 };
  const { config, problems } = toConfig((k) => bad[k]);
  assert.equal(config.threads, 0);
  assert.equal(config.dtype, 'auto');
  assert.equal(config.cappingLayers, '');
  assert.equal(config.offline, false);
  assert.equal(config.maxFileSizeMB, 10);
  assert.equal(config.alarmDropFromFirst, 0);
  assert.equal(problems.length, 6);
  assert.match(problems.join('\n'), /persona-lens\.threads is not a whole number \(2\.5\); using 0/);
  assert.match(problems.join('\n'), /persona-lens\.dtype is not one of auto, fp32/);
  const good = toConfig((k) => (k === 'capping.layers' ? '2-3, 5' : k === 'threads' ? 2 : undefined));
  assert.deepEqual(good.problems, []);
  assert.equal(good.config.cappingLayers, '2-3, 5');
  assert.equal(good.config.threads, 2);
});

test('restricted settings are the ones declared restricted in the manifest', () => {
  const restricted = SETTING_KEYS.filter((k) => isRestricted(k)).map((k) => `persona-lens.${k}`);
  assert.deepEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), restricted.sort());
});

test('colour ids are contributed and the panel activates its view type', () => {
  const colors = new Set(manifest.contributes.colors.map((c) => c.id));
  for (const id of ids(ColorId)) assert.ok(colors.has(id), id);
  assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${PANEL_VIEW_TYPE}`));
  assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${PROMPT_STUDIO_VIEW_TYPE}`));
  assert.ok(!manifest.activationEvents.includes('*'));
});

test('the extension activates on every language it reads transcripts or prompts in', () => {
  const languages = manifest.activationEvents.filter((e) => e.startsWith('onLanguage:')).map((e) => e.slice('onLanguage:'.length));
  assert.deepEqual([...languages].sort(), [...TRANSCRIPT_LANGUAGES, ...PROMPT_LANGUAGES].sort());
});
