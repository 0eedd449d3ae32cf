/**
 * GET a JSON answer with Node's own HTTP client, over kept-alive connections. The trace is
 * read this way rather than with `fetch`: a subscriber that keeps up with a busy server reads
 * a page every few tens of milliseconds, and `fetch` (its web streams, a promise per chunk)
 * took about half again as much CPU per page of the same events.
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface JsonAnswer {
  readonly status: number;
  readonly ok: boolean;
  readonly body: unknown;
}

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/** The answer's status and parsed body; rejects on a network error, an abort, or a body that is not JSON. */
export function getJson(url: URL, signal?: AbortSignal): Promise<JsonAnswer> {
  const protocol = url.protocol === 'https:' ? 'https:' : url.protocol === 'http:' ? 'http:' : undefined;
  if (protocol === undefined) return Promise.reject(new Error(`Only http and https URLs are read, not ${url.protocol}`));
  const get = protocol === 'https:' ? https.get : http.get;
  return new Promise<JsonAnswer>((resolve, reject) => {
    const req = get(url, { agent: agents[protocol], signal, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status, ok: status >= 200 && status < 300, body: JSON.parse(text) as unknown });
        } catch {
          reject(new Error(`the answer (${status}) is not JSON: ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('error', reject);
  });
}
