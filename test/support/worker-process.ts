// A second worker process for tests: runs op workers on the config's Redis until SIGTERM, then
// prints how many op outcomes it recorded.
import { openRuntime } from '../../src/app/runtime.js';
import { silentLogger } from '../../src/log/logger.js';

const rt = await openRuntime(process.argv[2]!, { log: silentLogger });
let handled = 0;
rt.startWorkers({ onOutcome: () => void (handled += 1) });
process.stdout.write('worker ready\n');
process.once('SIGTERM', async () => {
  await rt.close();
  process.stdout.write(`handled ${handled}\n`);
  process.exit(0);
});
