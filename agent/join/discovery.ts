/**
 * Discovery: reading the public cluster-info ConfigMap (server URL and cluster CA) from an API
 * server without credentials, as kubeadm's token discovery does. Without a CA the server's
 * certificate is not checked, so the answer proves nothing until the caller compares the CA with
 * its pin; with a CA it is checked as every later request will be.
 */
import https from 'node:https';
import { CLUSTER_INFO_PATH, parseClusterInfo, type ClusterInfo } from '../../control-plane/api/cluster-info.js';

const TIMEOUT_MS = 10_000;

/**
 * GETs cluster-info from `server` anonymously; verifies the server certificate against `caCertPem`
 * when given, accepts any certificate otherwise. Rejects with an Error that names the server and
 * what failed (unreachable, TLS, an HTTP error, a malformed answer).
 */
export function fetchClusterInfo(server: string, caCertPem?: string): Promise<ClusterInfo> {
  const url = new URL(CLUSTER_INFO_PATH, server);
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`cannot read cluster-info from ${server}: ${why}`));
    const req = https.get(url, { ca: caCertPem, rejectUnauthorized: caCertPem !== undefined, timeout: TIMEOUT_MS, headers: { Accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode}: ${body.slice(0, 300)}`);
        try {
          resolve(parseClusterInfo(JSON.parse(body)));
        } catch (err) {
          fail((err as Error).message);
        }
      });
      res.on('error', (err) => fail(err.message));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (err) => fail(err.message));
  });
}
