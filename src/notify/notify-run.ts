import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { scrubberFor } from '../log/scrub-secrets.js';
import type { RunView } from '../store/run-record.js';
import type { Store } from '../store/store.js';
import type { Outbox } from './outbox.js';
import type { NotifyEvent } from './webhook.js';

export interface NotifyDeps {
  config: Config;
  store: Store;
  log: Logger;
  /** Sends apart from the run: notifyRun never waits for a receiver. */
  outbox: Outbox;
}

/**
 * The profile's state as notifications see it. A blocked run is keyed by its id: each new run
 * waiting for a decision is news, a tick that finds it still waiting is not. A rejection is a state
 * of its own (nothing is sent for it) so the next block is told again.
 */
export function notifyState(run: RunView): string | undefined {
  switch (run.status) {
    case 'succeeded':
      return 'ok';
    case 'partial':
      return 'partial';
    case 'failed':
      return 'failed';
    case 'blocked':
      if (run.approval?.state === 'pending') return `blocked:${run.runId}`;
      return run.approval?.state === 'rejected' ? 'rejected' : undefined;
    default:
      return undefined;
  }
}

/**
 * Sends one message per change of the profile's state (blocked, failed, partial, recovered) to
 * every `notify:` webhook that asks for it. The swap of the stored state is atomic (GETSET), so
 * replicas and repeated calls never send a change twice; a failed send is not retried by the next
 * run (the change has been had). Only the swap is awaited: the message is handed to the outbox,
 * which sends it after (and apart from) the run, so a receiver that hangs holds neither the run's
 * record nor its profile lock. Resolves with the event handed over.
 */
export async function notifyRun(deps: NotifyDeps, run: RunView): Promise<NotifyEvent | undefined> {
  // A notification must never fail or mask the run it reports (a Redis error here included).
  return notifyChange(deps, run).catch((err: Error) => {
    deps.log.error({ runId: run.runId, err: err.message }, 'run state change not notified');
    return undefined;
  });
}

async function notifyChange(deps: NotifyDeps, run: RunView): Promise<NotifyEvent | undefined> {
  const next = notifyState(run);
  if (next === undefined) return undefined;
  const prev = await deps.store.redis.getset(deps.store.keys.notified, next);
  if (prev === next) return undefined;
  const event: NotifyEvent['event'] | undefined =
    next === 'ok'
      ? prev !== null && prev !== 'ok'
        ? 'recovered'
        : undefined
      : next === 'rejected'
        ? undefined
        : next.startsWith('blocked')
          ? 'blocked'
          : (next as 'failed' | 'partial');
  if (!event) return undefined;
  const hooks = deps.config.notify.filter((h) => h.on.includes(event));
  const e = scrub(buildEvent(deps.config, run, event), deps.config);
  void deps.outbox
    .post(hooks, e)
    .then((taken) =>
      deps.log.info(
        { runId: run.runId, event, webhooks: hooks.length, taken: taken.filter(Boolean).length },
        'run state change notified',
      ),
    );
  return e;
}

const failedOf = (r: RunView) =>
  Object.entries(r.counts)
    .filter(([k]) => k.endsWith('.failed') || k.endsWith('.skipped-dependency'))
    .reduce((n, [, v]) => n + v, 0);

export function runLink(config: Config, profile: string, runId: string): string {
  const base = (config.daemon.publicUrl ?? `http://${config.daemon.http.host}:${config.daemon.http.port}`).replace(
    /\/+$/,
    '',
  );
  return `${base}/runs/${encodeURIComponent(profile)}/${encodeURIComponent(runId)}`;
}

function buildEvent(config: Config, r: RunView, event: NotifyEvent['event']): NotifyEvent {
  const failed = failedOf(r);
  const what = {
    blocked: `is blocked by ${r.blocked?.code ?? 'a safety rule'} (${r.blocked?.reason ?? ''}); nothing was applied. It waits for Approve or Reject until ${r.approval?.expiresAt ?? '?'}.`,
    failed: `failed before applying: ${r.error ?? 'see the run'}.`,
    partial: `ended partial: ${failed} of ${r.totalOps} ops failed or were skipped${r.failures[0] ? ` (first: ${r.failures[0].reason})` : ''}.`,
    recovered: `succeeded again: ${r.done} of ${r.totalOps} ops done.`,
  }[event];
  return {
    event,
    profile: r.profile,
    runId: r.runId,
    status: r.status,
    text: `rostersync: profile ${r.profile}, run ${r.runId} ${what}`,
    link: runLink(config, r.profile, r.runId),
    at: new Date().toISOString(),
    planned: r.planned as Record<string, number>,
    failed,
    ...(r.blocked ? { blocked: r.blocked } : {}),
    ...(r.approval ? { expiresAt: r.approval.expiresAt } : {}),
  };
}

/** Error texts come from APIs and drivers: every configured secret that slipped in is blanked. */
function scrub(e: NotifyEvent, config: Config): NotifyEvent {
  return JSON.parse(scrubberFor(config)(JSON.stringify(e))) as NotifyEvent;
}
