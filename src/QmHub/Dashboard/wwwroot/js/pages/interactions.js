// Interaction search: every filter of GET /api/v1/interactions, paged by the API's cursor.
import { h, section, fmt } from '../ui.js';
import { get, all } from '../api.js';
import { toolbar, reportQuery, pageHeader, CHANNELS, DIRECTIONS, queueOptions } from '../toolbar.js';
import { interactionTable } from './detail.js';

const SEARCH = ['min_qa_score', 'max_qa_score', 'min_sentiment', 'max_sentiment', 'evaluated', 'language', 'disposition', 'sort'];

export async function render(ctx) {
  const q = reportQuery(ctx.params, SEARCH);
  const page = new URLSearchParams(q);
  if (ctx.params.get('cursor')) page.set('cursor', ctx.params.get('cursor'));
  page.set('limit', '50');
  const [answer, queues] = await Promise.all([get('/interactions', page, ctx.signal), all('/queues', reportQuery(ctx.params), ctx.signal)]);
  const tz = answer.period.tz;
  const filters = [
    { name: 'agent', label: 'Agent id or exact name', type: 'search', placeholder: 'Whole name as Zoom sends it' },
    { name: 'queue_id', label: 'Queue', options: queueOptions(queues) },
    { name: 'channel_type', label: 'Channel', options: CHANNELS },
    { name: 'direction', label: 'Direction', options: DIRECTIONS },
    { name: 'evaluated', label: 'Evaluated', options: [['true', 'Evaluated'], ['false', 'Not evaluated']], any: 'Either' },
    { name: 'min_qa_score', label: 'QA score from (%)', type: 'number', min: 0, max: 100, step: 'any' },
    { name: 'max_qa_score', label: 'QA score to (%)', type: 'number', min: 0, max: 100, step: 'any' },
    { name: 'min_sentiment', label: 'Sentiment from', type: 'number', min: 0, max: 100, step: 'any' },
    { name: 'max_sentiment', label: 'Sentiment to', type: 'number', min: 0, max: 100, step: 'any' },
    { name: 'language', label: 'Language', placeholder: 'en-US' },
    { name: 'disposition', label: 'Disposition (exact)', placeholder: 'Resolved' },
    { name: 'account_id', label: 'Account id' },
    { name: 'sort', label: 'Order', options: [['time', 'Newest first'], ['score', 'Lowest QA score first']], any: 'Newest first' },
  ];
  const next = answer.next_cursor ? (() => { const p = new URLSearchParams(ctx.params); p.set('cursor', answer.next_cursor); return `${location.pathname}?${p}`; })() : null;
  const first = ctx.params.get('cursor') ? (() => { const p = new URLSearchParams(ctx.params); p.delete('cursor'); return `${location.pathname}?${p}`; })() : null;
  const node = h('div', { class: 'page' },
    pageHeader('Interactions', 'Search every interaction of the period; select one for its analysis and evaluations.', answer.period),
    toolbar(ctx, answer.period, { filters, exportPath: '/interactions', exportQuery: q }),
    section('Results',
      h('p', { class: 'muted small', id: 'result-count' }, `${fmt.count(answer.items.length)} shown${answer.next_cursor ? ', more on the next page' : ''}`),
      interactionTable(ctx, answer.items, tz, 'Interactions', 'No interaction matches these filters in this period.'),
      first || next ? h('nav', { class: 'pager', 'aria-label': 'Pages' },
        first ? h('a', { href: first, class: 'btn btn-quiet' }, '← First page') : null,
        next ? h('a', { href: next, class: 'btn', rel: 'next' }, 'Next page →') : null) : null));
  return { title: 'Interactions', node };
}
