import { packageVersion } from '../../lib/version.js';
import { ENDPOINTS, ROSTERING_BASE, SCOPES, SCOPE_GROUPS, type EndpointDef } from './endpoints.js';
import { DEFAULT_LIMIT } from './list-params.js';
import { RESOURCES, type FieldDef, type ResourceDef } from './resources.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

function fieldSchema(field: FieldDef): Schema {
  switch (field.kind) {
    case 'id':
    case 'string':
      return { type: 'string' };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'bool':
      return { type: 'string', enum: ['true', 'false'] };
    case 'strings':
      return { type: 'array', items: { type: 'string' } };
    case 'json':
      return field.name === 'metadata'
        ? { type: 'object', additionalProperties: true }
        : { type: 'array', items: { type: 'object' } };
    case 'ref':
      return ref('GUIDRef');
    case 'refs':
    case 'children':
      return { type: 'array', items: ref('GUIDRef') };
    case 'roles':
      return { type: 'array', items: ref('Role') };
  }
}

/** The component schema of a resource's objects: its singular, capitalised (`User`). */
function schemaName(resource: ResourceDef): string {
  return resource.singular.charAt(0).toUpperCase() + resource.singular.slice(1);
}

function objectSchema(resource: ResourceDef): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: resource.fields.filter((field) => !field.nullable).map((field) => field.name),
    properties: Object.fromEntries(resource.fields.map((field) => [field.name, fieldSchema(field)])),
  };
}

const errorResponse = (description: string): Schema => ({
  description,
  content: { 'application/json': { schema: ref('imsx_StatusInfo') } },
});

function operation(endpoint: EndpointDef): Schema {
  const resource = RESOURCES[endpoint.resource];
  const body =
    endpoint.kind === 'collection'
      ? {
          type: 'object',
          required: [resource.plural],
          properties: { [resource.plural]: { type: 'array', items: ref(schemaName(resource)) } },
        }
      : {
          type: 'object',
          required: [resource.singular],
          properties: { [resource.singular]: ref(schemaName(resource)) },
        };
  const queryParams =
    endpoint.kind === 'collection' ? ['limit', 'offset', 'sort', 'orderBy', 'filter', 'fields'] : ['fields'];
  return {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    tags: [
      endpoint.scope === 'demographics' ? 'Demographics' : endpoint.scope === 'nested' ? 'Nested' : 'Core',
    ],
    parameters: [
      ...endpoint.params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...queryParams.map((name) => ({ $ref: `#/components/parameters/${name}` })),
    ],
    security: [{ OAuth2: [...SCOPE_GROUPS[endpoint.scope]] }, { ApiKey: [] }],
    responses: {
      '200': {
        description: 'Success',
        ...(endpoint.kind === 'collection'
          ? {
              headers: {
                'X-Total-Count': { schema: { type: 'integer' }, description: 'Rows matching the request' },
                Link: {
                  schema: { type: 'string' },
                  description: 'first, prev, next and last pages (RFC 8288)',
                },
              },
            }
          : {}),
        content: { 'application/json': { schema: body } },
      },
      '400': errorResponse('Invalid filter, sort, selection field or parameter'),
      '401': errorResponse('Missing, invalid or expired credentials'),
      '403': errorResponse('The credentials lack the scope'),
      '404': errorResponse('Unknown object'),
      '429': errorResponse('Too many requests (see Retry-After)'),
      '500': errorResponse('Internal server error'),
    },
  };
}

/** The OpenAPI 3 document of the endpoints this server implements. */
export function buildOpenApi(serverUrl: string, maxLimit: number): Schema {
  const paths: Record<string, Schema> = {};
  for (const endpoint of ENDPOINTS) {
    const path = endpoint.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { get: operation(endpoint) };
  }
  const schemas: Record<string, Schema> = {
    GUIDRef: {
      type: 'object',
      additionalProperties: false,
      required: ['href', 'sourcedId', 'type'],
      properties: {
        href: { type: 'string', format: 'uri' },
        sourcedId: { type: 'string' },
        type: { type: 'string', enum: ['org', 'academicSession', 'course', 'class', 'user', 'resource'] },
      },
    },
    Role: {
      type: 'object',
      additionalProperties: false,
      required: ['roleType', 'role', 'org'],
      properties: {
        roleType: { type: 'string', enum: ['primary', 'secondary'] },
        role: { type: 'string' },
        org: ref('GUIDRef'),
        userProfile: { type: 'string' },
        beginDate: { type: 'string', format: 'date' },
        endDate: { type: 'string', format: 'date' },
      },
    },
    imsx_StatusInfo: {
      type: 'object',
      required: ['imsx_codeMajor', 'imsx_severity'],
      properties: {
        imsx_codeMajor: { type: 'string', enum: ['success', 'processing', 'failure', 'unsupported'] },
        imsx_severity: { type: 'string', enum: ['status', 'warning', 'error'] },
        imsx_description: { type: 'string' },
        imsx_CodeMinor: {
          type: 'object',
          properties: {
            imsx_codeMinorField: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  imsx_codeMinorFieldName: { type: 'string' },
                  imsx_codeMinorFieldValue: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  };
  for (const resource of Object.values(RESOURCES)) {
    schemas[schemaName(resource)] = objectSchema(resource);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'RosterHub OneRoster 1.2 Rostering Service',
      version: packageVersion,
      description: 'The read side of OneRoster 1.2 Rostering (41 endpoints).',
    },
    servers: [{ url: `${serverUrl}${ROSTERING_BASE}` }],
    paths,
    components: {
      parameters: {
        limit: {
          name: 'limit',
          in: 'query',
          schema: { type: 'integer', minimum: 1, default: DEFAULT_LIMIT, maximum: maxLimit },
        },
        offset: { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
        sort: { name: 'sort', in: 'query', schema: { type: 'string' } },
        orderBy: { name: 'orderBy', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'] } },
        filter: {
          name: 'filter',
          in: 'query',
          schema: { type: 'string' },
          description: "e.g. status='active' AND dateLastModified>'2024-01-01'",
        },
        fields: {
          name: 'fields',
          in: 'query',
          style: 'form',
          explode: false,
          schema: { type: 'array', items: { type: 'string' } },
        },
      },
      schemas,
      securitySchemes: {
        OAuth2: {
          type: 'oauth2',
          flows: {
            clientCredentials: {
              tokenUrl: `${serverUrl}/oauth/token`,
              scopes: {
                [SCOPES.core]: 'Core rostering reads',
                [SCOPES.roster]: 'All rostering reads except demographics',
                [SCOPES.demographics]: 'Demographics reads',
              },
            },
          },
        },
        ApiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An rh_live_ API key as the bearer token (or in X-API-Key)',
        },
      },
    },
  };
}
