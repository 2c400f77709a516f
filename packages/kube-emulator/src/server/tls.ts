import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A generated certificate authority and a serving certificate signed by it (PEM). @public */
export interface ServingCertificates {
  caCert: string;
  cert: string;
  key: string;
}

function rsaKeyPair() {
  // Node's native key generation is ~100x faster than forge's pure-JS RSA.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    privateKeyPem: privateKey,
    forgePrivate: forge.pki.privateKeyFromPem(privateKey),
    forgePublic: forge.pki.publicKeyFromPem(publicKey),
  };
}

function serial(): string {
  // Positive serial number (first bit clear).
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

/**
 * Generates a CA ("kube-emulator-ca") and a serving certificate for the given hosts
 * (always 127.0.0.1, ::1 and localhost), valid for ten years.
 * @public
 */
export function generateServingCertificates(
  extraHosts: string[] = [],
): ServingCertificates {
  const now = new Date(Date.now() - 60_000);
  const expiry = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);

  const ca = rsaKeyPair();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.forgePublic;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = now;
  caCert.validity.notAfter = expiry;
  const caSubject = [{ name: 'commonName', value: 'kube-emulator-ca' }];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    {
      name: 'keyUsage',
      keyCertSign: true,
      cRLSign: true,
      digitalSignature: true,
      critical: true,
    },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.forgePrivate, forge.md.sha256.create());

  const server = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = server.forgePublic;
  cert.serialNumber = serial();
  cert.validity.notBefore = now;
  cert.validity.notAfter = expiry;
  cert.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  cert.setIssuer(caSubject);
  const hosts = new Set([
    '127.0.0.1',
    '::1',
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    ...extraHosts,
  ]);
  const altNames = [...hosts].map(h =>
    /^[\d.]+$/.test(h) || h.includes(':')
      ? { type: 7, ip: h }
      : { type: 2, value: h },
  );
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    {
      name: 'keyUsage',
      digitalSignature: true,
      keyEncipherment: true,
      critical: true,
    },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  cert.sign(ca.forgePrivate, forge.md.sha256.create());

  return {
    caCert: forge.pki.certificateToPem(caCert),
    cert: forge.pki.certificateToPem(cert),
    key: server.privateKeyPem,
  };
}
