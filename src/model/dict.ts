/**
 * An empty record whose keys are data. A plain `{}` treats the key `__proto__` as its
 * prototype: `record['__proto__'] = value` stores nothing, so a message attribute of that
 * name (a valid SQS name) would vanish and not even count against the limit of 10. A
 * record without a prototype keeps it as a key like any other.
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
