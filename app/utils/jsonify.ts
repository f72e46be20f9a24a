// Loader data travels as JSON, which has no bigint: money in integer cents is sent as
// decimal strings and turned back into bigint where it is formatted.

/** The same shape with every bigint as a decimal string. */
export type Jsonify<T> = T extends bigint
  ? string
  : T extends (infer U)[]
    ? Jsonify<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonify<T[K]> }
      : T;

/** Every bigint, however deep, as its decimal string; everything else as it is. */
export function jsonifyBigInts<T>(value: T): Jsonify<T> {
  if (typeof value === "bigint") return value.toString() as Jsonify<T>;
  if (Array.isArray(value)) return value.map(jsonifyBigInts) as Jsonify<T>;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, jsonifyBigInts(v)]),
    ) as Jsonify<T>;
  }
  return value as Jsonify<T>;
}
