import { renderQueue } from './detail.js';

export const render = renderQueue;
