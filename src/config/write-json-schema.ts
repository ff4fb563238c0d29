import { writeFileSync } from 'node:fs';
import { configJsonSchema } from './json-schema.js';

// npm run schema: regenerates config/schema.json (a unit test fails when it is stale).
writeFileSync(new URL('../../config/schema.json', import.meta.url), JSON.stringify(configJsonSchema(), null, 2) + '\n');
