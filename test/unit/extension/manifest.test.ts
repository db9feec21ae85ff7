// The manifest and the code name the same commands, settings and colours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandId, InternalCommandId, ColorId, PANEL_VIEW_TYPE } from '../../../src/extension/ids';
import { SETTINGS } from '../../../src/extension/settings';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string }[];
    menus: { commandPalette: { command: string; when: string }[] };
    configuration: { properties: Record<string, unknown> };
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

test('restricted settings are the ones declared restricted in the manifest', () => {
  const restricted = Object.entries(SETTINGS).filter(([, s]) => s.restricted).map(([k]) => `persona-lens.${k}`);
  assert.deepEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), restricted.sort());
});

test('colour ids are contributed and the panel activates its view type', () => {
  const colors = new Set(manifest.contributes.colors.map((c) => c.id));
  for (const id of ids(ColorId)) assert.ok(colors.has(id), id);
  assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${PANEL_VIEW_TYPE}`));
  assert.ok(!manifest.activationEvents.includes('*'));
});
