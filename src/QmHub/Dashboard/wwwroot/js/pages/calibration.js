// Calibration: do scorers agree? Scorecards by disagreement, evaluators by bias, manual against automated.
import { h, section, table, fmt, badge } from '../ui.js';
import { get, all } from '../api.js';
import { toolbar, reportQuery, pageHeader, withPeriod, CHANNELS, DIRECTIONS, queueOptions } from '../toolbar.js';

export async function render(ctx) {
  const q = reportQuery(ctx.params);
  const [report, queues] = await Promise.all([get('/calibration', q, ctx.signal), all('/queues', reportQuery(ctx.params), ctx.signal)]);
  const byDisagreement = [...report.scorecards].sort((a, b) => (b.mean_abs_difference ?? -1) - (a.mean_abs_difference ?? -1));
  const byBias = [...report.evaluators].sort((a, b) => Math.abs(b.bias ?? 0) - Math.abs(a.bias ?? 0));
  const gap = (v) => (v === null || v === undefined ? '—' : `${fmt.score(v * 100)} pts`);
  const pts = (v) => (v === null || v === undefined ? '—' : `${v > 0 ? '+' : v < 0 ? '−' : ''}${fmt.score(Math.abs(v * 100))} pts`);
  const interactionLink = (d) => h('a', { href: withPeriod(`/interactions/${encodeURIComponent(d.interaction_id)}`, ctx.params, { account_id: d.account_id }) }, d.interaction_id);
  const node = h('div', { class: 'page' },
    pageHeader('Calibration', 'Interactions evaluated two or more times on one scorecard: how far apart the scores are, and who scores high or low.', report.period),
    toolbar(ctx, report.period, {
      filters: [
        { name: 'queue_id', label: 'Queue', options: queueOptions(queues) },
        { name: 'channel_type', label: 'Channel', options: CHANNELS },
        { name: 'direction', label: 'Direction', options: DIRECTIONS },
      ],
      exportPath: '/calibration', exportQuery: q,
    }),
    section('Scorecards by disagreement', table('Scorecards by disagreement', [
      { key: 'scorecard', label: 'Scorecard', cell: (s) => s.scorecard_name ?? 'Unnamed' },
      { key: 'interactions', label: 'Calibrated interactions', num: true, cell: (s) => fmt.count(s.interactions) },
      { key: 'pairs', label: 'Pairs', num: true, cell: (s) => fmt.count(s.pairs) },
      { key: 'mad', label: 'Mean difference', num: true, cell: (s) => h('span', { dataset: { value: s.mean_abs_difference ?? '' } }, gap(s.mean_abs_difference)) },
      { key: 'within', label: 'Within ±10 pts', num: true, cell: (s) => h('span', { dataset: { value: s.share_within_0_10 ?? '' } }, fmt.share(s.share_within_0_10)) },
      { key: 'mma', label: 'Manual − automated', num: true, cell: (s) => h('span', { dataset: { value: s.manual_minus_automated ?? '' } }, pts(s.manual_minus_automated)) },
      { key: 'mapairs', label: 'Manual/automated pairs', num: true, cell: (s) => fmt.count(s.manual_automated_pairs) },
    ], byDisagreement, { empty: 'No interaction was evaluated twice on one scorecard in this period.', id: 'scorecards' })),
    section('Evaluators by bias', h('p', { class: 'muted small' }, 'Bias: the evaluator’s score minus the mean of the other evaluations of the same interactions, in points.'),
      table('Evaluators by bias', [
        { key: 'evaluator', label: 'Evaluator', cell: (e) => e.evaluator_user_id ?? 'No evaluator id' },
        { key: 'evaluations', label: 'Evaluations', num: true, cell: (e) => fmt.count(e.evaluations) },
        { key: 'avg', label: 'Average score', num: true, cell: (e) => fmt.share(e.average_ratio) },
        { key: 'calibrated', label: 'Calibrated', num: true, cell: (e) => fmt.count(e.calibrated_evaluations) },
        { key: 'bias', label: 'Bias', num: true, cell: (e) => h('span', { dataset: { value: e.bias ?? '' } }, pts(e.bias), e.bias !== null && Math.abs(e.bias) >= 0.1 ? [' ', badge('review', 'bad')] : null) },
      ], byBias, { empty: 'No evaluations in this period.', id: 'evaluators' })),
    section('Worst disagreements', table('Worst disagreements', [
      { key: 'interaction', label: 'Interaction', cell: interactionLink },
      { key: 'scorecard', label: 'Scorecard', cell: (d) => d.scorecard_name ?? 'Unnamed' },
      { key: 'spread', label: 'Spread', num: true, cell: (d) => gap(d.spread) },
      { key: 'scores', label: 'Scores', cell: (d) => d.evaluations.map((e) => `${fmt.share(e.evaluation_score_ratio)} ${(e.evaluation_type ?? '').toLowerCase()}`).join(' · ') },
    ], report.worst_disagreements, { empty: 'No disagreements in this period.', id: 'disagreements' })));
  return { title: 'Calibration', node };
}
