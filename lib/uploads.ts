/**
 * The largest CSV package (zip) the API accepts by default (IMPORT_MAX_UPLOAD_BYTES), and so
 * what the Ingress in front of it must let through.
 */
export const DEFAULT_MAX_UPLOAD_BYTES = 1_073_741_824;

/** The same size in NGINX's notation (`proxy-body-size`): whole mebibytes, rounded up. */
export const nginxBodySize = (bytes: number): string => `${Math.ceil(bytes / 2 ** 20)}m`;
