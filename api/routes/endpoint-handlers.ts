import { isIP } from 'node:net';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { EndpointDef, ScopeGroup } from '../services/endpoints.js';
import { ENDPOINTS } from '../services/endpoints.js';
import type { ListParams, RawQuery } from '../services/list-params.js';
import type { ResourceName } from '../services/resources.js';
import type { RosteringService } from '../services/rostering-service.js';

/** What the rostering endpoints need. */
export interface RouteContext {
  readonly service: RosteringService;
  readonly authorize: (group: ScopeGroup) => RequestHandler;
  /** The configured public origin, or '' to take it from the request. */
  readonly publicBaseUrl: string;
}

/** A host and optional port, nothing else (no userinfo, path or characters that need escaping). */
const HOST_AND_PORT =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** `host:port` of the address a request reached on this server. */
function reachedAddress(req: Request): string {
  const address = (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:(?=\d+\.)/, '');
  const host = isIP(address) === 6 ? `[${address}]` : address;
  return `${host}:${req.socket.localPort ?? 80}`;
}

/**
 * The public origin of links: PUBLIC_BASE_URL; else the forwarded origin when a proxy that
 * TRUST_PROXY believes sent X-Forwarded-Host (and -Proto); else the address the request
 * reached. Never the `Host` header: whatever a caller writes there must not reach other
 * callers' answers through links or the response cache, which keys on the origin.
 */
export function origin(req: Request, configured: string): string {
  if (configured !== '') return configured;
  const protocol = req.protocol === 'https' ? 'https' : 'http';
  const trusted = req.app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  const forwarded = req.get('x-forwarded-host')?.split(',')[0]?.trim();
  if (forwarded && HOST_AND_PORT.test(forwarded) && trusted(req.socket.remoteAddress ?? '', 0)) {
    return `${protocol}://${forwarded}`;
  }
  return `${protocol}://${reachedAddress(req)}`;
}

function pathParams(req: Request, endpoint: EndpointDef): Record<string, string> {
  const params = req.params as Record<string, string | undefined>;
  return Object.fromEntries(endpoint.params.map((name) => [name, params[name] ?? '']));
}

/** RFC 8288 Link header: first, prev, next and last pages, keeping the other parameters. */
export function linkHeader(pageUrl: string, query: RawQuery, params: ListParams, total: number): string {
  const { limit, offset } = params;
  const url = (at: number): string => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (key === 'limit' || key === 'offset') continue;
      for (const item of Array.isArray(value) ? value : [value])
        if (typeof item === 'string') search.append(key, item);
    }
    search.set('limit', String(limit));
    search.set('offset', String(at));
    return `<${pageUrl}?${search.toString()}>`;
  };
  const last = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
  const links = [`${url(0)}; rel="first"`];
  if (offset > 0) links.push(`${url(Math.max(0, Math.min(offset - limit, last)))}; rel="prev"`);
  if (offset + limit < total) links.push(`${url(offset + limit)}; rel="next"`);
  links.push(`${url(last)}; rel="last"`);
  return links.join(', ');
}

/**
 * Writes a JSON body that is already text. `res.send` would copy a large string into a Buffer
 * first; the bodies here are often tens of kilobytes.
 */
function sendJson(res: Response, body: string): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

function handler(endpoint: EndpointDef, ctx: RouteContext): RequestHandler {
  if (endpoint.kind === 'single') {
    return async (req, res) => {
      const body = await ctx.service.get(
        endpoint,
        pathParams(req, endpoint),
        req.query,
        origin(req, ctx.publicBaseUrl),
      );
      sendJson(res, body);
    };
  }
  return async (req, res) => {
    const base = origin(req, ctx.publicBaseUrl);
    const answer = await ctx.service.list(endpoint, pathParams(req, endpoint), req.query, base);
    res.setHeader('X-Total-Count', String(answer.total));
    res.setHeader(
      'Link',
      linkHeader(`${base}${req.baseUrl}${req.path}`, req.query, answer.params, answer.total),
    );
    sendJson(res, answer.body);
  };
}

/** Registers every endpoint (collection, single and nested) whose objects are of `resource`. */
export function registerEndpoints(router: Router, ctx: RouteContext, resource: ResourceName): void {
  for (const endpoint of ENDPOINTS.filter((candidate) => candidate.resource === resource)) {
    router.get(endpoint.path, ctx.authorize(endpoint.scope), handler(endpoint, ctx));
  }
}
