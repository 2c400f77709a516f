/** Helpers shared by the emulator's own tests (not part of the public API). */
import { request } from 'node:https';
import { startEmulator, type Emulator, type EmulatorOptions } from '../index';

/** Starts an emulator for a test on an ephemeral port, without controllers unless asked. */
export function startTestEmulator(
  opts: EmulatorOptions = {},
): Promise<Emulator> {
  return startEmulator({ controllers: false, ...opts });
}

/** A raw HTTPS request to the emulator (status, headers, body text). */
export function rawRequest(
  emu: Emulator,
  method: string,
  path: string,
  opts: {
    token?: string | null;
    body?: string | Buffer;
    headers?: Record<string, string>;
  } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const token = opts.token === undefined ? emu.token : opts.token;
    const req = request(
      `${emu.url}${path}`,
      {
        method,
        ca: emu.caCert,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(opts.body !== undefined
            ? { 'Content-Type': 'application/json' }
            : {}),
          ...opts.headers,
        },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
