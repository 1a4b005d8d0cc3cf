/**
 * The HTTP client of the extension: every call to /primehub-models/api goes through
 * `requestAPI`, which turns any failure into an `ApiError` with a message a user can read.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { IErrorBody } from './types';

export const API_BASE = 'primehub-models/api';

/** How long the browser waits for any answer (the server's own MLflow timeout is shorter). */
const REQUEST_TIMEOUT_MS = 60_000;

/** An error answered by the API (`{"error": {"code", "message"}}`) or met on the way. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** The request body's field at fault (a form shows the message beside it). */
    readonly field: string | null = null
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What the user reads of any failure: the API's message, else the error's own text. */
export function messageOf(reason: unknown): string {
  if (reason instanceof ApiError) {
    return reason.message;
  }
  if (reason instanceof Error) {
    return reason.message || reason.name;
  }
  return String(reason);
}

/** Percent-encode each path segment: model names hold spaces, %, ?, #, + and unicode. */
export function apiPath(...segments: string[]): string {
  return segments.map(encodeURIComponent).join('/');
}

/** `path?query` with only the parameters that have a value. */
export function withQuery(
  path: string,
  query: Record<string, string | number | boolean | null | undefined>
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (
      value !== undefined &&
      value !== null &&
      value !== '' &&
      value !== false
    ) {
      params.set(key, String(value));
    }
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The absolute URL of an API path on this Jupyter server. */
export function apiUrl(path: string): string {
  const settings = ServerConnection.makeSettings();
  return URLExt.join(settings.baseUrl, API_BASE, path);
}

export function jsonInit(method: string, body?: unknown): RequestInit {
  return {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  };
}

/** Send a request through Jupyter's connection (auth, XSRF); a network failure is an ApiError. */
export async function send(
  url: string,
  init: RequestInit,
  signal?: AbortSignal,
  timeoutMs = REQUEST_TIMEOUT_MS
): Promise<Response> {
  const settings = ServerConnection.makeSettings();
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    return await ServerConnection.makeRequest(
      url,
      { ...init, signal: combined },
      settings
    );
  } catch (error) {
    if (signal?.aborted) {
      throw error;
    }
    if (timeout.aborted) {
      throw new ApiError(
        'TIMEOUT',
        'The Jupyter server did not answer in time.',
        0
      );
    }
    throw new ApiError(
      'NETWORK',
      `Cannot reach the Jupyter server: ${String(error)}`,
      0
    );
  }
}

export async function requestAPI<T>(
  path: string,
  init: RequestInit = {},
  signal?: AbortSignal
): Promise<T> {
  const response = await send(apiUrl(path), init, signal);
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (response.ok) {
    return body as T;
  }
  const error = (body as Partial<IErrorBody> | null)?.error;
  if (error?.code) {
    throw new ApiError(
      error.code,
      error.message ?? error.code,
      response.status,
      error.field ?? null
    );
  }
  if (response.status === 404) {
    throw new ApiError(
      'EXTENSION_MISSING',
      'The jupyter-primehub-models server extension is not installed or not enabled.',
      404
    );
  }
  throw new ApiError(
    'HTTP_' + response.status,
    `The Jupyter server answered HTTP ${response.status}.`,
    response.status
  );
}
