// The token-heat shades sit behind the theme's own text: with every default (dark, light, both
// high-contrast kinds) the editor's text keeps WCAG AA contrast (4.5:1) on the shaded background,
// and the shades are ordered (role darker/stronger than assistant) so heat reads as heat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ColorId } from '../../../src/extension/ids';

const manifest = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as {
  contributes: { colors: { id: string; defaults: Record<string, string> }[] };
};

/** Editor background and foreground of the default theme of each kind (VS Code 1.100). */
const THEMES: Record<string, { bg: string; fg: string }> = {
  dark: { bg: '#1f1f1f', fg: '#cccccc' },
  light: { bg: '#ffffff', fg: '#3b3b3b' },
  highContrast: { bg: '#000000', fg: '#ffffff' },
  highContrastLight: { bg: '#ffffff', fg: '#292929' },
};

function rgba(hex: string): [number, number, number, number] {
  const m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(hex);
  assert.ok(m, `${hex} is not a #rrggbb[aa] colour`);
  const n = parseInt(m[1] as string, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, m[2] ? parseInt(m[2], 16) / 255 : 1];
}

function luminance([r, g, b]: readonly number[]): number {
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r as number) + 0.7152 * lin(g as number) + 0.0722 * lin(b as number);
}

function over(top: string, bottom: string): number[] {
  const [r, g, b, a] = rgba(top);
  const [R, G, B] = rgba(bottom);
  return [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
}

function contrast(a: readonly number[], b: readonly number[]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const HEAT: string[] = [ColorId.heatAssistant, ColorId.heatDrifting, ColorId.heatDeepDrifting, ColorId.heatRole];

test('heat shades keep the theme text readable and grow stronger toward the role zone', () => {
  for (const id of HEAT) {
    const c = manifest.contributes.colors.find((x) => x.id === id);
    assert.ok(c, `${id} is contributed`);
    for (const [kind, theme] of Object.entries(THEMES)) {
      const hex = c.defaults[kind];
      assert.ok(hex, `${id} has a ${kind} default`);
      const ratio = contrast(over(hex, theme.bg), rgba(theme.fg));
      assert.ok(ratio >= 4.5, `${id} (${kind}, ${hex}): text contrast ${ratio.toFixed(2)} < 4.5`);
    }
  }
  for (const kind of Object.keys(THEMES)) {
    const alphas = HEAT.map((id) => rgba(manifest.contributes.colors.find((x) => x.id === id)?.defaults[kind] ?? '#000000')[3]);
    assert.deepEqual([...alphas].sort((a, b) => a - b), alphas, `${kind}: shades should strengthen toward role (${alphas.join(', ')})`);
    assert.ok((alphas[0] as number) > 0, `${kind}: the assistant shade is visible`);
  }
});
