// The leaderboards of agents and of queues: sortable and filterable, every row linking to its page.
import { h, table, num, changeCell, section, emptyState, belowTargetLabel, AWAITING_INTERACTION, downloadCsvRows } from '../ui.js';
import { all } from '../api.js';
import { toolbar, reportQuery, pageHeader, withPeriod, CHANNELS, DIRECTIONS, queueOptions } from '../toolbar.js';

const SORTABLE = ['name', 'interactions', 'handle_time_s_avg', 'qa_score_pct', 'change_qa', 'coverage', 'sentiment_avg', 'engagement_avg', 'below_sentiment_target_share'];

/** key: 'agent' or 'queue'. */
export async function renderGroups(ctx, key) {
  const isAgent = key === 'agent';
  const q = reportQuery(ctx.params);
  const [answer, queueList] = await Promise.all([
    all(isAgent ? '/agents' : '/queues', q, ctx.signal),
    isAgent ? all('/queues', reportQuery(ctx.params, []), ctx.signal) : Promise.resolve(null),
  ]);
  const sortKey = SORTABLE.includes(ctx.params.get('sort')) ? ctx.params.get('sort') : 'qa_score_pct';
  const dir = ctx.params.get('dir') === 'asc' ? 'asc' : ctx.params.get('dir') === 'desc' ? 'desc' : sortKey === 'name' ? 'asc' : 'desc';
  const text = (ctx.params.get('q') ?? '').trim().toLowerCase();
  // The queue row without an id gathers evaluations whose interaction has not arrived (they count in no queue until
  // it does), and interactions that name no queue.
  const nameOf = (r) => r[key].name ?? r[key].id ?? (isAgent ? 'Unknown agent' : r.interactions === 0 ? AWAITING_INTERACTION.label : 'No queue');
  const value = (r) => (sortKey === 'name' ? nameOf(r).toLowerCase() : sortKey === 'change_qa' ? r.change.qa_score_pct : r[sortKey]);
  const rows = answer.items
    .filter((r) => !text || nameOf(r).toLowerCase().includes(text) || String(r[key].id ?? '').toLowerCase().includes(text))
    .sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1; // no data last, either way
      if (y === null || y === undefined) return -1;
      const c = x < y ? -1 : x > y ? 1 : 0;
      return dir === 'asc' ? c : -c;
    });

  const href = (k) => {
    const p = new URLSearchParams(ctx.params);
    p.set('sort', k);
    p.set('dir', k === sortKey && dir === 'desc' ? 'asc' : k === sortKey ? 'desc' : k === 'name' ? 'asc' : 'desc');
    return `${location.pathname}?${p}`;
  };
  // A link keeps the view's filters: an agent's page opened from /agents?queue_id=… shows that queue's figures.
  const carried = (isAgent ? ['account_id', 'queue_id', 'channel_type', 'direction', 'sentiment_target'] : ['account_id', 'channel_type', 'direction', 'sentiment_target'])
    .map((k) => [k, ctx.params.get(k)]);
  const link = (r) => r[key].id
    ? h('a', { href: withPeriod(`/${key}s/${encodeURIComponent(r[key].id)}`, ctx.params, Object.fromEntries(carried)) }, nameOf(r))
    : h('span', { class: 'no-link', title: r.interactions === 0 ? AWAITING_INTERACTION.title : null }, nameOf(r));
  const columns = [
    { key: 'name', label: isAgent ? 'Agent' : 'Queue', sort: 'name', cell: link },
    { key: 'interactions', label: 'Interactions', num: true, sort: 'interactions', cell: (r) => num('interactions', r.interactions) },
    { key: 'handle_time_s_avg', label: 'Avg handle', num: true, sort: 'handle_time_s_avg', cell: (r) => num('handle_time_s_avg', r.handle_time_s_avg) },
    { key: 'qa_score_pct', label: 'QA score', num: true, sort: 'qa_score_pct', cell: (r) => num('qa_score_pct', r.qa_score_pct) },
    { key: 'change_qa', label: 'QA change', num: true, sort: 'change_qa', cell: (r) => changeCell('qa_score_pct', r.change.qa_score_pct) },
    { key: 'coverage', label: 'Coverage', num: true, sort: 'coverage', cell: (r) => num('coverage', r.coverage) },
    { key: 'sentiment_avg', label: 'Sentiment', num: true, sort: 'sentiment_avg', cell: (r) => num('sentiment_avg', r.sentiment_avg) },
    { key: 'engagement_avg', label: 'Engagement', num: true, sort: 'engagement_avg', cell: (r) => num('engagement_avg', r.engagement_avg) },
    { key: 'below_sentiment_target_share', ...belowTargetLabel(answer.period.sentiment_target), num: true, sort: 'below_sentiment_target_share', cell: (r) => num('below_sentiment_target_share', r.below_sentiment_target_share) },
  ];
  const filters = [
    { name: 'q', label: isAgent ? 'Agent name' : 'Queue name', placeholder: 'Contains…', type: 'search' },
    isAgent ? { name: 'queue_id', label: 'Queue', options: queueOptions(queueList) } : null,
    { name: 'channel_type', label: 'Channel', options: CHANNELS },
    { name: 'direction', label: 'Direction', options: DIRECTIONS },
    { name: 'sentiment_target', label: 'Sentiment target', type: 'number', min: 0, max: 100, step: 'any', placeholder: String(answer.period.sentiment_target) },
  ].filter(Boolean);
  const title = isAgent ? 'Agents' : 'Queues';
  const bar = toolbar(ctx, answer.period, { filters, exportPath: isAgent ? '/agents' : '/queues', exportQuery: q, keep: ['sort', 'dir'] });
  // Export what the view shows: the API's CSV of the same query, cut to the rows the name filter keeps, in the order shown.
  const exportLink = bar.querySelector('a[data-export]');
  exportLink.title = `The ${rows.length} ${isAgent ? 'agents' : 'queues'} shown, in the order shown`;
  exportLink.addEventListener('click', (event) => {
    event.preventDefault();
    downloadCsvRows(exportLink.href, `${isAgent ? 'agents' : 'queues'}.csv`, rows.map((r) => [r.account_id, r[key].id ?? '']), exportLink);
  });
  const awaiting = !isAgent && rows.some((r) => !r.queue.id && r.interactions === 0);
  const node = h('div', { class: 'page' },
    pageHeader(title, isAgent
      ? 'Leaderboard of every agent with interactions or evaluations in the period. Select a column to sort; select an agent for details.'
      : 'Every queue with its figures for the period. Select a queue for its trend and channel, direction and disposition mix.', answer.period),
    bar,
    section(isAgent ? 'Leaderboard' : 'Queues',
      h('p', { class: 'muted small', id: 'row-count' }, `${rows.length} of ${answer.items.length} ${isAgent ? 'agents' : 'queues'}`),
      rows.length ? table(title, columns, rows, { sort: { key: sortKey, dir, href }, id: isAgent ? 'leaderboard' : 'queue-table' })
        : emptyState(answer.items.length ? 'No row matches the name filter.' : 'Nothing in this period.'),
      awaiting ? h('p', { class: 'muted small', id: 'awaiting-note' }, `${AWAITING_INTERACTION.label}: ${AWAITING_INTERACTION.title}`) : null));
  return { title, node };
}
