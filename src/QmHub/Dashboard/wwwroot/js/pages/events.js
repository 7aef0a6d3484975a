// The event log: every delivery, newest first; quarantined ones with the errors that kept them out.
import { h, section, table, fmt, when, badge } from '../ui.js';
import { get, apiUrl } from '../api.js';
import { pageHeader } from '../toolbar.js';

export async function render(ctx) {
  const status = ['accepted', 'quarantined'].includes(ctx.params.get('status')) ? ctx.params.get('status') : '';
  const tz = ctx.params.get('tz') || 'UTC';
  const query = { status, cursor: ctx.params.get('cursor'), limit: '50' };
  const [answer, counts] = await Promise.all([get('/events', query, ctx.signal), get('/events/counts', null, ctx.signal)]);
  const link = (extra) => {
    const p = new URLSearchParams(ctx.params);
    p.delete('cursor');
    for (const [k, v] of Object.entries(extra)) { if (v) p.set(k, v); else p.delete(k); }
    const s = p.toString();
    return s ? `/events?${s}` : '/events';
  };
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Event status' }, [['', 'All', counts.accepted + counts.quarantined], ['accepted', 'Accepted', counts.accepted], ['quarantined', 'Quarantined', counts.quarantined]]
    .map(([value, label, n]) => h('a', { href: link({ status: value }), 'aria-current': value === status ? 'page' : null, class: 'tab' }, `${label} `, h('span', { class: 'tab-count', dataset: { value: n } }, fmt.count(n)))));
  const findings = (e) => e.findings.length === 0 ? '—' : h('ul', { class: 'findings' }, e.findings.map((f) =>
    h('li', null, badge(f.severity, f.severity === 'error' ? 'bad' : 'warn'), ' ', h('code', null, f.path), ' ', f.message)));
  const next = answer.next_cursor ? link({ status, cursor: answer.next_cursor }) : null;
  const node = h('div', { class: 'page' },
    pageHeader('Events', 'Every delivery Zoom sent, newest first. Quarantined deliveries were authentic but invalid: they are kept with their errors and left out of every report.', null),
    counts.quarantined > 0 ? h('div', { class: 'alert alert-warning', role: 'status' },
      h('strong', null, `${fmt.count(counts.quarantined)} quarantined`), ' of ', fmt.count(counts.accepted + counts.quarantined), ' deliveries.') : null,
    h('div', { class: 'actions-row' }, tabs,
      h('a', { class: 'btn', href: apiUrl('/events', { status }, { format: 'csv' }), download: '', 'data-export': true }, 'Export CSV')),
    section(status ? `${status[0].toUpperCase()}${status.slice(1)} deliveries` : 'All deliveries',
      table('Event log', [
        { key: 'id', label: 'Id', num: true, cell: (e) => String(e.id) },
        { key: 'received', label: `Received (${tz})`, cell: (e) => when(e.received_at, tz) },
        { key: 'event', label: 'Event', cell: (e) => (e.event ?? e.kind).replace('quality_management.', '') },
        { key: 'status', label: 'Status', cell: (e) => badge(e.status, e.status === 'quarantined' ? 'bad' : 'good') },
        { key: 'account', label: 'Account', cell: (e) => e.account_id ?? '—' },
        { key: 'findings', label: 'Findings', cell: findings },
      ], answer.items, { empty: 'No deliveries yet.', id: 'events' }),
      next || ctx.params.get('cursor') ? h('nav', { class: 'pager', 'aria-label': 'Pages' },
        ctx.params.get('cursor') ? h('a', { href: link({ status }), class: 'btn btn-quiet' }, '← Newest') : null,
        next ? h('a', { href: next, class: 'btn', rel: 'next' }, 'Older →') : null) : null));
  return { title: 'Events', node };
}
