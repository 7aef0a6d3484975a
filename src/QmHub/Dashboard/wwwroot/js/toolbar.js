// The period picker (with time zone), the filters and the export button that every report page shows.
import { h } from './ui.js';
import { apiUrl } from './api.js';

/** The API's report filters. */
export const REPORT_FILTERS = ['account_id', 'queue_id', 'agent', 'channel_type', 'direction'];
export const CHANNELS = ['AUDIO', 'VIDEO', 'WEB_CHAT', 'SMS', 'MANUAL'];
export const DIRECTIONS = ['inbound', 'outbound'];

/** The chart interval filter (the API's interval=day|week) and its words. */
export const INTERVAL_FILTER = { name: 'interval', label: 'Charts by', options: [['week', 'Week']], any: 'Day' };
export function intervalWords(params) {
  return params.get('interval') === 'week'
    ? { unit: 'Week', by: 'by week', per: 'per week', values: 'Weekly values (weeks start on Monday)' }
    : { unit: 'Day', by: 'by day', per: 'per day', values: 'Daily values' };
}

/** The queues of a /queues answer as select options (id, name); the row of no queue left out. */
export function queueOptions(answer) {
  return answer.items.filter((r) => r.queue.id).map((r) => [r.queue.id, r.queue.name ?? r.queue.id]);
}

/** The query the API gets for a report: the period, the filters and the sentiment target from the page's URL. */
export function reportQuery(params, extra = []) {
  const q = new URLSearchParams();
  for (const k of ['from', 'to', 'tz', ...REPORT_FILTERS, 'sentiment_target', ...extra]) {
    const v = params.get(k);
    if (v) q.set(k, v);
  }
  return q;
}

/** Today's date (YYYY-MM-DD) in a zone. */
export function today(tz) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export function addDays(date, days) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function zones(current) {
  let all = [];
  try { all = Intl.supportedValuesOf('timeZone'); } catch { all = []; }
  const set = new Set(['UTC', current, ...all]);
  return [...set].filter(Boolean);
}

/**
 * The toolbar form. period: the API answer's period ({from, to, tz}); filters: [{name, label, options?|type}];
 * exportPath/exportQuery: the API list to export as CSV (null for none); keep: client-side parameters kept on apply.
 */
