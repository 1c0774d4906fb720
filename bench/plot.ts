// A two-panel chart of the run as SVG (rows queryable over time; latency of each probe), converted to PNG with
// rsvg-convert when it is installed (Debian package librsvg2-bin).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface Series { label: string; color: string; points: [number, number][]; dots?: boolean; dashed?: boolean }
export interface Panel { title: string; xLabel: string; yLabel: string; series: Series[]; hLines?: { y: number; label: string; color: string }[] }

const W = 960, PH = 340, M = { l: 80, r: 30, t: 36, b: 46 };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const fmt = (v: number) => (Math.abs(v) >= 1e6 ? `${+(v / 1e6).toFixed(1)}M` : Math.abs(v) >= 1e3 ? `${+(v / 1e3).toFixed(1)}k` : `${+v.toFixed(2)}`);

/** Round tick step near range/5: 1, 2 or 5 times a power of ten. */
function step(range: number): number {
  const raw = range / 5 || 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

function panel(pn: Panel, top: number): string {
  const all = pn.series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map(([x]) => x));
  const yMax = Math.max(1, ...all.map(([, y]) => y), ...(pn.hLines ?? []).map((h) => h.y)) * 1.05;
  const pw = W - M.l - M.r, ph = PH - M.t - M.b;
  const X = (x: number) => M.l + (x / xMax) * pw;
  const Y = (y: number) => top + M.t + ph - (y / yMax) * ph;
  const out: string[] = [`<text x="${M.l}" y="${top + 22}" font-size="15" font-weight="bold">${esc(pn.title)}</text>`];
  out.push(`<rect x="${M.l}" y="${top + M.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (let x = 0, s = step(xMax); x <= xMax; x += s) {
    out.push(`<line x1="${X(x)}" x2="${X(x)}" y1="${top + M.t}" y2="${top + M.t + ph}" stroke="#eee"/><text x="${X(x)}" y="${top + M.t + ph + 16}" font-size="11" text-anchor="middle">${fmt(x)}</text>`);
  }
  for (let y = 0, s = step(yMax); y <= yMax; y += s) {
    out.push(`<line x1="${M.l}" x2="${M.l + pw}" y1="${Y(y)}" y2="${Y(y)}" stroke="#eee"/><text x="${M.l - 6}" y="${Y(y) + 4}" font-size="11" text-anchor="end">${fmt(y)}</text>`);
  }
  out.push(`<text x="${M.l + pw / 2}" y="${top + PH - 8}" font-size="12" text-anchor="middle">${esc(pn.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${top + M.t + ph / 2}) rotate(-90)" font-size="12" text-anchor="middle">${esc(pn.yLabel)}</text>`);
  for (const h of pn.hLines ?? []) {
    out.push(`<line x1="${M.l}" x2="${M.l + pw}" y1="${Y(h.y)}" y2="${Y(h.y)}" stroke="${h.color}" stroke-dasharray="6 4"/><text x="${M.l + pw - 4}" y="${Y(h.y) - 4}" font-size="11" text-anchor="end" fill="${h.color}">${esc(h.label)}</text>`);
  }
  pn.series.forEach((s, i) => {
    if (s.dots) for (const [x, y] of s.points) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="1.6" fill="${s.color}" fill-opacity="0.6"/>`);
    else out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''} points="${s.points.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
    out.push(`<rect x="${M.l + 12}" y="${top + M.t + 10 + i * 18}" width="12" height="12" fill="${s.color}"/><text x="${M.l + 30}" y="${top + M.t + 20 + i * 18}" font-size="12">${esc(s.label)}</text>`);
  });
  return out.join('\n');
}

export function svgChart(panels: Panel[], caption: string): string {
  const h = panels.length * PH + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" font-family="DejaVu Sans, sans-serif">
<rect width="100%" height="100%" fill="white"/>
${panels.map((p, i) => panel(p, i * PH)).join('\n')}
<text x="${M.l}" y="${h - 10}" font-size="11" fill="#555">${esc(caption)}</text>
</svg>`;
}

/** Writes `<base>.svg` and, if rsvg-convert is available, `<base>.png`; returns the PNG path or null. */
export function writeChart(base: string, svg: string): string | null {
  writeFileSync(`${base}.svg`, svg);
  try {
    execFileSync('rsvg-convert', ['-b', 'white', '-o', `${base}.png`, `${base}.svg`], { stdio: 'ignore' });
    return `${base}.png`;
  } catch {
    return null;
  }
}
