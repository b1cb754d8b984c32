import type { ReadModelBucket, ReadModelStore } from "../ports/read-model-store.js";

/** A page stored in parts, when 1,000 numbers with long parameters (or long attempt logs) outgrow one KV value. */
type SplitPage = { parts: number };
const encoder = new TextEncoder();

/** Writes a page of a paged read model under `key`, in parts `<key>.<i>` when it would not fit one value. */
export async function putPage(
  store: ReadModelStore,
  bucket: ReadModelBucket,
  key: string,
  page: readonly unknown[],
): Promise<void> {
  const json = JSON.stringify(page);
  // Characters first: only a page near the limit pays for counting its UTF-8 bytes.
  const bytes = json.length * 3 <= store.maxValueBytes ? json.length : encoder.encode(json).length;
  if (bytes <= store.maxValueBytes) return store.putJson(bucket, key, json);
  const parts = Math.ceil(bytes / store.maxValueBytes) + 1;
  const size = Math.ceil(page.length / parts);
  await Promise.all(
    Array.from({ length: parts }, (_, i) =>
      store.put(bucket, `${key}.${i}`, page.slice(i * size, (i + 1) * size)),
    ),
  );
  await store.put(bucket, key, { parts } satisfies SplitPage);
}

/** Reads a page written by putPage; a missing page is empty. */
export async function readPage<Item>(
  store: ReadModelStore,
  bucket: ReadModelBucket,
  key: string,
): Promise<Item[]> {
  const value = await store.get<Item[] | SplitPage>(bucket, key);
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  const parts = await Promise.all(
    Array.from(
      { length: value.parts },
      async (_, i) => (await store.get<Item[]>(bucket, `${key}.${i}`)) ?? [],
    ),
  );
  return parts.flat();
}
