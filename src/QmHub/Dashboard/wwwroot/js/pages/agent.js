import { renderAgent } from './detail.js';

export const render = renderAgent;
