import type { TestProject } from 'vitest/node';
import { startSambaDc } from '../../support/samba-dc.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ad: { url: string; baseDn: string; bindDn: string; password: string };
  }
}

/** A real Samba AD DC for the Active Directory preset. Fails loudly when it cannot start. */
export default async function setup(project: TestProject) {
  const dc = await startSambaDc();
  project.provide('ad', { url: dc.url, baseDn: dc.baseDn, bindDn: dc.bindDn, password: dc.password });
  return () => dc.stop();
}
