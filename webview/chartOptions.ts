/** What the panel's charts share: static {x, y} data drawn once per render, in the theme's text and grid colours. */
import type { ChartColors } from './theme';

/** Chart-level options: no animation (re-rendered on every data or theme message), pre-parsed points. */
export function baseOptions(colors: ChartColors): {
  animation: false;
  responsive: true;
  maintainAspectRatio: false;
  parsing: false;
  color: string;
} {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    color: colors.text,
  };
}

/** A titled axis in the theme's colours; `ticks` adds to the coloured ticks (e.g. integer steps). */
export function themedAxis(
  title: string,
  colors: ChartColors,
  ticks: { precision?: number; stepSize?: number } = {},
): {
  title: { display: true; text: string; color: string };
  ticks: { color: string; precision?: number; stepSize?: number };
  grid: { color: string };
} {
  return {
    title: { display: true, text: title, color: colors.text },
    ticks: { color: colors.text, ...ticks },
    grid: { color: colors.grid },
  };
}
