import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/store/redis-server.js';
import { stopProcess, waitListening } from './processes.js';

export const SUFFIX = 'dc=example,dc=com';
export const ADMIN_DN = `cn=admin,${SUFFIX}`;

export interface Slapd {
  url: string;
  port: number;
  dir: string;
  caFile: string;
  password: string;
  /** Signals slapd directly (e.g. SIGKILL to play a server dying mid-read); stop() still cleans up. */
  kill(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

export interface SlapdOptions {
  /** rootpw of the admin DN. */
  password?: string;
  /** Extra modules to load (e.g. ppolicy for pwdAccountLockedTime). */
  modules?: string[];
  /** Extra lines at the end of the database section (limits, access, sizelimit). */
  database?: string[];
  /** Entries added with ldapadd once slapd runs, so overlays (memberof) act on them as on live writes. */
  ldifAfterStart?: string;
}

const SCHEMA = '/etc/ldap/schema';
const MODULES = '/usr/lib/ldap';

/** A private CA and a server certificate for 127.0.0.1/localhost, for StartTLS tests. */
export function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.pem');
  const ext = join(dir, 'ext.cnf');
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    caKey,
    '-out',
    ca,
    '-days',
    '2',
    '-subj',
    '/CN=rostersync test CA',
  ]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=localhost']);
  writeFileSync(
    ext,
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  run([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return { ca, cert, key };
}

/**
 * A real OpenLDAP slapd on a free loopback port with a temporary config and mdb database, loaded
 * with `ldif` by slapadd before it starts (fast for thousands of entries), then with
 * `opts.ldifAfterStart` by ldapadd. Fails loudly.
 */
export async function startSlapd(ldif: string, opts: SlapdOptions = {}): Promise<Slapd> {
  const password = opts.password ?? 'admin-secret-pw';
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-slapd-'));
  mkdirSync(join(dir, 'db'));
  const port = await freePort();
  const certs = makeCerts(dir);
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      `include ${SCHEMA}/core.schema`,
      `include ${SCHEMA}/cosine.schema`,
      `include ${SCHEMA}/nis.schema`,
      `include ${SCHEMA}/inetorgperson.schema`,
      `modulepath ${MODULES}`,
      'moduleload back_mdb',
      'moduleload memberof',
      ...(opts.modules ?? []).map((m) => `moduleload ${m}`),
      `pidfile ${join(dir, 'slapd.pid')}`,
      `TLSCACertificateFile ${certs.ca}`,
      `TLSCertificateFile ${certs.cert}`,
      `TLSCertificateKeyFile ${certs.key}`,
      'sizelimit unlimited',
      'database mdb',
      'maxsize 1073741824',
      `suffix "${SUFFIX}"`,
      `rootdn "${ADMIN_DN}"`,
      `rootpw ${password}`,
      `directory ${join(dir, 'db')}`,
      'index objectClass eq',
      'index entryUUID eq',
      'index modifyTimestamp eq',
      'limits dn.exact="' + ADMIN_DN + '" size=unlimited size.pr=unlimited time=unlimited',
      'overlay memberof',
      ...(opts.database ?? []),
      '',
    ].join('\n'),
  );
  const data = join(dir, 'data.ldif');
  writeFileSync(data, ldif);
  try {
    execFileSync('slapadd', ['-f', conf, '-l', data], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `slapadd failed (is Debian's slapd installed?): ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`,
      { cause: err },
    );
  }
  const child: ChildProcess = spawn('slapd', ['-f', conf, '-h', `ldap://127.0.0.1:${port}/`, '-d', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitListening(port, 15_000, () => child.exitCode !== null, 'slapd');
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}: ${stderr.slice(-2000)}`, { cause: err });
  }
  const stop = async () => {
    // A process that died by a signal has no exitCode and will not emit 'exit' again.
    if (child.exitCode === null && child.signalCode === null) await stopProcess(child, (signal) => child.kill(signal));
    rmSync(dir, { recursive: true, force: true });
  };
  if (opts.ldifAfterStart) {
    const later = join(dir, 'after-start.ldif');
    const pw = join(dir, 'admin.pw');
    writeFileSync(later, opts.ldifAfterStart);
    writeFileSync(pw, password, { mode: 0o600 });
    try {
      execFileSync('ldapadd', ['-x', '-H', `ldap://127.0.0.1:${port}`, '-D', ADMIN_DN, '-y', pw, '-f', later], {
        stdio: 'pipe',
      });
    } catch (err) {
      await stop();
      throw new Error(
        `ldapadd into the test slapd failed (is Debian's ldap-utils installed?): ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`,
        { cause: err },
      );
    }
  }
  return {
    url: `ldap://127.0.0.1:${port}`,
    port,
    dir,
    caFile: certs.ca,
    password,
    kill: (signal) => void child.kill(signal),
    stop,
  };
}
