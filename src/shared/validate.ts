/**
 * Small run-time checks for data that crosses a trust boundary (a webview message, a file),
 * each a type guard. `object<T>()` takes one check per property of `T`, and the compiler
 * insists on every one, so a check cannot fall behind its type. This module imports nothing.
 */

export type Validator<T> = (v: unknown) => v is T;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const isString: Validator<string> = (v): v is string => typeof v === 'string';
export const isNumber: Validator<number> = (v): v is number => typeof v === 'number' && Number.isFinite(v);
/** The largest time a Date can hold, in ms from the epoch either way. */
export const MAX_TIME_MS = 8_640_000_000_000_000;
/** A time in ms since the epoch that a Date can show (a 20-digit timestamp cannot). */
export const isTime: Validator<number> = (v): v is number => isNumber(v) && Math.abs(v) <= MAX_TIME_MS;
export const isBoolean: Validator<boolean> = (v): v is boolean => typeof v === 'boolean';

/** One of the given strings (a kind, a state, a mode). */
export function oneOf<const T extends string>(values: readonly T[]): Validator<T> {
  return (v): v is T => typeof v === 'string' && (values as readonly string[]).includes(v);
}

/** Exactly the given value. */
export function literal<const T extends string | number | boolean>(value: T): Validator<T> {
  return (v): v is T => v === value;
}

/** The property may be left out. */
export function optional<T>(check: Validator<T>): Validator<T | undefined> {
  return (v): v is T | undefined => v === undefined || check(v);
}

export function arrayOf<T>(check: Validator<T>): Validator<T[]> {
  return (v): v is T[] => Array.isArray(v) && v.every((x) => check(x));
}

/** An object used as a map: every value passes `check`. */
export function recordOf<T>(check: Validator<T>): Validator<Record<string, T>> {
  return (v): v is Record<string, T> => isRecord(v) && Object.values(v).every((x) => check(x));
}

/** Checks, one per property of `T`; an optional property's check must accept `undefined`. */
export type Shape<T> = { readonly [K in keyof T]-?: Validator<T[K]> };

/** An object whose properties pass their checks; properties not named are ignored. */
export function object<T>(shape: Shape<T>): Validator<T> {
  const entries = Object.entries<Validator<unknown>>(shape);
  return (v): v is T => isRecord(v) && entries.every(([key, check]) => check(v[key]));
}

/** The empty object (a request without parameters, a result without content). */
export const isEmpty: Validator<Record<string, never>> = (v): v is Record<string, never> => isRecord(v);
