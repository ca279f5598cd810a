import type { RequestHandler, Router } from 'express';
import { buildOpenApi } from '../services/openapi.js';
import { origin } from './endpoint-handlers.js';

/** Discovery document names: the REST binding's and the conformance guide's. */
export const OPENAPI_PATHS = [
  '/discovery/onerosterv1p2rostersservice_openapi3_v1p0.json',
  '/discovery/imsorv1p2_rostering_openapi3_v1p0.json',
];

/** The OpenAPI 3 document, without authentication, under the rostering base and at /openapi.json. */
export function discoveryRoutes(
  rostering: Router,
  root: Router,
  publicBaseUrl: string,
  maxLimit: number,
): void {
  const send: RequestHandler = (req, res) => {
    res.json(buildOpenApi(origin(req, publicBaseUrl), maxLimit));
  };
  for (const path of OPENAPI_PATHS) rostering.get(path, send);
  root.get('/openapi.json', send);
}
