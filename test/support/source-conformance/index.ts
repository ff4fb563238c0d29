import type { ConformanceAdapter } from './adapter.js';
import { csvAdapter } from './csv.js';
import { entraAdapter } from './entra.js';
import { openldapAdapter, sambaAdAdapter } from './ldap.js';

export type { AdapterContext, ConformanceAdapter, LoadedDirectory } from './adapter.js';

/** The conformance adapters of each registered source kind; a kind missing here fails the suite. */
export const CONFORMANCE_ADAPTERS: Partial<Record<string, ConformanceAdapter[]>> = {
  csv: [csvAdapter],
  ldap: [openldapAdapter, sambaAdAdapter],
  entra: [entraAdapter],
};
