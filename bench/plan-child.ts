// Runs one planning measurement in a fresh process, so its peak RSS is the planning step's own.
import { planScale } from './plan-scale.js';

const [people, groups, memberships] = process.argv.slice(2).map(Number);
process.stdout.write(JSON.stringify(planScale(people!, groups!, memberships!)) + '\n');
