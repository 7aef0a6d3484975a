import { renderGroups } from './groups.js';

export const render = (ctx) => renderGroups(ctx, 'queue');
