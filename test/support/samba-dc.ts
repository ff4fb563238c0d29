import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listening, stopProcess, waitListening } from './processes.js';

export interface SambaDc {
  url: string;
  baseDn: string;
  bindDn: string;
  password: string;
  stop(): Promise<void>;
}

const PASSWORD = 'Rs-test-Passw0rd!';

/**
 * A real Samba Active Directory domain controller on 127.0.0.1:389 (Samba cannot move its LDAP
 * port), provisioned into a temporary directory. Only the LDAP service runs; simple binds over
 * plain LDAP are allowed because the test talks to it on loopback only.
 */
export async function startSambaDc(): Promise<SambaDc> {
  if (await listening(389))
    throw new Error('port 389 on 127.0.0.1 is taken: the Samba AD DC test needs it (Samba has no LDAP port option)');
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-samba-'));
  try {
    execFileSync(
      'samba-tool',
      [
        'domain',
        'provision',
        '--realm=CORP.TEST',
        '--domain=CORP',
        '--server-role=dc',
        '--dns-backend=NONE',
        `--adminpass=${PASSWORD}`,
        `--targetdir=${dir}`,
        '--option=interfaces=lo',
        '--option=bind interfaces only=yes',
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `samba-tool domain provision failed (Debian packages samba, samba-ad-dc, samba-ad-provision): ${(err as { stderr?: Buffer }).stderr?.toString().slice(-1500) ?? err}`,
      { cause: err },
    );
  }
  const conf = join(dir, 'etc', 'smb.conf');
  writeFileSync(
    conf,
    readFileSync(conf, 'utf8').replace(
      '[global]',
      `[global]\n\tldap server require strong auth = no\n\tserver services = ldap\n\tlog file = ${join(dir, 'samba.log')}`,
    ),
  );
  // Its own process group: samba forks helpers (smbd, winbindd) that must stop with it.
  const child = spawn('samba', ['-i', '-M', 'single', '-s', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const killAll = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitListening(389, 30_000, () => child.exitCode !== null, 'samba (LDAP)');
  } catch (err) {
    killAll('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}: ${stderr.slice(-1500)}`, { cause: err });
  }
  return {
    url: 'ldap://127.0.0.1:389',
    baseDn: 'DC=corp,DC=test',
    bindDn: 'Administrator@corp.test',
    password: PASSWORD,
    async stop() {
      await stopProcess(child, killAll);
      killAll('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
