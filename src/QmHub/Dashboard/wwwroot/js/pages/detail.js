// One agent's or one queue's page: figures against the previous period, trends, and what lies behind them.
import { h, kpis, section, chart, bucketLabel, table, num, fmt, when, mixChart, METRICS, show, changeCell, belowTargetLabel } from '../ui.js';
import { get, all } from '../api.js';
import { toolbar, reportQuery, pageHeader, withPeriod, CHANNELS, DIRECTIONS, INTERVAL_FILTER, intervalWords, queueOptions } from '../toolbar.js';

const BEHAVIOUR = ['silence_per_interaction', 'hold_per_interaction', 'crosstalk_per_interaction', 'silence_per_10min', 'hold_per_10min', 'crosstalk_per_10min', 'below_sentiment_target_share'];

function interactionTable(ctx, rows, tz, caption, empty) {
  return table(caption, [
    { key: 'start_time', label: 'Started', cell: (r) => h('a', { href: withPeriod(`/interactions/${encodeURIComponent(r.interaction_id)}`, ctx.params, { account_id: r.account_id }) }, when(r.start_time, tz)) },
    { key: 'agent', label: 'Agent', cell: (r) => r.agent.id ? h('a', { href: withPeriod(`/agents/${encodeURIComponent(r.agent.id)}`, ctx.params) }, r.agent.name ?? r.agent.id) : '—' },
    { key: 'queue', label: 'Queue', cell: (r) => r.queue.name ?? r.queue.id ?? '—' },
    { key: 'channel', label: 'Channel', cell: (r) => r.channel_type ?? '—' },
    { key: 'duration', label: 'Duration', num: true, cell: (r) => fmt.seconds(r.duration) },
    { key: 'sentiment', label: 'Sentiment', num: true, cell: (r) => fmt.score(r.sentiment_score) },
    { key: 'qa_score_pct', label: 'QA score', num: true, cell: (r) => num('qa_score_pct', r.qa_score_pct) },
  ], rows, { empty });
}

export { interactionTable };

function withInterval(query, params) {
  const q = new URLSearchParams(query);
  if (params.get('interval') === 'week') q.set('interval', 'week');
  return q;
}

function trendCharts(row, tz, params) {
  const words = intervalWords(params);
  const trend = row.trend ?? [];
  const labels = trend.map((b) => bucketLabel(b, params.get('interval') === 'week'));
  return h('div', { class: 'grid-2' },
    section(`Scores ${words.by}`, chart(`QA score, sentiment and engagement ${words.per}`, labels, [
      { label: 'QA score (%)', data: trend.map((b) => b.qa_score_pct), format: fmt.pct },
      { label: 'Sentiment (0-100)', data: trend.map((b) => b.sentiment_avg), format: fmt.score },
      { label: 'Engagement (0-100)', data: trend.map((b) => b.engagement_avg), format: fmt.score },
    ], { y: 'Score (%, 0-100)', max: 100, x: words.unit }, { description: `${words.values} in ${tz}.` })),
    section(`Volume ${words.by}`, chart(`Interactions and evaluations ${words.per}`, labels, [
      { label: 'Interactions', data: trend.map((b) => b.interactions), type: 'bar', format: fmt.count },
      { label: 'Evaluations', data: trend.map((b) => b.evaluations), type: 'bar', format: fmt.count },
    ], { y: 'Count', x: words.unit }, { type: 'bar', description: `${words.values} in ${tz}.` })));
}

function behaviourTable(row) {
  return table('Behaviour rates', [
    { key: 'metric', label: 'Measure', cell: (m) => (m === 'below_sentiment_target_share'
      ? h('span', { title: belowTargetLabel(row.period.sentiment_target).title }, belowTargetLabel(row.period.sentiment_target).label) : METRICS[m].label) },
    { key: 'now', label: 'This period', num: true, cell: (m) => num(m, row[m]) },
    { key: 'previous', label: 'Previous', num: true, cell: (m) => show(m, row.previous[m]) },
    { key: 'change', label: 'Change', num: true, cell: (m) => changeCell(m, row.change[m]) },
  ], BEHAVIOUR);
}

function histogram(scores) {
  const bins = Array.from({ length: 10 }, () => 0);
  for (const s of scores) bins[Math.min(9, Math.max(0, Math.floor(s / 10)))] += 1;
  const labels = bins.map((_, i) => (i === 9 ? '90-100' : `${i * 10}-${i * 10 + 9}`));
  return chart('Evaluated interactions by QA score', scores.length ? labels : [], [
    { label: 'Interactions', data: bins, format: fmt.count, colour: '#1f4fd1' },
  ], { y: 'Interactions (count)', x: 'QA score (%)' }, { type: 'bar', description: 'Number of evaluated interactions in each 10-point band of QA score.' });
}

