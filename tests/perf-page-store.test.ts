// The page store (app/utils/page-cache.server.ts) keeps large pages: the committee
// summary at state scale is many megabytes and takes seconds to render (decision 027).
import { PageStore, type StoredPage } from "~/utils/page-cache.server";

const page = (megabytes: number): StoredPage => ({
  status: 200,
  contentType: "text/html; charset=utf-8",
  body: Buffer.alloc(megabytes * 1024 * 1024, "a"),
  nonce: null,
});

test("the default store keeps a 12 MB page", () => {
  const store = new PageStore();
  store.set("summary", page(12));
  expect(store.get("summary")?.body.length).toBe(12 * 1024 * 1024);
});

test("a page larger than half the store is not kept; the total stays bounded", () => {
  const store = new PageStore(10 * 1024 * 1024);
  store.set("huge", page(6));
  expect(store.get("huge")).toBeUndefined();
  store.set("a", page(4));
  store.set("b", page(4));
  store.set("c", page(4)); // 12 MB > 10 MB: the least recently used ("a") goes
  expect(store.get("a")).toBeUndefined();
  expect(store.get("b")).toBeDefined();
  expect(store.get("c")).toBeDefined();
});
