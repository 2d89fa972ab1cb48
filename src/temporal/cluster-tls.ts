/**
 * TLS for the cluster's frontend (`server --cluster --tls-cert F --tls-key F [--tls-ca F]`).
 * The files are checked before the server starts (a bad file would otherwise surface as a
 * handshake failure deep in the server's log). With a CA, clients must present a certificate it
 * signed (mTLS), and the cluster's own clients (system worker, Web UI, the readiness check)
 * present the server's certificate, so that one needs the clientAuth usage too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { X509Certificate, createPrivateKey } from 'node:crypto';

export interface ClusterTlsFiles {
  certFile: string;
  keyFile: string;
  /** CA that signed the client certificates to accept; turns on mTLS. */
  caFile?: string;
}

export interface ClusterTls extends Required<Omit<ClusterTlsFiles, 'caFile'>> {
  caFile?: string;
  /** The name internal clients verify the frontend by: the certificate's first DNS (else IP) name. */
  serverName: string;
  mutual: boolean;
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

function readPem(file: string, what: string, flag: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read the ${what} ${file} (${flag}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function parseCert(pem: Buffer, file: string, flag: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new Error(`${file} (${flag}) is not a PEM certificate; give the file that starts with -----BEGIN CERTIFICATE-----`);
  }
}

function firstName(cert: X509Certificate): string | undefined {
  const names = (cert.subjectAltName ?? '').split(',').map((s) => s.trim());
  const dns = names.find((n) => n.startsWith('DNS:'));
  if (dns) return dns.slice(4);
  const ip = names.find((n) => n.startsWith('IP Address:'));
  return ip?.slice('IP Address:'.length);
}

/** Validates the files and derives what the config needs; every error names the file and the fix. */
export function resolveClusterTls(files: ClusterTlsFiles): ClusterTls {
  const certFile = path.resolve(files.certFile);
  const keyFile = path.resolve(files.keyFile);
  const cert = parseCert(readPem(certFile, 'TLS certificate', '--tls-cert'), certFile, '--tls-cert');
  let key;
  try {
    key = createPrivateKey(readPem(keyFile, 'TLS key', '--tls-key'));
  } catch (err) {
    if ((err as Error).message.startsWith('cannot read')) throw err;
    throw new Error(`${keyFile} (--tls-key) is not a PEM private key (unencrypted; Temporal cannot ask for a passphrase)`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new Error(`the TLS key ${keyFile} does not belong to the certificate ${certFile}; give the key the certificate was made for`);
  }
  const serverName = firstName(cert);
  if (!serverName) {
    throw new Error(
      `the certificate ${certFile} names no host (no subjectAltName); make one with subjectAltName=DNS:localhost,IP:127.0.0.1`,
    );
  }
  if (!files.caFile) return { certFile, keyFile, serverName, mutual: false };
  const caFile = path.resolve(files.caFile);
  const ca = parseCert(readPem(caFile, 'CA certificate', '--tls-ca'), caFile, '--tls-ca');
  if (!cert.verify(ca.publicKey)) {
    throw new Error(`the certificate ${certFile} is not signed by the CA ${caFile}; the cluster's own clients verify it with that CA`);
  }
  const usages = cert.keyUsage;
  if (usages && usages.length && !usages.includes(CLIENT_AUTH_OID)) {
    throw new Error(
      `with --tls-ca (mTLS) the cluster's own clients present ${certFile}, which lacks the clientAuth usage; ` +
        `make it with extendedKeyUsage=serverAuth,clientAuth`,
    );
  }
  return { certFile, keyFile, caFile, serverName, mutual: true };
}

function q(s: string): string {
  return JSON.stringify(s);
}

/** `global.tls`: the frontend serves TLS; system workers reach it with the same certificate. Internode stays on loopback, plain. */
export function renderTlsSection(tls: ClusterTls | undefined, indent = '  '): string {
  if (!tls) return '';
  const rootCa = tls.caFile ?? tls.certFile;
  const lines = [
    `tls:`,
    `  frontend:`,
    `    server:`,
    `      certFile: ${q(tls.certFile)}`,
    `      keyFile: ${q(tls.keyFile)}`,
    ...(tls.mutual ? [`      requireClientAuth: true`, `      clientCaFiles: [${q(tls.caFile!)}]`] : []),
    `  systemWorker:`,
    `    certFile: ${q(tls.certFile)}`,
    `    keyFile: ${q(tls.keyFile)}`,
    `    client:`,
    `      serverName: ${q(tls.serverName)}`,
    `      rootCaFiles: [${q(rootCa)}]`,
  ];
  return lines.map((l) => `${indent}${l}\n`).join('');
}

/** The Web UI server's `tls:` block (its own config format). */
export function renderUiTls(tls: ClusterTls | undefined): string {
  if (!tls) return '';
  return `tls:
  caFile: ${q(tls.caFile ?? tls.certFile)}
  certFile: ${q(tls.certFile)}
  keyFile: ${q(tls.keyFile)}
  serverName: ${q(tls.serverName)}
  enableHostVerification: true
`;
}

/** Connection options for our own client of the cluster (readiness, namespace, search attributes). */
export function clientTlsOptions(tls: ClusterTls): {
  serverNameOverride: string;
  serverRootCACertificate: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
} {
  return {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: fs.readFileSync(tls.caFile ?? tls.certFile),
    ...(tls.mutual ? { clientCertPair: { crt: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) } } : {}),
  };
}
