import type { Express } from 'express';
import { ApiProcess } from '../../api/api-process.js';
import { loadApiConfig, type ApiConfig } from '../../api/config.js';
import { memoryLogger } from './memory-logger.js';

export interface ApiUnderTest {
  api: ApiProcess;
  baseUrl: string;
  /** Where /healthz, /readyz, /health and /metrics answer. */
  healthUrl: string;
  config: ApiConfig;
  logLines: () => Record<string, unknown>[];
}

/** Starts the real API process in-process on a free port, configured as from the environment. */
export async function startApi(
  env: Record<string, string>,
  routes?: (app: Express) => void,
): Promise<ApiUnderTest> {
  const config = loadApiConfig({
    PORT: '0',
    HEALTH_PORT: '0',
    HOST: '127.0.0.1',
    SHUTDOWN_DRAIN_MS: '0',
    ...env,
  });
  const { logger, lines } = memoryLogger();
  const api = await ApiProcess.start({ config, logger, ...(routes ? { routes } : {}) });
  return {
    api,
    baseUrl: `http://127.0.0.1:${api.address.port}`,
    healthUrl: `http://127.0.0.1:${api.healthAddress.port}`,
    config,
    logLines: lines,
  };
}
