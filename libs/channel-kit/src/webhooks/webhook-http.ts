// The HTTP side of a channel's webhook receiver, on plain Node (service-kit's rawHttpRoutes): the
// body read as raw bytes (signatures are computed over them) up to a limit, and the answer
// written as JSON. No framework in between: in a flash sale every delivery's cost counts.
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { sendJson, type RequestHandler } from '@retail-mesh/observability';

/** Larger than any order a channel sends; a body beyond it is refused with 413 before it is read whole. */
export const WEBHOOK_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export type WebhookReceive = (pathParameter: string, request: IncomingMessage, rawBody: Buffer) => Promise<WebhookAnswer>;

class RequestBodyTooLarge extends Error {}

/** The request's body, or RequestBodyTooLarge once it passes `limitBytes` (the rest is not read). */
async function readRequestBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
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

export interface WebhookRouteOptions {
  /** `/webhooks/shopify`: the route serves `POST <prefix>/<parameter>`. */
  prefix: string;
  receive: WebhookReceive;
  /** A receive that threw (the delivery is answered 500 and the channel retries it). */
  onError(error: unknown): void;
  /** Each delivery answered: how long from its request reaching the route to its answer written. */
  onAnswered?(parameter: string, seconds: number): void;
}

/**
 * Serves `POST <prefix>/<parameter>` (the parameter URL-decoded, e.g. the channel account id) with
 * `receive`; other paths go on to `next`.
 */
export function webhookRoute({ prefix, receive, onError, onAnswered }: WebhookRouteOptions): RequestHandler {
  return (request, response, next) => {
    const started = performance.now();
    const path = (request.url ?? '/').split('?')[0]!;
    if (!path.startsWith(`${prefix}/`)) {
      if (next) return next();
      return sendJson(response, 404, { error: `no route ${request.method} ${path}` });
    }
    if (request.method !== 'POST') {
      request.resume();
      return sendJson(response, 405, { error: `${request.method} is not allowed here: webhooks are POSTed` }, { allow: 'POST' });
    }
    let parameter: string;
    try {
      parameter = decodeURIComponent(path.slice(prefix.length + 1).replace(/\/$/, ''));
    } catch {
      request.resume();
      return sendJson(response, 400, { error: `the path ${path} is not valid URL encoding` });
    }
    readRequestBody(request, WEBHOOK_BODY_LIMIT_BYTES)
      .then((rawBody) => receive(parameter, request, rawBody))
      .catch((error: unknown): WebhookAnswer => {
        // Closes the connection rather than reading the rest of a body nobody wants.
        if (error instanceof RequestBodyTooLarge) return { status: 413, body: { error: error.message }, headers: { connection: 'close' } };
        onError(error);
        return { status: 500, body: { error: 'the webhook could not be stored; it is safe to send it again' } };
      })
      .then((answer) => {
        sendJson(response, answer.status, answer.body, answer.headers);
        onAnswered?.(parameter, (performance.now() - started) / 1000);
      });
  };
}
