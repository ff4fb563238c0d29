import { formatDuration } from '../plan/render.js';

/** A progress bar on a TTY (done/total, rate, ETA); a line every `everyMs` otherwise (logs, CI). */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr, everyMs = 10_000) {
  const start = Date.now();
  let lastLine = 0;
  let lastDone = -1;
  const render = (done: number, total: number) => {
    const secs = (Date.now() - start) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? (total - done) / rate : 0;
    return { secs, rate, eta, pct: total > 0 ? (done * 100) / total : 100 };
  };
  return {
    update(done: number, total: number) {
      if (done === lastDone) return;
      lastDone = done;
      const { rate, eta, pct } = render(done, total);
      if (stream.isTTY) {
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        stream.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${pct.toFixed(0)}%  ${rate.toFixed(1)} ops/s  ETA ${formatDuration(eta)}   `,
        );
      } else if (Date.now() - lastLine >= everyMs || done === total) {
        lastLine = Date.now();
        stream.write(
          `progress ${done}/${total} (${pct.toFixed(0)}%), ${rate.toFixed(1)} ops/s, ETA ${formatDuration(eta)}\n`,
        );
      }
    },
    finish() {
      if (stream.isTTY && lastDone >= 0) stream.write('\n');
    },
  };
}
