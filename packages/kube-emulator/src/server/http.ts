import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError, badRequest } from '../store/errors';

/** Upper bound of a request body (real API servers allow 3 MiB). */
const maxBodyBytes = 3 * 1024 * 1024;

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBytes(req)).toString('utf8');
}

/** Reads a request body as bytes. */
export function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(
          new StatusError(
            413,
            'RequestEntityTooLarge',
            'Request entity too large: limit is 3145728',
          ),
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a JSON body, with the API server's message for bad JSON. */
export function parseJsonBody(text: string): any {
  if (!text.trim()) throw badRequest('the body of the request was empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(
      `the object provided is unrecognized (must be of type Object): couldn't get version/kind; json parse error: ${
        (err as Error).message
      }`,
    );
  }
}

/** Writes a JSON body (already serialised or not) with the Content-Type client-node insists on. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
}

/** Writes a plain-text body (health checks, Prometheus metrics). */
export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Drops the connection without a response (fault injection). */
export function dropConnection(req: IncomingMessage) {
  req.socket.destroy();
}

/** Writes a Status error (and Retry-After when it carries retryAfterSeconds). */
export function sendStatusError(res: ServerResponse, err: StatusError) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  const retry = err.status.details?.retryAfterSeconds;
  if (retry !== undefined && (err.code === 429 || err.code === 503))
    headers['Retry-After'] = String(retry);
  if (err.code === 401)
    headers['WWW-Authenticate'] = 'Bearer realm="kube-emulator"';
  sendJson(res, err.code, err.status, headers);
}

/** Whether the Accept header asks for a meta.k8s.io Table. */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/** `Warning: 299 - "text"` headers, printed by kubectl as `Warning: text`. */
export function warningHeader(
  warnings: string[],
): Record<string, string[]> | undefined {
  if (!warnings.length) return undefined;
  return {
    Warning: warnings.map(w => `299 - ${JSON.stringify(w)}`),
  } as unknown as Record<string, string[]>;
}
