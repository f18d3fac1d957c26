// The HTTP side of a channel's webhook receiver, on plain Node (service-kit's rawHttpRoutes): the
// body read as raw bytes (signatures are computed over them) up to a limit, and the answer
// written as JSON. No framework in between: in a flash sale every delivery's cost counts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from '@retail-mesh/observability';

/** Larger than any order a channel sends; a body beyond it is refused with 413 before it is read whole. */
export const WEBHOOK_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

export type WebhookReceive = (pathParameter: string, request: IncomingMessage, rawBody: Buffer) => Promise<WebhookAnswer>;

export class RequestBodyTooLarge extends Error {}

/** The request's body, or RequestBodyTooLarge once it passes `limitBytes` (the rest is not read). */
export async function readRequestBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new RequestBodyTooLarge(`the body is larger than ${limitBytes} bytes`);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    length += (chunk as Buffer).length;
    if (length > limitBytes) throw new RequestBodyTooLarge(`the body is larger than ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, length);
}

function sendJson(response: ServerResponse, answer: WebhookAnswer, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}

/**
 * Serves `POST <prefix>/<parameter>` (the parameter URL-decoded, e.g. the channel account id) with
 * `receive`; other paths go on to `next`. A receive that throws is answered 500 (the channel
 * retries) after `onError`.
 */
export function webhookRoute(prefix: string, receive: WebhookReceive, onError: (error: unknown) => void): RequestHandler {
  return (request, response, next) => {
    const path = (request.url ?? '/').split('?')[0]!;
    if (!path.startsWith(`${prefix}/`)) {
      if (next) return next();
      return sendJson(response, { status: 404, body: { error: `no route ${request.method} ${path}` } });
    }
    const answered = (answer: WebhookAnswer, headers?: Record<string, string>) => sendJson(response, answer, headers);
    if (request.method !== 'POST') {
      request.resume();
      return answered({ status: 405, body: { error: `${request.method} is not allowed here: webhooks are POSTed` } }, { allow: 'POST' });
    }
    let parameter: string;
    try {
      parameter = decodeURIComponent(path.slice(prefix.length + 1).replace(/\/$/, ''));
    } catch {
      request.resume();
      return answered({ status: 400, body: { error: `the path ${path} is not valid URL encoding` } });
    }
    readRequestBody(request, WEBHOOK_BODY_LIMIT_BYTES)
      .then((rawBody) => receive(parameter, request, rawBody))
      .then(answered, (error: unknown) => {
        if (error instanceof RequestBodyTooLarge) {
          // Closes the connection rather than reading the rest of a body nobody wants.
          return answered({ status: 413, body: { error: error.message } }, { connection: 'close' });
        }
        onError(error);
        answered({ status: 500, body: { error: 'the webhook could not be stored; it is safe to send it again' } });
      });
  };
}
