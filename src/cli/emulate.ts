import type { EmulatorPlugin } from '../emulators/index.js';
import { TARGET_KINDS } from '../targets/registry.js';
import { intOption, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';

const SHARED_FLAGS = {
  target: { type: 'string' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  'rate-limit': { type: 'string' },
  'no-rate-limit': { type: 'boolean' },
  latency: { type: 'string' },
  'error-rate': { type: 'string' },
  seed: { type: 'string' },
} as const;

/** Every target that ships an emulator, by kind in registry order; the first registered target is the default. */
async function emulators(): Promise<Map<string, EmulatorPlugin>> {
  const { loadEmulators } = await import('../emulators/registry.js');
  return loadEmulators(TARGET_KINDS);
}

async function help(): Promise<string> {
  const all = await emulators();
  const lines = [...all].map(([kind, e]) => `${kind}${kind === TARGET_KINDS[0] ? ' (default)' : ''}:\n${e.help}`);
  return `rostersync emulate [--target ${[...all.keys()].join('|')}] [--port N] [--host 127.0.0.1]
                   [--rate-limit MAX/SECONDS | --no-rate-limit] [--latency MS[-MS]] [--error-rate R] [--seed N]

Runs a strict target API emulator until Ctrl-C. Every emulator answers GET /_emulator/log,
GET /_emulator/stats, POST /_emulator/reset and PATCH /_emulator/options.

${lines.join('\n\n')}`;
}

export async function emulateCommand(argv: string[]): Promise<number> {
  const all = await emulators();
  const targetFlags = Object.fromEntries([...all.values()].flatMap((e) => Object.entries(e.flags)));
  const values = parse(argv, { ...SHARED_FLAGS, ...targetFlags }).values as Record<
    string,
    string | boolean | undefined
  >;
  if (values.help) {
    process.stdout.write((await help()) + '\n');
    return EXIT.ok;
  }
  const kind = typeof values.target === 'string' ? values.target : TARGET_KINDS[0]!;
  const emulator = all.get(kind);
  if (!emulator) throw new UsageError(`--target expects one of ${[...all.keys()].join(', ')}, got "${kind}"`);
  const foreign = Object.keys(targetFlags).find((k) => !(k in emulator.flags) && values[k] !== undefined);
  if (foreign) throw new UsageError(`--${foreign} does not apply to --target ${kind}`);
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);

  const running = await emulator.start(
    {
      port: intOption(str('port'), '--port') ?? emulator.defaultPort,
      host: str('host') ?? '127.0.0.1',
      ...(values['no-rate-limit']
        ? { rateLimit: false as const }
        : str('rate-limit')
          ? { rateLimit: rateLimit(str('rate-limit')!) }
          : {}),
      ...(str('latency') ? { latencyMs: latency(str('latency')!) } : {}),
      ...(str('error-rate') ? { errorRate: Number(str('error-rate')) } : {}),
      ...(str('seed') ? { seed: Number(str('seed')) } : {}),
    },
    Object.fromEntries(Object.keys(emulator.flags).map((k) => [k, values[k] as string | boolean | undefined])),
    process.env,
  );
  process.stdout.write(`${running.summary}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
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
