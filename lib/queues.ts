/** The BullMQ queue of CSV imports. */
export const IMPORT_QUEUE = 'rosterhub-imports';

/** The Redis list of its waiting jobs (BullMQ's default `bull` prefix): its depth drives autoscaling. */
export const IMPORT_QUEUE_WAITING_LIST = `bull:${IMPORT_QUEUE}:wait`;
