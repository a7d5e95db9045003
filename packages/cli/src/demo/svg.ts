/**
 * `--svg`: heatmaps as a hand-written SVG document (no dependency). Each panel colours an entry
 * by its sign (red > 0, blue < 0, white = 0) with intensity √(|v| / max|v|) within the panel, so
 * that small entries stay visible next to large ones.
 */
import { fmt } from '../format.js';

export interface Panel {
  readonly title: string;
  readonly rows: number;
  readonly cols: number;
  readonly get: (i: number, j: number) => number;
  readonly rowLabels: readonly string[];
  readonly colLabels: readonly string[];
  /** Pixel size of a cell. */
  readonly cell: number;
  /** Print each entry's value in its cell. */
  readonly annotate?: boolean;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Blend white towards an RGB colour by t ∈ [0, 1]. */
function blend(rgb: readonly [number, number, number], t: number): string {
  const c = rgb.map((v) => Math.round(255 + (v - 255) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
const RED = [178, 24, 43] as const;
const BLUE = [33, 102, 172] as const;

function colour(v: number, max: number): string {
  if (!Number.isFinite(v)) return 'rgb(160,160,160)';
  if (v === 0 || max === 0) return 'rgb(255,255,255)';
  const t = Math.sqrt(Math.min(1, Math.abs(v) / max));
  return blend(v > 0 ? RED : BLUE, t);
}

function panelSvg(p: Panel, x0: number, y0: number): string[] {
  const out: string[] = [];
  let max = 0;
  for (let i = 0; i < p.rows; i++) for (let j = 0; j < p.cols; j++) if (Number.isFinite(p.get(i, j))) max = Math.max(max, Math.abs(p.get(i, j)));
  const labelSize = Math.max(6, Math.min(12, p.cell * 0.7));
  out.push(`<g transform="translate(${x0},${y0})">`);
  out.push(`<text x="0" y="-28" font-size="14" font-weight="bold">${esc(p.title)}</text>`);
  out.push(`<text x="0" y="-12" font-size="10" fill="#555">max |entry| = ${esc(fmt(max, 6))}; red &gt; 0, blue &lt; 0, white = 0</text>`);
  for (let i = 0; i < p.rows; i++) {
    for (let j = 0; j < p.cols; j++) {
      const v = p.get(i, j);
      out.push(`<rect x="${j * p.cell}" y="${i * p.cell}" width="${p.cell}" height="${p.cell}" fill="${colour(v, max)}" stroke="#e0e0e0" stroke-width="0.5"><title>(${esc(p.rowLabels[i] ?? '')}, ${esc(p.colLabels[j] ?? '')}) = ${esc(fmt(v))}</title></rect>`);
      if (p.annotate) {
        const dark = Math.abs(v) / (max || 1) > 0.5;
        out.push(`<text x="${(j + 0.5) * p.cell}" y="${(i + 0.5) * p.cell + 4}" font-size="11" text-anchor="middle" fill="${dark ? '#fff' : '#000'}">${esc(fmt(v, 4))}</text>`);
      }
    }
  }
  for (let i = 0; i < p.rows; i++) {
    out.push(`<text x="-4" y="${(i + 0.5) * p.cell + labelSize / 3}" font-size="${labelSize}" text-anchor="end">${esc(p.rowLabels[i] ?? '')}</text>`);
  }
  for (let j = 0; j < p.cols; j++) {
    out.push(`<text x="${(j + 0.5) * p.cell}" y="${p.rows * p.cell + labelSize + 2}" font-size="${labelSize}" text-anchor="middle">${esc(p.colLabels[j] ?? '')}</text>`);
  }
  out.push('</g>');
  return out;
}

/** An SVG document with the panels side by side. */
export function heatmapsSvg(title: string, panels: readonly Panel[]): string {
  const margin = 50;
  const gap = 70;
  let x = margin;
  const placed: { p: Panel; x: number }[] = [];
  for (const p of panels) {
    placed.push({ p, x });
    x += p.cols * p.cell + gap;
  }
  const width = x - gap + margin;
  const height = 70 + Math.max(...panels.map((p) => p.rows * p.cell)) + 40;
  const body = placed.flatMap(({ p, x: px }) => panelSvg(p, px, 70));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin}" y="22" font-size="15">${esc(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
