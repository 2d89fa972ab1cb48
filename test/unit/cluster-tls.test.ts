/** `server --cluster --tls-*`: bad files stop before anything starts, naming the file and the fix; the config blocks. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { renderTlsSection, renderUiTls, resolveClusterTls } from '../../src/temporal/cluster-tls';
import { makeTestCerts, signWithTestCa } from '../helpers/certs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-tls-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const certs = makeTestCerts(dir);

test('valid mTLS files: absolute paths, the server name from the certificate', () => {
  const tls = resolveClusterTls({ certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.ca });
  assert.deepEqual(tls, { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.ca, serverName: 'localhost', mutual: true });
  const yaml = renderTlsSection(tls);
  assert.match(yaml, /requireClientAuth: true/);
  assert.match(yaml, new RegExp(`clientCaFiles: \\[${JSON.stringify(certs.ca).replace(/[/.]/g, '\\$&')}\\]`));
  assert.match(yaml, /systemWorker:\n {6}certFile:/);
  assert.match(renderUiTls(tls), /serverName: "localhost"/);
  assert.equal(renderTlsSection(undefined), '');
});

test('TLS without a CA: no client authentication; internal clients trust the certificate itself', () => {
  const tls = resolveClusterTls({ certFile: certs.serverCert, keyFile: certs.serverKey });
  assert.equal(tls.mutual, false);
  assert.doesNotMatch(renderTlsSection(tls), /requireClientAuth/);
  assert.match(renderTlsSection(tls), new RegExp(`rootCaFiles: \\[${JSON.stringify(certs.serverCert).replace(/[/.]/g, '\\$&')}\\]`));
});

test('bad input: each error names the file, the flag and the fix', () => {
  const missing = path.join(dir, 'nope.pem');
  assert.throws(
    () => resolveClusterTls({ certFile: missing, keyFile: certs.serverKey }),
    /cannot read the TLS certificate .*nope\.pem \(--tls-cert\): ENOENT/,
  );
  assert.throws(() => resolveClusterTls({ certFile: certs.serverCert, keyFile: missing }), /cannot read the TLS key .*\(--tls-key\)/);
  assert.throws(() => resolveClusterTls({ certFile: certs.serverKey, keyFile: certs.serverKey }), /not a PEM certificate/);
  assert.throws(() => resolveClusterTls({ certFile: certs.serverCert, keyFile: certs.clientKey }), /does not belong to the certificate/);
  assert.throws(
    () => resolveClusterTls({ certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.clientCert }),
    /not signed by the CA/,
  );
  // The client certificate has no server name.
  assert.throws(
    () => resolveClusterTls({ certFile: certs.clientCert, keyFile: certs.clientKey }),
    /names no host.*subjectAltName=DNS:localhost/,
  );
  const garbage = path.join(dir, 'garbage.key');
  writeFileSync(garbage, 'not a key');
  assert.throws(() => resolveClusterTls({ certFile: certs.serverCert, keyFile: garbage }), /not a PEM private key/);
});

test('mTLS needs the clientAuth usage on the server certificate (the cluster presents it to itself)', () => {
  const ca = certs.ca;
  const { cert, key } = signWithTestCa(dir, 'serveronly', '/CN=localhost', 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  assert.throws(
    () => resolveClusterTls({ certFile: cert, keyFile: key, caFile: ca }),
    /lacks the clientAuth usage; make it with extendedKeyUsage=serverAuth,clientAuth/,
  );
  assert.equal(resolveClusterTls({ certFile: cert, keyFile: key }).mutual, false, 'fine without mTLS');
});
