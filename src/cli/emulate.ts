import { startEmulatorFromArgs } from '../targets/chartio/emulator/index.js';
import { startGrafanaEmulatorFromArgs } from '../targets/grafana/emulator/index.js';
import { intOption, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';

const HELP = `rostersync emulate [--target chartio|grafana] [--port N] [--host 127.0.0.1]
                   [--rate-limit MAX/SECONDS | --no-rate-limit] [--latency MS[-MS]] [--error-rate R] [--seed N]
  chartio only:    [--org SLUG] [--api-key KEY] [--preload FILE]
  grafana only:    [--grafana-version X.Y.Z] [--admin-user LOGIN]

Runs a strict target API emulator until Ctrl-C.
  chartio (default): the Chartio Admin API (seed 001 statuses, HAL paging, caps, per-IP rate limit).
    The API secret comes from CHARTIO_API_SECRET (default "emulator-secret"); the base URL is http://HOST:PORT/v1.
  grafana: Grafana's org, team and user API as Grafana 10/11 answers it (default version 11.3.0, no
    rate limit unless asked). The admin password comes from GRAFANA_ADMIN_PASSWORD (default "admin"),
    the service-account token (org 1, Admin) from GRAFANA_TOKEN (default "glsa_emulator_token");
    the base URL is http://HOST:PORT.
Both answer GET /_emulator/log, GET /_emulator/stats, POST /_emulator/reset and PATCH /_emulator/options.`;

const CHARTIO_ONLY = ['org', 'api-key', 'preload'] as const;
const GRAFANA_ONLY = ['grafana-version', 'admin-user'] as const;

export async function emulateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    target: { type: 'string' },
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    org: { type: 'string' },
    'api-key': { type: 'string' },
    preload: { type: 'string' },
    'grafana-version': { type: 'string' },
    'admin-user': { type: 'string' },
    'rate-limit': { type: 'string' },
    'no-rate-limit': { type: 'boolean' },
    latency: { type: 'string' },
    'error-rate': { type: 'string' },
    seed: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const target = values.target ?? 'chartio';
  if (target !== 'chartio' && target !== 'grafana') throw new UsageError(`--target expects chartio or grafana, got "${target}"`);
  const foreign = (target === 'chartio' ? GRAFANA_ONLY : CHARTIO_ONLY).find((k) => values[k] !== undefined);
  if (foreign) throw new UsageError(`--${foreign} does not apply to --target ${target}`);

  const shared = {
    port: intOption(values.port, '--port') ?? (target === 'grafana' ? 3000 : 8089),
    host: values.host ?? '127.0.0.1',
    ...(values['no-rate-limit'] ? { rateLimit: false as const } : values['rate-limit'] ? { rateLimit: rateLimit(values['rate-limit']) } : {}),
    ...(values.latency ? { latencyMs: latency(values.latency) } : {}),
    ...(values['error-rate'] ? { errorRate: Number(values['error-rate']) } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
  };
  let close: () => Promise<void>;
  if (target === 'grafana') {
    const emulator = await startGrafanaEmulatorFromArgs({
      ...shared,
      ...(values['grafana-version'] ? { version: values['grafana-version'] } : {}),
      ...(values['admin-user'] ? { adminUser: values['admin-user'] } : {}),
      ...(process.env.GRAFANA_ADMIN_PASSWORD ? { adminPassword: process.env.GRAFANA_ADMIN_PASSWORD } : {}),
      ...(process.env.GRAFANA_TOKEN ? { tokens: [{ token: process.env.GRAFANA_TOKEN, orgId: 1, role: 'Admin' as const }] } : {}),
    });
    process.stdout.write(`Grafana emulator ${emulator.options.version} on ${emulator.url}; Ctrl-C stops it\n`);
    close = emulator.close;
  } else {
    const emulator = await startEmulatorFromArgs({
      ...shared,
      ...(values.org ? { org: values.org } : {}),
      ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
      ...(process.env.CHARTIO_API_SECRET ? { apiSecret: process.env.CHARTIO_API_SECRET } : {}),
      ...(values.preload ? { preloadFile: values.preload } : {}),
    });
    process.stdout.write(`Chartio emulator on ${emulator.url}/v1 (org "${emulator.options.org}"); Ctrl-C stops it\n`);
    close = emulator.close;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await close();
  return EXIT.ok;
}

function rateLimit(v: string): { max: number; windowMs: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m) throw new UsageError(`--rate-limit expects MAX/SECONDS such as 5000/300, got "${v}"`);
  return { max: Number(m[1]), windowMs: Number(m[2]) * 1000 };
}

function latency(v: string): number | [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(v);
  if (!m) throw new UsageError(`--latency expects MS or MIN-MAX, got "${v}"`);
  return m[2] ? [Number(m[1]), Number(m[2])] : Number(m[1]);
}
