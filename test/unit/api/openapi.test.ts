import { linkHeader } from '../../../api/routes/endpoint-handlers.js';
import { ENDPOINTS } from '../../../api/services/endpoints.js';
import { parseListParams } from '../../../api/services/list-params.js';
import { buildOpenApi } from '../../../api/services/openapi.js';
import { RESOURCES } from '../../../api/services/resources.js';

describe('endpoints and the OpenAPI document', () => {
  it('When the endpoints are listed, then there are the 41 of OneRoster 1.2 rostering with unique operation ids', () => {
    expect(ENDPOINTS).toHaveLength(41);
    expect(new Set(ENDPOINTS.map((endpoint) => endpoint.operationId)).size).toBe(41);
    expect(ENDPOINTS.filter((endpoint) => endpoint.scope === 'core')).toHaveLength(22);
    expect(ENDPOINTS.filter((endpoint) => endpoint.scope === 'nested')).toHaveLength(17);
    expect(ENDPOINTS.filter((endpoint) => endpoint.scope === 'demographics')).toHaveLength(2);
  });

  it('When the document is built, then it describes every path with its scopes and the token URL', () => {
    const doc = buildOpenApi('https://roster.example.org', 10_000) as {
      openapi: string;
      paths: Record<string, { get: { operationId: string; security: Record<string, string[]>[] } }>;
      components: { securitySchemes: { OAuth2: { flows: { clientCredentials: { tokenUrl: string } } } } };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toHaveLength(41);
    expect(doc.paths['/classes/{classSourcedId}/students']!.get.operationId).toBe('getStudentsForClass');
    expect(doc.paths['/demographics']!.get.security[0]).toEqual({
      OAuth2: ['https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly'],
    });
    expect(doc.components.securitySchemes.OAuth2.flows.clientCredentials.tokenUrl).toBe(
      'https://roster.example.org/oauth/token',
    );
  });
});

describe('Link header', () => {
  const params = (query: Record<string, string>) => parseListParams(query, RESOURCES.users, 10_000);

  it('When on a middle page, then first, prev, next and last keep the other parameters', () => {
    const query = { limit: '10', offset: '20', filter: "status='active'" };
    expect(linkHeader('https://h/users', query, params(query), 95)).toBe(
      [
        '<https://h/users?filter=status%3D%27active%27&limit=10&offset=0>; rel="first"',
        '<https://h/users?filter=status%3D%27active%27&limit=10&offset=10>; rel="prev"',
        '<https://h/users?filter=status%3D%27active%27&limit=10&offset=30>; rel="next"',
        '<https://h/users?filter=status%3D%27active%27&limit=10&offset=90>; rel="last"',
      ].join(', '),
    );
  });

  it('When on the first page of an empty set, then only first and last (both offset 0) are sent', () => {
    expect(linkHeader('https://h/users', {}, params({}), 0)).toBe(
      '<https://h/users?limit=100&offset=0>; rel="first", <https://h/users?limit=100&offset=0>; rel="last"',
    );
  });
});
