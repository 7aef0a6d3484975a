// The dashboard's router: client-side routes (History API) with every view's state in the URL query.
import { h, disposeCharts, drawCharts, dropCharts } from './ui.js';
import { ApiError } from './api.js';
import { toolbar } from './toolbar.js';
import * as overview from './pages/overview.js';
import * as agents from './pages/agents.js';
import * as agent from './pages/agent.js';
import * as queues from './pages/queues.js';
import * as queue from './pages/queue.js';
import * as calibration from './pages/calibration.js';
import * as interactions from './pages/interactions.js';
import * as interaction from './pages/interaction.js';
import * as events from './pages/events.js';

// [path, page, nav section, whether the page reports over a period (and so keeps the period picker on an error)]
const routes = [
  [/^\/$/, overview, 'overview', true],
  [/^\/agents\/?$/, agents, 'agents', true],
  [/^\/agents\/(.+)$/, agent, 'agents', true],
  [/^\/queues\/?$/, queues, 'queues', true],
  [/^\/queues\/(.+)$/, queue, 'queues', true],
  [/^\/calibration\/?$/, calibration, 'calibration', true],
  [/^\/interactions\/?$/, interactions, 'interactions', true],
  [/^\/interactions\/(.+)$/, interaction, 'interactions', false],
  [/^\/events\/?$/, events, 'events', false],
];

/** The query parameters that every page keeps when moving to another (the period). */
export const PERIOD_KEYS = ['from', 'to', 'tz'];

const main = document.getElementById('main');
let generation = 0;
let controller = null;

async function render(focus) {
  const mine = ++generation;
  controller?.abort();
  controller = new AbortController();
  const path = location.pathname;
  const params = new URLSearchParams(location.search);
  const match = routes.map(([re, page, section, period]) => [re.exec(path), page, section, period]).find(([m]) => m);
  updateNav(match?.[2], params);
  main.setAttribute('aria-busy', 'true');
  dropCharts();
  main.replaceChildren(h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading…'));
  let title = 'Not found';
  let node;
  const ctx = { path, params, id: match?.[0][1] ? decodeURIComponent(match[0][1]) : null, signal: controller.signal, navigate };
  try {
    if (!match) throw new ApiError(404, 'Not found', `There is no dashboard page at ${path}.`);
    ({ title, node } = await match[1].render(ctx));
  } catch (error) {
    if (error.name === 'AbortError' || mine !== generation) return;
    title = 'Error';
    // A report page keeps its period picker, so that a period the API refused can be corrected here; the other
    // parameters of the view (filters, order) are kept when it is applied.
    const keep = [...new Set(params.keys())].filter((k) => !['from', 'to', 'tz', 'cursor'].includes(k));
    node = h('div', { class: 'page' }, h('h1', null, error.status === 404 ? 'Not found' : error.status === 400 ? 'This view cannot be shown' : 'Something went wrong'),
      match?.[3] ? toolbar(ctx, null, { keep }) : null,
      h('p', { class: 'error', role: 'alert' }, error.message),
      h('p', null, h('a', { href: '/', 'data-nav': true }, 'Back to the overview')));
  }
  if (mine !== generation) return;
  disposeCharts();
  main.replaceChildren(node);
  drawCharts();
  main.removeAttribute('aria-busy');
  document.title = `${title} · QmHub`;
  if (focus) main.focus({ preventScroll: false });
}

function updateNav(section, params) {
  const keep = new URLSearchParams();
  for (const k of PERIOD_KEYS) if (params.get(k)) keep.set(k, params.get(k));
  const q = keep.toString();
  for (const a of document.querySelectorAll('.nav a')) {
    const base = a.getAttribute('href').split('?')[0];
    a.setAttribute('href', q ? `${base}?${q}` : base);
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** Goes to a dashboard URL without reloading the page. */
export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render(true);
}

document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = event.target.closest('a[href]');
  if (!a || a.hasAttribute('download') || a.target) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/assets/')) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener('popstate', () => render(true));
render(false);
