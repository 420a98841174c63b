import type { IncomingMessage } from 'node:http';
import type { Options } from 'pino-http';

/** Request headers that carry credentials: never logged, at any level. */
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key']);

/** The path of a request URL without its query string (which may hold `?access_token=` or personal values). */
export const pathOnly = (url: unknown): string | undefined => (typeof url === 'string' ? url.split('?', 1)[0] : undefined);

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
  remotePort?: number;
}

/** What a request log line says about the request: method, path, harmless headers; no query, body or credential. */
export function redactedRequest(req: SerializedRequest): SerializedRequest {
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    const lower = name.toLowerCase();
    if (SECRET_HEADERS.has(lower)) continue;
    // The page a request came from may carry a token in its own query string.
    headers[name] = lower === 'referer' ? pathOnly(value) : value;
  }
  return { id: req.id, method: req.method, url: pathOnly(req.url), headers, remoteAddress: req.remoteAddress, remotePort: req.remotePort };
}

/**
 * pino-http options of every Hearth process that serves HTTP (issue 11.5: at debug level the URL with its token was
 * logged). The request serializer drops the query string, the body and credential headers; `redact` is a second
 * line in case another serializer puts them back; the response serializer drops `set-cookie`.
 */
export function requestLogOptions(level: string): Options<IncomingMessage> {
  return {
    level,
    serializers: {
      req: redactedRequest,
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.query', 'req.body', 'req.raw'],
      remove: true,
    },
    autoLogging: level === 'debug' || level === 'trace',
  };
}
