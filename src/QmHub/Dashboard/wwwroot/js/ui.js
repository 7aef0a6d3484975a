// DOM building, formatting, tables, KPI cards and charts shared by every page.

/** Creates an element: h('a', {href: '/x', class: 'y'}, 'text', child...). Strings become text nodes (never HTML). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const LOCALE = 'en-US';
const count = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const two = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const DASH = '—';

/** Formatters by kind; each takes the API's number (or null) and returns the text shown. */
export const fmt = {
  count: (v) => (v === null || v === undefined ? DASH : count.format(v)),
  pct: (v) => (v === null || v === undefined ? DASH : `${one.format(v)}%`),
  share: (v) => (v === null || v === undefined ? DASH : `${one.format(v * 100)}%`),
  score: (v) => (v === null || v === undefined ? DASH : one.format(v)),
  rate: (v) => (v === null || v === undefined ? DASH : two.format(v)),
  ratio: (v) => (v === null || v === undefined ? DASH : two.format(v)),
  seconds: (v) => {
    if (v === null || v === undefined) return DASH;
    const s = Math.round(v);
    const m = Math.floor(s / 60);
    return m >= 60 ? `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m` : `${m}:${String(s % 60).padStart(2, '0')}`;
  },
};

/** A change against the previous period: text, and whether it is good, bad or neutral. */
export function change(value, kind, goodWhenUp = true) {
  if (value === null || value === undefined) return { text: 'no previous data', tone: 'neutral' };
  const shown = kind === 'share' ? value * 100 : value;
  if (kind === 'count' ? value === 0 : kind === 'rate' ? Math.abs(shown) < 0.005 : Math.abs(shown) < 0.05) return { text: 'no change', tone: 'neutral' };
  const arrow = value > 0 ? '▲' : '▼';
  const abs = Math.abs(value);
  const amount = kind === 'pct' ? `${one.format(abs)} pts`
    : kind === 'share' ? `${one.format(abs * 100)} pts`
    : kind === 'score' ? one.format(abs)
    : kind === 'seconds' ? fmt.seconds(abs)
    : kind === 'rate' ? two.format(abs) : count.format(abs);
  const tone = goodWhenUp === null ? 'neutral' : (value > 0) === goodWhenUp ? 'good' : 'bad';
  return { text: `${arrow} ${amount}`, tone, arrow, amount, word: value > 0 ? 'up' : 'down' };
}

/** A change as nodes: the arrow for the eye, "up"/"down" for a screen reader. */
function changeNodes(c) {
  return c.arrow
    ? [h('span', { 'aria-hidden': 'true' }, `${c.arrow} `), h('span', { class: 'visually-hidden' }, `${c.word} `), c.amount]
    : [c.text];
}

/** The metrics the pages show, with their label, unit kind and which way is good. */
export const METRICS = {
  interactions: { label: 'Interactions', kind: 'count', good: null },
  qa_score_pct: { label: 'QA score', kind: 'pct', good: true },
  coverage: { label: 'Coverage', kind: 'share', good: true },
  sentiment_avg: { label: 'Sentiment', kind: 'score', good: true },
  engagement_avg: { label: 'Engagement', kind: 'score', good: true },
  handle_time_s_avg: { label: 'Avg handle time', kind: 'seconds', good: null },
  below_sentiment_target_share: { label: 'Below sentiment target', kind: 'share', good: false },
  evaluations: { label: 'Evaluations', kind: 'count', good: null },
  silence_per_interaction: { label: 'Silence / interaction', kind: 'rate', good: false },
  hold_per_interaction: { label: 'Hold / interaction', kind: 'rate', good: false },
  crosstalk_per_interaction: { label: 'Crosstalk / interaction', kind: 'rate', good: false },
  silence_per_10min: { label: 'Silence / 10 min', kind: 'rate', good: false },
  hold_per_10min: { label: 'Hold / 10 min', kind: 'rate', good: false },
  crosstalk_per_10min: { label: 'Crosstalk / 10 min', kind: 'rate', good: false },
};

/** The column of the share below the sentiment target, naming the target in use (the API's period.sentiment_target). */
export function belowTargetLabel(target) {
  return {
    label: `Below sentiment target (< ${target})`,
    title: `Share of interactions whose sentiment score is below ${target}, the sentiment target (Zoom recommends above 61; change it with Sentiment target)`,
  };
}

/** The queue row without a queue whose figures are only evaluations: their interaction has not arrived yet. */
export const AWAITING_INTERACTION = {
  label: 'Evaluations awaiting their interaction',
  title: 'evaluations whose interaction has not arrived yet. They count in no queue, by their own time, until it arrives; then they move to its queue.',
};

export function show(metric, value) {
  return fmt[METRICS[metric].kind](value);
}

