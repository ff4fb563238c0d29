import { startEmulatorFromArgs } from '../targets/chartio/emulator/index.js';
import { intOption, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';

const HELP = `rostersync emulate [--port N] [--host 127.0.0.1] [--org SLUG] [--api-key KEY] [--preload FILE]
                   [--rate-limit MAX/SECONDS | --no-rate-limit] [--latency MS[-MS]] [--error-rate R] [--seed N]

Runs the strict Chartio Admin API emulator (seed 001 statuses, HAL paging, caps, per-IP rate limit)
until Ctrl-C. The API secret comes from CHARTIO_API_SECRET (default "emulator-secret"); the base URL
to configure is http://HOST:PORT/v1.`;

export async function emulateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    org: { type: 'string' },
    'api-key': { type: 'string' },
    preload: { type: 'string' },
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
  const port = intOption(values.port, '--port') ?? 8089;
  const emulator = await startEmulatorFromArgs({
    port,
    host: values.host ?? '127.0.0.1',
    ...(values.org ? { org: values.org } : {}),
    ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
    ...(process.env.CHARTIO_API_SECRET ? { apiSecret: process.env.CHARTIO_API_SECRET } : {}),
    ...(values.preload ? { preloadFile: values.preload } : {}),
    ...(values['no-rate-limit'] ? { rateLimit: false as const } : values['rate-limit'] ? { rateLimit: rateLimit(values['rate-limit']) } : {}),
    ...(values.latency ? { latencyMs: latency(values.latency) } : {}),
    ...(values['error-rate'] ? { errorRate: Number(values['error-rate']) } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
  });
  process.stdout.write(`Chartio emulator on ${emulator.url}/v1 (org "${emulator.options.org}"); Ctrl-C stops it\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.close();
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
