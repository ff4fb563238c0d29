export * from './rostersync-error.js';
export * from './config-error.js';
export * from './source-error.js';
export * from './target-error.js';
export * from './redis-error.js';
