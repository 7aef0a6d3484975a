// Overview: the period's figures against the previous period, trends, who moved most, recent low scores, quarantine warning.
import { h, kpis, section, chart, bucketLabel, table, num, changeCell, fmt, when, badge } from '../ui.js';
import { get, all } from '../api.js';
import { toolbar, reportQuery, pageHeader, withPeriod, CHANNELS, DIRECTIONS, queueOptions, INTERVAL_FILTER, intervalWords } from '../toolbar.js';

export async function render(ctx) {
  const q = reportQuery(ctx.params);
  const trend = (metric) => get('/trends', { ...Object.fromEntries(q), metric, interval: ctx.params.get('interval') === 'week' ? 'week' : 'day' }, ctx.signal);
  const words = intervalWords(ctx.params);
  const [summary, counts, qa, sentiment, engagement, coverage, agents, queues, low] = await Promise.all([
    get('/summary', q, ctx.signal),
    get('/events/counts', null, ctx.signal),
    trend('qa_score'), trend('sentiment'), trend('engagement'), trend('coverage'),
    all('/agents', q, ctx.signal),
    all('/queues', q, ctx.signal),
    get('/interactions', { ...Object.fromEntries(q), sort: 'score', evaluated: 'true', limit: '8' }, ctx.signal),
  ]);
  const row = summary.items[0];
  const period = summary.period;
  const tz = period.tz;
  const labels = qa.items.map((p) => bucketLabel(p, ctx.params.get('interval') === 'week'));
  const pct = (v) => fmt.pct(v);

  const warning = counts.quarantined > 0
    ? h('div', { class: 'alert alert-warning', role: 'alert', id: 'quarantine-warning' },
      h('strong', null, `${fmt.count(counts.quarantined)} quarantined ${counts.quarantined === 1 ? 'delivery' : 'deliveries'}`),
      ' were authentic but invalid and are not in these figures. ',
      h('a', { href: '/events?status=quarantined', 'data-nav': true }, 'Review the quarantined events'))
    : null;

  const movers = (rows, key, link) => {
    const moved = rows.filter((r) => r.change.qa_score_pct !== null)
      .sort((a, b) => Math.abs(b.change.qa_score_pct) - Math.abs(a.change.qa_score_pct)).slice(0, 5);
    return table(`${key === 'agent' ? 'Agents' : 'Queues'} whose QA score moved most`, [
      { key: 'name', label: key === 'agent' ? 'Agent' : 'Queue', cell: (r) => h('a', { href: withPeriod(link(r), ctx.params) }, r[key].name ?? r[key].id ?? 'No queue') },
      { key: 'qa_score_pct', label: 'QA score', num: true, cell: (r) => num('qa_score_pct', r.qa_score_pct) },
      { key: 'change', label: 'Change', num: true, cell: (r) => changeCell('qa_score_pct', r.change.qa_score_pct) },
      { key: 'interactions', label: 'Interactions', num: true, cell: (r) => num('interactions', r.interactions) },
    ], moved, { empty: 'No QA scores in both this and the previous period.' });
  };

  const node = h('div', { class: 'page' },
    pageHeader('Overview', 'Quality at a glance: this period against the previous one of the same length.', period),
    toolbar(ctx, period, {
      filters: [
        { name: 'queue_id', label: 'Queue', options: queueOptions(queues) },
        { name: 'channel_type', label: 'Channel', options: CHANNELS },
        { name: 'direction', label: 'Direction', options: DIRECTIONS },
        INTERVAL_FILTER,
      ],
      exportPath: '/summary', exportQuery: q, exportLabel: 'Export CSV',
    }),
    warning,
    section('This period', kpis(row, ['interactions', 'qa_score_pct', 'coverage', 'sentiment_avg', 'engagement_avg'])),
    h('div', { class: 'grid-2' },
      section(`Scores ${words.by}`,
        chart(`QA score, sentiment and engagement ${words.per}`, labels, [
          { label: 'QA score (%)', data: qa.items.map((p) => p.value), format: pct },
          { label: 'Sentiment (0-100)', data: sentiment.items.map((p) => p.value), format: fmt.score },
          { label: 'Engagement (0-100)', data: engagement.items.map((p) => p.value), format: fmt.score },
        ], { y: 'Score (%, 0-100)', max: 100, x: words.unit }, { description: `${words.values} in ${tz}.` })),
      section(`Volume and coverage ${words.by}`,
        chart(`Interactions and evaluation coverage ${words.per}`, labels, [
          { label: 'Interactions', data: qa.items.map((p) => p.interactions), type: 'bar', format: fmt.count },
          { label: 'Coverage (%)', data: coverage.items.map((p) => (p.value === null ? null : p.value * 100)), axis: 'y2', type: 'line', format: pct },
        ], { y: 'Interactions (count)', y2: 'Coverage (%)', x: words.unit }, { type: 'bar', description: `${words.values} in ${tz}.` }))),
    h('div', { class: 'grid-2' },
      section('Agents that moved most', movers(agents.items, 'agent', (r) => `/agents/${encodeURIComponent(r.agent.id)}`)),
      section('Queues that moved most', movers(queues.items.filter((r) => r.queue.id), 'queue', (r) => `/queues/${encodeURIComponent(r.queue.id)}`))),
    section('Lowest QA scores this period',
      table('Lowest-scored interactions', [
        { key: 'start_time', label: 'Started', cell: (r) => h('a', { href: withPeriod(`/interactions/${encodeURIComponent(r.interaction_id)}`, ctx.params, { account_id: r.account_id }) }, when(r.start_time, tz)) },
        { key: 'agent', label: 'Agent', cell: (r) => r.agent.id ? h('a', { href: withPeriod(`/agents/${encodeURIComponent(r.agent.id)}`, ctx.params) }, r.agent.name ?? r.agent.id) : '—' },
        { key: 'queue', label: 'Queue', cell: (r) => r.queue.name ?? r.queue.id ?? '—' },
        { key: 'channel', label: 'Channel', cell: (r) => r.channel_type ?? '—' },
        { key: 'qa_score_pct', label: 'QA score', num: true, cell: (r) => h('span', null, num('qa_score_pct', r.qa_score_pct), r.qa_score_pct < 60 ? [' ', badge('low', 'bad')] : null) },
      ], low.items, { empty: 'No evaluated interactions in this period.' }),
      h('p', null, h('a', { href: withPeriod('/interactions', ctx.params, { sort: 'score', evaluated: 'true' }) }, 'All interactions by score →'))));
  return { title: 'Overview', node };
}
