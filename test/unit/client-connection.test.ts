/** Temporal's connection conventions: environment and profiles in the standard config file, as the `temporal` CLI reads them. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { temporalSettings } from '../../src/client/connection';
import { BeadflowError } from '../../src/shared/errors';
import { tempDir } from '../helpers/agents';

const tmp = tempDir('beadflow-envconfig-');
after(() => tmp.remove());

test('defaults: the local dev server, namespace default, no TLS', () => {
  const s = temporalSettings({ TEMPORAL_CONFIG_FILE: path.join(tmp.dir, 'none.toml') });
  assert.deepEqual(s, { address: 'localhost:7233', namespace: 'default', connection: { address: 'localhost:7233' } });
});

test('environment: address, namespace, an API key (which turns TLS on, as for Temporal Cloud)', () => {
  const s = temporalSettings({
    TEMPORAL_ADDRESS: 'ns.acct.tmprl.test:7233',
    TEMPORAL_NAMESPACE: 'ns.acct',
    TEMPORAL_API_KEY: 'key-1',
    TEMPORAL_CONFIG_FILE: path.join(tmp.dir, 'none.toml'),
  });
  assert.equal(s.address, 'ns.acct.tmprl.test:7233');
  assert.equal(s.namespace, 'ns.acct');
  assert.equal(s.connection.apiKey, 'key-1');
  assert.equal(s.connection.tls, true);
});

test('a profile in the config file: TLS client certificate and key, server name', () => {
  const cert = path.join(tmp.dir, 'client.pem');
  const key = path.join(tmp.dir, 'client.key');
  writeFileSync(cert, 'CERT');
  writeFileSync(key, 'KEY');
  const file = path.join(tmp.dir, 'temporal.toml');
  writeFileSync(
    file,
    `[profile.prod]\naddress = "cluster.internal:7233"\nnamespace = "beads"\n[profile.prod.tls]\nclient_cert_path = "${cert}"\nclient_key_path = "${key}"\nserver_name = "cluster.internal"\n`,
  );
  const s = temporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
  assert.equal(s.address, 'cluster.internal:7233');
  assert.equal(s.namespace, 'beads');
  const tls = s.connection.tls as { serverNameOverride?: string; clientCertPair?: { crt: Buffer; key: Buffer } };
  assert.equal(tls.serverNameOverride, 'cluster.internal');
  assert.equal(Buffer.from(tls.clientCertPair!.crt).toString(), 'CERT');
});

test('a broken config file is a usage error that names what to check', () => {
  const file = path.join(tmp.dir, 'broken.toml');
  writeFileSync(file, '[profile.x\naddress = ');
  assert.throws(
    () => temporalSettings({ TEMPORAL_CONFIG_FILE: file }),
    (err: unknown) => err instanceof BeadflowError && err.kind === 'usage' && /TEMPORAL_CONFIG_FILE/.test(err.hint ?? ''),
  );
});
