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

/** The public origin of links: the configured one, else the request's. */
export function origin(req: Request, configured: string): string {
  return configured !== '' ? configured : `${req.protocol}://${req.get('host') ?? 'localhost'}`;
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
