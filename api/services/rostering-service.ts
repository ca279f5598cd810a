import { createHash } from 'node:crypto';
import type { RosterRepository, RowSet } from '../data/roster-repository.js';
import { NotFoundError } from '../errors.js';
import { redisKeys } from '../keys.js';
import type { DataVersionWatcher } from './data-version-watcher.js';
import type { EndpointDef, PathParams } from './endpoints.js';
import {
  checkSourcedId,
  parseFields,
  parseListParams,
  type ListParams,
  type RawQuery,
} from './list-params.js';
import type { PageIndex } from './page-index.js';
import { RESOURCES } from './resources.js';
import type { ResponseCache } from './response-cache.js';

/** A collection answer: the body (envelope included) and what the headers need. */
export interface CollectionAnswer {
  readonly body: string;
  readonly total: number;
  readonly params: ListParams;
}

export interface RosteringServiceOptions {
  maxLimit: number;
}

function fingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/**
 * The OneRoster read rules: validates parameters, checks that the objects a path names exist,
 * and answers from the cache or the repository. Knows nothing of HTTP.
 */
export class RosteringService {
  constructor(
    private readonly repository: RosterRepository,
    private readonly cache: ResponseCache,
    private readonly pageIndex: PageIndex,
    private readonly dataVersion: DataVersionWatcher,
    private readonly options: RosteringServiceOptions,
  ) {}

  #checkPath(endpoint: EndpointDef, path: PathParams): void {
    for (const name of endpoint.params) checkSourcedId(path[name] ?? '', name);
  }

  async #checkParents(endpoint: EndpointDef, path: PathParams): Promise<void> {
    for (const parent of endpoint.parents(path)) {
      const id = path[parent.param] ?? '';
      if (!(await this.repository.exists(parent.resource, id, parent.conditions)))
        throw new NotFoundError(`unknown ${parent.param}: ${id}`);
    }
  }

  /** A collection endpoint (plain or nested). */
  async list(
    endpoint: EndpointDef,
    path: PathParams,
    query: RawQuery,
    baseUrl: string,
  ): Promise<CollectionAnswer> {
    const resource = RESOURCES[endpoint.resource];
    this.#checkPath(endpoint, path);
    const params = parseListParams(query, resource, this.options.maxLimit);
    const version = this.dataVersion.current();
    const key = redisKeys.response(
      version,
      fingerprint([
        endpoint.operationId,
        endpoint.params.map((name) => path[name]),
        params.limit,
        params.offset,
        params.sort.field.name,
        params.sort.desc,
        params.filterText ?? null,
        params.fields?.map((field) => field.name) ?? null,
        baseUrl,
      ]),
    );
    const cached = await this.cache.get(key);
    if (cached) return { body: cached.body, total: cached.total ?? 0, params };

    await this.#checkParents(endpoint, path);
    const set: RowSet = {
      resource: endpoint.resource,
      conditions: endpoint.conditions(path),
      filter: params.filter,
      sort: params.sort,
    };
    const shape = fingerprint([
      set.resource,
      set.conditions,
      params.filterText ?? null,
      params.sort.field.name,
      params.sort.desc,
    ]);
    const total = await this.pageIndex.count(version, shape, set);
    let rows = '[]';
    if (params.offset < total) {
      const position = await this.pageIndex.position(version, shape, set, params.offset);
      rows = await this.repository.page(set, {
        fields: params.fields,
        limit: params.limit,
        offset: position.skip,
        after: position.after,
        baseUrl,
      });
    }
    const body = `{"${resource.plural}":${rows}}`;
    this.cache.set(key, { total, body });
    return { body, total, params };
  }

  /** A single-object endpoint: the body, or NotFoundError. */
  async get(endpoint: EndpointDef, path: PathParams, query: RawQuery, baseUrl: string): Promise<string> {
    const resource = RESOURCES[endpoint.resource];
    this.#checkPath(endpoint, path);
    const fields = parseFields(query, resource);
    const id = path.sourcedId ?? '';
    const key = redisKeys.response(
      this.dataVersion.current(),
      fingerprint([endpoint.operationId, id, fields?.map((field) => field.name) ?? null, baseUrl]),
    );
    const cached = await this.cache.get(key);
    if (cached) return cached.body;
    const object = await this.repository.one(
      endpoint.resource,
      id,
      endpoint.conditions(path),
      fields,
      baseUrl,
    );
    if (object === undefined) throw new NotFoundError(`unknown ${resource.singular}: ${id}`);
    const body = `{"${resource.singular}":${object}}`;
    this.cache.set(key, { total: undefined, body });
    return body;
  }
}
