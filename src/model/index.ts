export * from './directory.js';
export * from './target.js';
export * from './desired.js';
export * from './op.js';
export * from './plan.js';
export * from './access.js';
