// One interaction: its analysis as Zoom sent it, every evaluation, and its associated interactions.
import { h, section, table, fmt, when, badge } from '../ui.js';
import { get, apiUrl } from '../api.js';
import { pageHeader, withPeriod } from '../toolbar.js';

function facts(list) {
  return h('dl', { class: 'facts' }, list.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))));
}

export async function render(ctx) {
  const query = ctx.params.get('account_id') ? { account_id: ctx.params.get('account_id') } : null;
  const r = await get(`/interactions/${encodeURIComponent(ctx.id)}`, query, ctx.signal);
  const tz = ctx.params.get('tz') || 'UTC';
  const info = r.interaction_info ?? {};
  const summary = r.summary ?? {};
  const evaluations = r.evaluations ?? [];
  const associated = info.associated_ids ?? [];
  const agentLink = info.agent_name ? h('a', { href: withPeriod(`/agents/${encodeURIComponent(evaluations[0]?.agent_user_id ?? info.agent_name)}`, ctx.params) }, info.agent_name) : null;
  const node = h('div', { class: 'page' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: withPeriod('/interactions', ctx.params) }, 'Interactions'), ' / ', ctx.id),
    pageHeader(`Interaction ${ctx.id}`, `${info.channel_type ?? 'Unknown channel'} · ${r.direction ?? 'direction unknown'} · started ${when(r.start_time, tz)} (${tz})`, null),
    h('div', { class: 'actions-row' }, h('a', { class: 'btn', href: apiUrl(`/interactions/${encodeURIComponent(ctx.id)}`, { account_id: r.account_id }), download: `interaction-${ctx.id}.json` }, 'Download JSON')),
    h('div', { class: 'grid-2' },
      section('Interaction', facts([
        ['Agent', agentLink],
        ['Queue', r.queue_id ? h('a', { href: withPeriod(`/queues/${encodeURIComponent(r.queue_id)}`, ctx.params) }, r.queue_name ?? r.queue_id) : null],
        ['Started', when(r.start_time, tz)],
        ['Duration', fmt.seconds(r.duration)],
        ['Channel', info.channel_type],
        ['Direction', r.direction],
        ['Disposition', r.disposition],
        ['Language', r.primary_language],
        ['Account', r.account_id],
        ['Engagement id', r.engagement_id],
      ])),
      section('Analysis', facts([
        ['Sentiment', h('span', { dataset: { value: summary.sentiment_score ?? '' } }, fmt.score(summary.sentiment_score))],
        ['Engagement', h('span', { dataset: { value: summary.engagement_score ?? '' } }, fmt.score(summary.engagement_score))],
        ['Silence events', fmt.count(r.silence_event_count)],
        ['Hold events', fmt.count(r.hold_event_count)],
        ['Crosstalk events', fmt.count(r.crosstalk_event_count)],
        ['Last event', r.last_event_ts ? when(new Date(r.last_event_ts).toISOString(), tz) : null],
      ]))),
    section(`Evaluations (${evaluations.length})`, table('Evaluations', [
      { key: 'scorecard', label: 'Scorecard', cell: (e) => e.scorecard_name ?? 'Unnamed' },
      { key: 'type', label: 'Type', cell: (e) => badge((e.evaluation_type ?? 'unknown').toLowerCase(), e.evaluation_type === 'MANUAL' ? 'info' : 'neutral') },
      { key: 'score', label: 'Score', num: true, cell: (e) => e.evaluation_score === undefined || e.evaluation_score === null ? '—' : `${fmt.score(e.evaluation_score)} / ${fmt.score(e.total_possible_score)}` },
      { key: 'ratio', label: 'QA score', num: true, cell: (e) => h('span', { dataset: { value: e.evaluation_score_ratio ?? '' } }, fmt.share(e.evaluation_score_ratio)) },
      { key: 'evaluator', label: 'Evaluator', cell: (e) => (e.evaluators_info ?? []).map((v) => v.display_name ?? v.evaluator_user_id).filter(Boolean).join(', ') || e.evaluator_user_id || '—' },
      { key: 'id', label: 'Evaluation id', cell: (e) => h('a', { href: apiUrl(`/evaluations/${encodeURIComponent(e.evaluation_id)}`, { account_id: e.account_id }), download: `evaluation-${e.evaluation_id}.json` }, e.evaluation_id) },
    ], evaluations, { empty: 'Not evaluated yet.', id: 'evaluations' })),
    section('Associated interactions', associated.length
      ? h('ul', { class: 'links' }, associated.map((id) => h('li', null, h('a', { href: withPeriod(`/interactions/${encodeURIComponent(id)}`, ctx.params, { account_id: r.account_id }) }, id))))
      : h('p', { class: 'empty' }, 'No associated interactions (transfers, follow-ups).')),
    h('p', { class: 'muted small' }, 'Phone numbers and the consumer’s name are in the API answer but not shown here.'));
  return { title: `Interaction ${ctx.id}`, node };
}
