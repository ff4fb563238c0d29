import type { Config } from '../config/schema.js';
import type { Target } from './target.js';
import { ChartioTarget, type ChartioHooks } from './chartio/index.js';

export type TargetHooks = ChartioHooks;

/** One line per target kind: the config's `target.kind` picks it. */
export function createTarget(config: Config['target'], hooks: TargetHooks = {}): Target {
  switch (config.kind) {
    case 'chartio':
      return new ChartioTarget(config, hooks);
  }
}
