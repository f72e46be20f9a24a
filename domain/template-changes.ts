// What an uploaded template changes, decided per value by three versions of it: at
// download (carried in the file), stored now, and in the file. Pure and generic over
// the value type, so every template of the grid shape decides the same way.
//
//   file = downloaded            → the user did not touch it: nothing (never revert)
//   stored = downloaded          → a plain change: stored → file
//   stored = file                → someone else typed the same: nothing
//   otherwise                    → a conflict: applied only if the user picks it

export interface TemplateValue<T> {
  key: string;
  downloaded: T;
  file: T;
}

export interface TemplateChange<T> {
  key: string;
  stored: T;
  file: T;
}

export interface TemplateConflict<T> {
  key: string;
  downloaded: T;
  stored: T;
  file: T;
}

export interface TemplateChanges<T> {
  changes: TemplateChange<T>[];
  conflicts: TemplateConflict<T>[];
}

export function classifyTemplateValues<T>(
  values: Iterable<TemplateValue<T>>,
  stored: (key: string) => T,
  equal: (a: T, b: T) => boolean = Object.is,
): TemplateChanges<T> {
  const changes: TemplateChange<T>[] = [];
  const conflicts: TemplateConflict<T>[] = [];
  for (const { key, downloaded, file } of values) {
    if (equal(file, downloaded)) continue;
    const now = stored(key);
    if (equal(now, downloaded)) changes.push({ key, stored: now, file });
    else if (!equal(now, file)) conflicts.push({ key, downloaded, stored: now, file });
  }
  return { changes, conflicts };
}
