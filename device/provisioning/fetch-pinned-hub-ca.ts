/**
 * First contact with a hub: the kiosk does not trust it yet, so it opens TLS without verifying, reads the
 * certificate chain the hub presents, and keeps the CA certificate whose SHA-256 is the one in the enrolment
 * code — or refuses (ENROL_HUB_CA_MISMATCH) before sending anything. The enrolment request then goes over a
 * second, fully verified connection that trusts only that CA (request-enrolment.ts), so the hub must also hold
 * the private key of a certificate that CA signed for the host name the technician typed.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { connect, type DetailedPeerCertificate } from 'node:tls';
import { CodedError } from '../../core/errors/coded-error.ts';

export async function fetchPinnedHubCa(hub: URL, caSha256: string, timeoutMs = 10_000): Promise<string> {
  const chain = await new Promise<DetailedPeerCertificate>((resolve, reject) => {
    const socket = connect({ host: hub.hostname, port: Number(hub.port || 443), servername: isIp(hub.hostname) ? undefined : hub.hostname, rejectUnauthorized: false, timeout: timeoutMs }, () => {
      const peer = socket.getPeerCertificate(true);
      socket.end();
      resolve(peer);
    });
    socket.once('timeout', () => socket.destroy(new Error(`no TLS answer within ${timeoutMs} ms`)));
    socket.once('error', (error: Error) => reject(new CodedError('ENROL_HUB_UNREACHABLE', `cannot reach ${hub.host} over TLS: ${error.message}`)));
  });
  const seen: string[] = [];
  for (let cert: DetailedPeerCertificate | undefined = chain; cert?.raw; cert = cert.issuerCertificate === cert ? undefined : cert.issuerCertificate) {
    const hash = createHash('sha256').update(cert.raw).digest('hex');
    seen.push(hash);
    if (hash === caSha256) return new X509Certificate(cert.raw).toString();
  }
  throw new CodedError('ENROL_HUB_CA_MISMATCH', `${hub.host} presented no CA certificate with the SHA-256 the code names (${caSha256.slice(0, 16)}…; saw ${seen.map((h) => `${h.slice(0, 16)}…`).join(', ') || 'none'}): not the hub that made this code`);
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}