/** KPI cards for a report row: value, and its change against the previous period. */
export function kpis(row, metrics) {
  return h('ul', { class: 'kpis', 'aria-label': 'Key figures' }, metrics.map((m) => {
    const def = METRICS[m];
    const c = change(row.change?.[m], def.kind, def.good);
    return h('li', { class: 'kpi', dataset: { metric: m } },
      h('span', { class: 'kpi-label' }, def.label),
      h('span', { class: 'kpi-value', dataset: { value: row[m] ?? '' } }, show(m, row[m])),
      h('span', { class: `kpi-change tone-${c.tone}` }, changeNodes(c),
        row.previous && row.previous[m] !== null && row.previous[m] !== undefined
          ? h('span', { class: 'kpi-prev' }, ` (was ${show(m, row.previous[m])})`) : null));
  }));
}

/**
 * A table that reads well on a phone (each row becomes a card with labelled cells).
 * columns: [{key, label, cell(row) -> Node|string, num?: bool, sort?: string}], sort: {key, dir, href(key)} or null.
 */
export function table(caption, columns, rows, { sort = null, empty = 'Nothing in this period.', id = null } = {}) {
  if (rows.length === 0) return emptyState(empty);
  const head = h('tr', null, columns.map((c) => {
    const active = sort && c.sort && sort.key === c.sort;
    const ariaSort = active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : c.sort ? 'none' : null;
    const label = c.sort && sort
      ? h('a', { href: sort.href(c.sort), class: 'sort', 'data-nav': true },
        c.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'))
      : c.label;
    return h('th', { scope: 'col', class: c.num ? 'num' : null, 'aria-sort': ariaSort, title: c.title }, label);
  }));
  const body = rows.map((r) => h('tr', null, columns.map((c, i) => {
    const content = c.cell(r);
    return i === 0
      ? h('th', { scope: 'row', class: c.num ? 'num' : null, 'data-label': c.label, dataset: { col: c.key } }, content)
      : h('td', { class: c.num ? 'num' : null, 'data-label': c.label, dataset: { col: c.key } }, content);
  })));
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data', id },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, head), h('tbody', null, body)));
}

/** A numeric cell that keeps the raw value for tests and tools. */
export function num(metric, value) {
  return h('span', { dataset: { value: value ?? '' } }, show(metric, value));
}

export function changeCell(metric, value) {
  const def = METRICS[metric];
  const c = change(value, def.kind, def.good);
  return h('span', { class: `tone-${c.tone}`, dataset: { value: value ?? '' } }, value === null || value === undefined ? DASH : changeNodes(c));
}

export function emptyState(text) {
  return h('p', { class: 'empty' }, text);
}

export function section(title, ...children) {
  const id = 'sec-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

export function badge(text, tone) {
  return h('span', { class: `badge badge-${tone}` }, text);
}

/** A date-time shown in the report's zone. */
export function when(iso, tz) {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALE, { timeZone: tz || 'UTC', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

/** The local day of a bucket start such as 2026-11-23T00:00:00-05:00, as "Nov 23". */
export function dayLabel(iso) {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALE, { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/**
 * The label of a trend bucket ({start, from, to, partial} from the API): a day as "Nov 23", a week as the days it
 * covers, "Nov 16–22"; a bucket the period cuts shows only its days inside the period and says "(partial)".
 */
export function bucketLabel(bucket, weekly) {
  const first = (bucket.from ?? bucket.start).slice(0, 10);
  const end = bucket.to ?? null;
  const last = end === null ? first : end.slice(11, 19) === '00:00:00' ? shiftDate(end.slice(0, 10), -1) : end.slice(0, 10);
  const suffix = bucket.partial ? ' (partial)' : '';
  if (!weekly || last <= first) return dayLabel(first) + suffix;
  const lastText = last.slice(5, 7) === first.slice(5, 7) ? String(Number(last.slice(8, 10))) : dayLabel(last);
  return `${dayLabel(first)}–${lastText}${suffix}`;
}

function shiftDate(date, days) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const PALETTE = ['#1f4fd1', '#c2410c', '#0f766e', '#7c3aed', '#b91c1c', '#4d7c0f', '#a16207', '#be185d'];
export const colour = (i) => PALETTE[i % PALETTE.length];

/**
 * A Chart.js chart in a figure with a caption. datasets: [{label, data, type?, axis?: 'y'|'y2', colour?}];
 * axes: {y: 'QA score (%)', y2?: 'Interactions (count)'}; x is a category axis of labels.
 */
export function chart(title, labels, datasets, axes, { type = 'line', description = '' } = {}) {
  const canvas = h('canvas', { role: 'img', 'aria-label': `${title}. ${description}`.trim() });
  const figure = h('figure', { class: 'chart' }, h('figcaption', null, title), h('div', { class: 'chart-box' }, canvas));
  if (labels.length === 0) {
    figure.querySelector('.chart-box').replaceWith(emptyState('No data in this period.'));
    return figure;
  }
  const Chart = window.Chart;
  const scales = {
    x: { title: { display: true, text: axes.x ?? 'Day' }, grid: { display: false }, ticks: { color: '#3d4756' } },
    y: { title: { display: true, text: axes.y }, beginAtZero: axes.yZero ?? true, ticks: { color: '#3d4756' }, grid: { color: '#e6eaf0' } },
  };
  if (axes.y2) {
    scales.y2 = { position: 'right', title: { display: true, text: axes.y2 }, beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { color: '#3d4756' } };
  }
  if (axes.max) scales.y.max = axes.max;
  pending.push({ canvas, draw: () => {
    // Drawn once the canvas is in the page (Chart.js measures its box).
    const instance = new Chart(canvas, {
      type,
      data: {
        labels,
        datasets: datasets.map((d, i) => ({
          label: d.label,
          data: d.data,
          type: d.type,
          yAxisID: d.axis ?? 'y',
          borderColor: d.colour ?? colour(i),
          backgroundColor: (d.type ?? type) === 'bar' ? (d.colour ?? colour(i)) + '55' : d.colour ?? colour(i),
          borderWidth: 2,
          pointRadius: labels.length > 40 ? 0 : 2.5,
          tension: 0.25,
          spanGaps: true,
          order: (d.type ?? type) === 'bar' ? 2 : 1,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { position: 'bottom', labels: { color: '#1b2330', boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: (ctx) => `${ctx.dataset.label}: ${datasets[ctx.datasetIndex].format ? datasets[ctx.datasetIndex].format(ctx.parsed.y) : ctx.formattedValue}`,
            },
          },
        },
        scales: type === 'doughnut' ? {} : scales,
      },
    });
    charts.push(instance);
  } });
  return figure;
}

const charts = [];
let pending = [];
/** Frees the previous page's charts. */
export function disposeCharts() {
  while (charts.length) charts.pop().destroy();
}

/** Draws the charts of the page just put in the document. */
export function drawCharts() {
  const draw = pending;
  pending = [];
  for (const p of draw) if (p.canvas.isConnected) p.draw();
}

/** Forgets the charts of a page that was never shown. */
export function dropCharts() {
  pending = [];
}

/** A horizontal bar chart of a mix (name -> interactions). */
export function mixChart(title, mix) {
  const entries = Object.entries(mix ?? {}).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((s, [, v]) => s + v, 0);
  const list = h('ul', { class: 'mix-list' }, entries.map(([name, value]) => h('li', null,
    h('span', { class: 'mix-name' }, name),
    h('span', { class: 'mix-bar', 'aria-hidden': 'true' }, h('span', { class: 'mix-fill', style: `width:${total ? (100 * value) / total : 0}%` })),
    h('span', { class: 'mix-value', dataset: { value } }, `${fmt.count(value)} · ${total ? one.format((100 * value) / total) : 0}%`))));
  return h('figure', { class: 'mix' }, h('figcaption', null, title), entries.length ? list : emptyState('No interactions.'));
}

/**
 * Downloads the rows of an API CSV export whose first two columns (account_id, id) are in keys, in the order of keys:
 * the export of what a view shows. Each row is the API's line as it came.
 */
export async function downloadCsvRows(url, filename, keys, link) {
  link.setAttribute('aria-busy', 'true');
  link.parentElement.querySelector('.export-problem')?.remove();
  try {
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/csv' } });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const [header, ...records] = csvRecords(await response.text());
    const byKey = new Map(records.map((r) => [`${r.fields[0]}\u001f${r.fields[1]}`, r.raw]));
    const lines = [header.raw, ...keys.map(([account, id]) => byKey.get(`${account}\u001f${id}`)).filter((l) => l !== undefined)];
    const href = URL.createObjectURL(new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' }));
    const a = h('a', { href, download: filename, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
  } catch (error) {
    link.after(h('span', { class: 'form-error export-problem', role: 'alert' }, `Export failed: ${error.message}. Try again.`));
  } finally {
    link.removeAttribute('aria-busy');
  }
}

/** RFC 4180 records: each with its fields and its raw text (without the line break). */
export function csvRecords(text) {
  const records = [];
  let fields = [];
  let field = '';
  let quoted = false;
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
    } else if (c === '"') {
      quoted = true;
      i += 1;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' || c === '\n') {
      fields.push(field);
      records.push({ fields, raw: text.slice(start, i) });
      fields = [];
      field = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      start = i;
    } else {
      field += c;
      i += 1;
    }
  }
  if (start < text.length) {
    fields.push(field);
    records.push({ fields, raw: text.slice(start) });
  }
  return records;
}