export async function renderAgent(ctx) {
  const q = reportQuery(ctx.params);
  const row = await get(`/agents/${encodeURIComponent(ctx.id)}`, withInterval(q, ctx.params), ctx.signal);
  const one = { ...Object.fromEntries(q), agent: row.agent.id, account_id: row.account_id };
  // The queues this agent worked in during the period (whatever the queue filter), for the Queue filter.
  const everyQueue = new URLSearchParams(q);
  everyQueue.delete('queue_id');
  everyQueue.set('agent', row.agent.id);
  everyQueue.set('account_id', row.account_id);
  const [scored, queues] = await Promise.all([all('/interactions', { ...one, evaluated: 'true' }, ctx.signal), all('/queues', everyQueue, ctx.signal)]);
  const tz = row.period.tz;
  const name = row.agent.name ?? row.agent.id;
  const queueId = ctx.params.get('queue_id');
  const options = queueOptions(queues);
  if (queueId && !options.some(([id]) => id === queueId)) options.push([queueId, queueId]);
  const queueName = queueId ? options.find(([id]) => id === queueId)[1] : null;
  const allQueues = (() => { const p = new URLSearchParams(ctx.params); p.delete('queue_id'); return `${location.pathname}?${p}`; })();
  const node = h('div', { class: 'page' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: withPeriod('/agents', ctx.params, { queue_id: queueId }) }, 'Agents'), ' / ', name),
    pageHeader(name, row.agent.id !== name ? `Agent · user id ${row.agent.id}` : 'Agent (known by name only)', row.period),
    queueId ? h('p', { class: 'filter-note', id: 'queue-filter-note', role: 'status' },
      'Only interactions and evaluations in queue ', h('strong', null, queueName), '. ',
      h('a', { href: allQueues }, 'Show every queue')) : null,
    toolbar(ctx, row.period, {
      filters: [{ name: 'queue_id', label: 'Queue', options }, { name: 'channel_type', label: 'Channel', options: CHANNELS }, { name: 'direction', label: 'Direction', options: DIRECTIONS }, INTERVAL_FILTER],
      exportPath: '/interactions', exportQuery: new URLSearchParams(Object.entries(one).filter(([, v]) => v)), exportLabel: 'Export interactions (CSV)',
    }),
    section('This period', kpis(row, ['interactions', 'qa_score_pct', 'coverage', 'sentiment_avg', 'engagement_avg', 'handle_time_s_avg'])),
    trendCharts(row, tz, ctx.params),
    h('div', { class: 'grid-2' },
      section('Score distribution', histogram(scored.items.map((r) => r.qa_score_pct).filter((v) => v !== null))),
      section('Behaviour', behaviourTable(row))),
    section('Scorecards', table('Scorecards', [
      { key: 'scorecard_name', label: 'Scorecard', cell: (s) => s.scorecard_name ?? 'Unnamed' },
      { key: 'evaluations', label: 'Evaluations', num: true, cell: (s) => num('evaluations', s.evaluations) },
      { key: 'manual', label: 'Manual', num: true, cell: (s) => fmt.count(s.evaluations_manual) },
      { key: 'automated', label: 'Automated', num: true, cell: (s) => fmt.count(s.evaluations_automated) },
      { key: 'qa_score_pct', label: 'QA score', num: true, cell: (s) => num('qa_score_pct', s.qa_score_pct) },
    ], row.scorecards ?? [], { empty: 'No evaluations in this period.' })),
    section('Lowest-scored interactions', interactionTable(ctx, row.lowest_scored ?? [], tz, 'Lowest-scored interactions', 'No evaluated interactions in this period.'),
      h('p', null, h('a', { href: withPeriod('/interactions', ctx.params, { agent: row.agent.id, account_id: row.account_id, queue_id: queueId, sort: 'score' }) }, `All of ${name}'s interactions${queueId ? ` in ${queueName}` : ''} →`))));
  return { title: name, node };
}

export async function renderQueue(ctx) {
  const q = reportQuery(ctx.params);
  const row = await get(`/queues/${encodeURIComponent(ctx.id)}`, withInterval(q, ctx.params), ctx.signal);
  const one = { ...Object.fromEntries(q), queue_id: row.queue.id, account_id: row.account_id };
  const agents = await all('/agents', one, ctx.signal);
  const tz = row.period.tz;
  const name = row.queue.name ?? row.queue.id;
  const node = h('div', { class: 'page' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: withPeriod('/queues', ctx.params) }, 'Queues'), ' / ', name),
    pageHeader(name, `Queue · id ${row.queue.id}`, row.period),
    toolbar(ctx, row.period, {
      filters: [{ name: 'channel_type', label: 'Channel', options: CHANNELS }, { name: 'direction', label: 'Direction', options: DIRECTIONS }, INTERVAL_FILTER],
      exportPath: '/interactions', exportQuery: new URLSearchParams(Object.entries(one).filter(([, v]) => v)), exportLabel: 'Export interactions (CSV)',
    }),
    section('This period', kpis(row, ['interactions', 'qa_score_pct', 'coverage', 'sentiment_avg', 'engagement_avg', 'handle_time_s_avg'])),
    trendCharts(row, tz, ctx.params),
    section('Mix', h('div', { class: 'grid-3' },
      mixChart('Channel', row.mix?.channel_type), mixChart('Direction', row.mix?.direction), mixChart('Disposition', row.mix?.disposition))),
    h('div', { class: 'grid-2' },
      section('Agents in this queue', table('Agents in this queue', [
        { key: 'name', label: 'Agent', cell: (r) => h('a', { href: withPeriod(`/agents/${encodeURIComponent(r.agent.id)}`, ctx.params, {
          queue_id: row.queue.id, account_id: row.account_id, channel_type: ctx.params.get('channel_type'), direction: ctx.params.get('direction'),
        }) }, r.agent.name ?? r.agent.id) },
        { key: 'interactions', label: 'Interactions', num: true, cell: (r) => num('interactions', r.interactions) },
        { key: 'qa_score_pct', label: 'QA score', num: true, cell: (r) => num('qa_score_pct', r.qa_score_pct) },
        { key: 'coverage', label: 'Coverage', num: true, cell: (r) => num('coverage', r.coverage) },
      ], [...agents.items].sort((a, b) => b.interactions - a.interactions))),
      section('Behaviour', behaviourTable(row))),
    h('p', null, h('a', { href: withPeriod('/interactions', ctx.params, { queue_id: row.queue.id, account_id: row.account_id }) }, `Interactions in ${name} →`)));
  return { title: name, node };
}
