import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');
/** JSON-array (exec form) value of a Dockerfile instruction in the final stage. */
const execForm = (dockerfile: string, instruction: string): string[] => {
  const lines = dockerfile.split('\n').filter((l) => l.startsWith(`${instruction} `));
  return JSON.parse(lines.at(-1)!.slice(instruction.length + 1)) as string[];
};

describe('container image', () => {
  const dockerfile = read('Dockerfile');

  it('starts the command the README documents', () => {
    const argv = [...execForm(dockerfile, 'ENTRYPOINT'), ...execForm(dockerfile, 'CMD')];
    const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string> };
    expect(argv.slice(0, 2)).toEqual(['node', pkg.bin.rostersync]);
    const documented = /^rostersync (run .*)$/m.exec(read('README.md'))![1]!.split(' ');
    expect(argv.slice(2)).toEqual(documented);
  });

  it('runs on the Node major the test suite is also run under in CI', () => {
    const majors = [...dockerfile.matchAll(/^FROM node:(\d+)-/gm)].map((m) => m[1]);
    expect(new Set(majors).size).toBe(1);
    expect(read('.ci/run')).toContain(`node@${majors[0]}`);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
  });
});
