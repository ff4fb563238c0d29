#!/usr/bin/env node
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
// Every command has closed what it opened by now. A handle a library still holds (a BullMQ
// worker's lock timer after Redis went away) must not keep a finished command alive: unref'd,
// this fires only when something else is still keeping the process up.
setTimeout(() => process.exit(), 2000).unref();