export function toolbar(ctx, period, { filters = [], exportPath = null, exportQuery = null, exportLabel = 'Export CSV', keep = [] } = {}) {
  const { params } = ctx;
  const tz = params.get('tz') || period?.tz || 'UTC';
  const from = period ? period.from.slice(0, 10) : (params.get('from') ?? '').slice(0, 10);
  const toIso = period ? period.to : params.get('to') ?? '';
  const through = toIso ? (toIso.length <= 10 || toIso.slice(11, 19) === '00:00:00' ? addDays(toIso.slice(0, 10), -1) : toIso.slice(0, 10)) : '';

  const problem = h('p', { class: 'form-error', id: 'period-problem', role: 'alert', hidden: true });
  const showProblem = (form, text) => {
    problem.textContent = text;
    problem.hidden = !text;
    for (const name of ['from', 'through']) {
      const input = form.elements.namedItem(name);
      if (text) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', 'period-problem');
      } else {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
    }
  };
  const go = (values) => {
    const q = new URLSearchParams();
    for (const k of keep) if (params.get(k)) q.set(k, params.get(k));
    for (const [k, v] of Object.entries(values)) if (v) q.set(k, v);
    ctx.navigate(`${location.pathname}?${q}`);
  };
  const collect = (form) => {
    const data = new FormData(form);
    const values = {};
    for (const f of filters) values[f.name] = String(data.get(f.name) ?? '').trim();
    const tzValue = String(data.get('tz') || 'UTC');
    values.tz = tzValue;
    const f = String(data.get('from') || '');
    const t = String(data.get('through') || '');
    if (f) values.from = f;
    if (t) values.to = addDays(t, 1);
    return values;
  };
  const preset = (days) => (event) => {
    const form = event.target.form;
    const values = collect(form);
    const end = today(values.tz);
    values.from = addDays(end, -(days - 1));
    values.to = addDays(end, 1);
    go(values);
  };

  const filterFields = filters.map((f) => {
    const id = `filter-${f.name}`;
    const value = params.get(f.name) ?? '';
    const control = f.options
      ? h('select', { id, name: f.name }, h('option', { value: '' }, f.any ?? 'All'),
        f.options.map((o) => {
          const [v, label] = Array.isArray(o) ? o : [o, o];
          return h('option', { value: v, selected: v === value }, label);
        }))
      : h('input', { id, name: f.name, type: f.type ?? 'text', value, placeholder: f.placeholder, step: f.step, min: f.min, max: f.max, inputmode: f.type === 'number' ? 'decimal' : null });
    return h('div', { class: 'field' }, h('label', { for: id }, f.label), control);
  });

  const submit = (event) => {
    event.preventDefault();
    const form = event.target;
    const f = String(new FormData(form).get('from') || '');
    const t = String(new FormData(form).get('through') || '');
    if (f && t && f > t) {
      showProblem(form, `From (${longDate(f)}) is after Through (${longDate(t)}): choose a From on or before Through. Through is the last day included.`);
      form.elements.namedItem('from').focus();
      return;
    }
    showProblem(form, '');
    go(collect(form));
  };
  const form = h('form', { class: 'toolbar', 'aria-label': 'Period and filters', onsubmit: submit, oninput: (event) => {
    if (!problem.hidden && ['from', 'through'].includes(event.target.name)) showProblem(event.currentTarget, '');
  } },
    h('fieldset', { class: 'period' },
      h('legend', null, 'Period'),
      h('div', { class: 'field' }, h('label', { for: 'period-from' }, 'From'), h('input', { id: 'period-from', name: 'from', type: 'date', value: from })),
      h('div', { class: 'field' }, h('label', { for: 'period-through' }, 'Through'), h('input', { id: 'period-through', name: 'through', type: 'date', value: through })),
      h('div', { class: 'field' }, h('label', { for: 'period-tz' }, 'Time zone'),
        h('select', { id: 'period-tz', name: 'tz' }, zones(tz).map((z) => h('option', { value: z, selected: z === tz }, z)))),
      h('div', { class: 'presets', role: 'group', 'aria-label': 'Quick periods' },
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: preset(7) }, '7 days'),
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: preset(30) }, '30 days'),
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: preset(90) }, '90 days')),
      problem),
    filters.length ? h('fieldset', { class: 'filters' }, h('legend', null, 'Filters'), filterFields) : null,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Apply'),
      exportPath ? h('a', { class: 'btn', href: apiUrl(exportPath, exportQuery, { format: 'csv' }), download: '', 'data-export': true }, exportLabel) : null));
  const active = filters.filter((f) => params.get(f.name)).length;
  const label = `${period ? shortPeriod(period) : 'Period'} · ${tz}${active ? ` · ${active} filter${active > 1 ? 's' : ''}` : ''}`;
  return h('details', { class: 'toolbar-box', open: window.matchMedia('(min-width: 701px)').matches },
    h('summary', null, h('span', { class: 'summary-title' }, 'Period and filters'), h('span', { class: 'summary-value' }, label)),
    form);
}

/** A date (YYYY-MM-DD) as "Nov 26, 2026". */
export function longDate(date) {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' }).format(new Date(Date.UTC(...splitDate(date))));
}

function shortPeriod(period) {
  const f = (d) => new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(new Date(Date.UTC(...splitDate(d))));
  const last = period.to.slice(11, 19) === '00:00:00' ? addDays(period.to.slice(0, 10), -1) : period.to.slice(0, 10);
  return `${f(period.from.slice(0, 10))} – ${f(last)}`;
}

/** The page header: title, a line of context, and what the numbers cover. */
export function pageHeader(title, subtitle, period) {
  return h('header', { class: 'page-header' },
    h('h1', null, title),
    subtitle ? h('p', { class: 'subtitle' }, subtitle) : null,
    period ? h('p', { class: 'period-note' }, describePeriod(period)) : null);
}

export function describePeriod(period) {
  const fmt = (iso) => new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' })
    .format(new Date(Date.UTC(...splitDate(iso.slice(0, 10)))));
  const last = period.to.slice(11, 19) === '00:00:00' ? addDays(period.to.slice(0, 10), -1) : period.to.slice(0, 10);
  const prev = addDays(period.from.slice(0, 10), -1);
  return `${fmt(period.from)} – ${fmt(last)} (${period.tz}), compared with ${fmt(period.previous_from)} – ${fmt(prev)}`;
}

function splitDate(date) {
  const [y, m, d] = date.split('-').map(Number);
  return [y, m - 1, d];
}

/** Links keep the period (and, when given, other parameters) of the current view. */
export function withPeriod(path, params, extra = {}) {
  const q = new URLSearchParams();
  for (const k of ['from', 'to', 'tz']) if (params.get(k)) q.set(k, params.get(k));
  for (const [k, v] of Object.entries(extra)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
