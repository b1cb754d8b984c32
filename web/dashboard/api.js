// @ts-check
/**
 * The REST API with the key in a header. The key lives in this tab's sessionStorage and never
 * goes in a URL.
 */
const KEY = "campaigns.apiKey";

/** @type {string | null} */
let key = sessionStorage.getItem(KEY);
/** @type {(message: string) => void} */
let unauthorized = () => undefined;

export const currentKey = () => key;
/** @param {string | null} next */
export function useKey(next) {
  key = next;
  if (next === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, next);
}
/** What to do when the service does not know the key (sign out, saying so). */
/** @param {(message: string) => void} handler */
export const onUnauthorized = (handler) => {
  unauthorized = handler;
};

export class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** @param {string} path @param {RequestInit} [init] */
export async function request(path, init = {}) {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${key}`);
  const response = await fetch(path, { ...init, headers });
  if (response.status === 401) {
    unauthorized("That key is not known.");
    throw new ApiError(401, "unauthorized");
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError(response.status, problem.detail ?? problem.title ?? `${response.status}`);
  }
  return response;
}

/** @template T @param {string} path @returns {Promise<T>} */
export const api = async (path) => (await request(path)).json();

/** @param {string} id @param {string} [suffix] */
export const campaignPath = (id, suffix) =>
  `/api/campaign/voice/${encodeURIComponent(id)}${suffix ? `/${suffix}` : ""}`;

/** A fresh idempotency key per click: a retried request is then applied once. */
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `dashboard-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** An error worth showing: a 401 has already signed out, saying so. */
/** @param {unknown} error */
export const isUnauthorized = (error) => error instanceof ApiError && error.status === 401;
