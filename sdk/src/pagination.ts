/** One page of a list: what every list route answers with (`EndpointPage`, `DeliveryPage`, …). */
export interface Page<T> {
  data: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * What `list()` returns: a promise of the first page (`await hp.endpoints.list()`
 * gives `{ data, nextCursor }`) that is also an async iterable over every item
 * of every page, fetching the next page only when the previous one is used up
 * (`for await (const ep of hp.endpoints.list({ limit: 50 }))`).
 *
 * The first page is requested at once; `then`, `catch` and `finally` return
 * plain promises.
 */
export class PagePromise<T> extends Promise<Page<T>> implements AsyncIterable<T> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  readonly #next: (cursor: string) => Promise<Page<T>>;

  constructor(first: Promise<Page<T>>, next: (cursor: string) => Promise<Page<T>>) {
    super((resolve, reject) => {
      first.then(resolve, reject);
    });
    this.#next = next;
  }

  /** Every page in turn, starting with the first. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let page: Page<T> = await this;
    yield page;
    while (page.nextCursor !== null) {
      page = await this.#next(page.nextCursor);
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }
}
