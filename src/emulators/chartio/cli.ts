import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { createLogger, type Logger } from '../../log/logger.js';
import { EmulatorOptionError } from './options.js';
import { createChartioEmulator, type ChartioEmulator } from './server.js';
import type { ChartioEmulatorOptions, PreloadData } from './types.js';

export type EmulatorArgs = Omit<ChartioEmulatorOptions, 'preload' | 'logger'> & {
  /** JSON file with {users?, teams?, dashboards?, datasources?} (see PreloadData). */
  preloadFile?: string;
  logger?: Logger;
};

const preloadSchema = z.object({
  users: z
    .array(
      z.union([
        z.string(),
        z.object({ email: z.string(), displayName: z.string().optional(), teams: z.array(z.string()).optional() }),
      ]),
    )
    .optional(),
  teams: z
    .array(z.union([z.string(), z.object({ name: z.string(), members: z.array(z.string()).optional() })]))
    .optional(),
  dashboards: z
    .array(
      z.object({
        title: z.string(),
        slug: z.string().optional(),
        linkSharingAccess: z.enum(['none', 'viewer', 'editor']).optional(),
      }),
    )
    .optional(),
  datasources: z
    .array(z.object({ alias: z.string(), slug: z.string().optional(), dstype: z.string().optional() }))
    .optional(),
});

/** Entry point of `rostersync emulate`: starts the emulator and logs where it listens (never the secret). */
export async function startEmulatorFromArgs(args: EmulatorArgs = {}): Promise<ChartioEmulator> {
  const { preloadFile, logger, ...options } = args;
  const log = logger ?? createLogger();
  const preload = preloadFile ? await readPreload(preloadFile) : undefined;
  const emulator = await createChartioEmulator({ ...options, ...(preload ? { preload } : {}), logger: log });
  log.info(
    {
      baseUrl: `${emulator.url}/v1`,
      org: emulator.options.org,
      apiKey: emulator.options.apiKey,
      defaultSecret: args.apiSecret === undefined,
      rateLimit: emulator.options.rateLimit,
      users: emulator.state.users.size,
      teams: emulator.state.teams.size,
    },
    'chartio emulator ready',
  );
  return emulator;
}

async function readPreload(path: string): Promise<PreloadData> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new EmulatorOptionError(
      `preloadFile: cannot read JSON from ${path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const parsed = preloadSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmulatorOptionError(
      `preloadFile: ${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
