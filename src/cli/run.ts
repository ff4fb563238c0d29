import { startDaemon, type Role } from '../daemon/daemon.js';
import { parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';

const HELP = `rostersync run --config FILE [--role all|scheduler|worker]

The long-running daemon: schedules syncs per profile (node-cron, timezone-aware), runs sync and
op workers, and serves /healthz, /readyz, /metrics and a status page (daemon.http in the config).
Any number of replicas may run on one Redis: each tick produces exactly one sync.
  --role scheduler   only schedule ticks        --role worker   only run syncs and ops
SIGTERM/SIGINT: stop taking jobs, let in-flight work finish (daemon.shutdownTimeoutMs), hand back the rest.`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' }, role: { type: 'string' } });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.config) throw new UsageError('--config FILE is required\n\n' + HELP);
  const role = (values.role ?? 'all') as Role;
  if (!['all', 'scheduler', 'worker'].includes(role))
    throw new UsageError(`--role must be all, scheduler or worker, got "${role}"`);
  const daemon = await startDaemon(values.config, { role });
  await new Promise<void>((resolve) => {
    const stop = () => {
      // A second signal while draining gets Node's default: the process ends at once.
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await daemon.close();
  // A handle a library left open (Redis vanished mid-shutdown) must not keep a stopped daemon alive.
  setTimeout(() => process.exit(), 2000).unref();
  return EXIT.ok;
}
