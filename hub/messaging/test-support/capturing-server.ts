/**
 * A real HTTP server on loopback (node:http) standing in for an SMS relay or a group robot in tests: it keeps every
 * request it got and answers as the test says — a status and JSON body, never (to run out a sender's deadline), or
 * by destroying the connection once the request is in.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export type Answer = { status: number; body?: unknown } | 'hang' | 'reset';

export interface CapturingServer {
  url: string;
  readonly requests: CapturedRequest[];
  answerWith(answer: Answer | ((request: CapturedRequest) => Answer)): void;
  close(): Promise<void>;
}

export async function startCapturingServer(path = '/'): Promise<CapturingServer> {
  const requests: CapturedRequest[] = [];
  let answer: Answer | ((request: CapturedRequest) => Answer) = { status: 200, body: {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Kept as text: a test checks what was sent.
      }
      const captured: CapturedRequest = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body };
      requests.push(captured);
      const a = typeof answer === 'function' ? answer(captured) : answer;
      if (a === 'hang') return;
      if (a === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    answerWith(next) {
      answer = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
