/**
 * The console's shared loader (console/src/components/use-loaded.ts), which every organisation page and report
 * stands on: it loads at once, again when a source changes or when asked, the latest answer wins when requests
 * overlap, and a failure says why (the hub's coded message) while keeping the last answer. Vue's reactivity runs
 * here as in the browser; the "hub" is a function answering when the test says.
 */
import { describe, expect, it } from 'vitest';
import { nextTick, ref } from 'vue';
import { ApiError } from '../../console/src/api.ts';
import { useLoaded } from '../../console/src/components/use-loaded.ts';

/** A request the test answers (or refuses) later, in any order. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const settle = async () => {
  for (let i = 0; i < 5; i++) await nextTick();
};

describe('useLoaded', () => {
  it('loads at once, says it is loading until the answer, and loads again when asked', async () => {
    const answers = [deferred<string>(), deferred<string>()];
    let asked = 0;
    const loaded = useLoaded(() => answers[asked++]!.promise);
    expect(asked).toBe(1);
    expect(loaded.loading.value).toBe(true);
    expect(loaded.data.value).toBeNull();
    answers[0]!.resolve('first');
    await settle();
    expect({ data: loaded.data.value, loading: loaded.loading.value, error: loaded.error.value }).toEqual({ data: 'first', loading: false, error: null });

    const again = loaded.reload();
    expect(asked).toBe(2);
    answers[1]!.resolve('second');
    await again;
    expect(loaded.data.value).toBe('second');
  });

  it('keeps the latest answer when a slow earlier request comes back after it', async () => {
    const filter = ref('January');
    const pending = new Map<string, ReturnType<typeof deferred<string>>>();
    const loaded = useLoaded(
      () => {
        const request = deferred<string>();
        pending.set(filter.value, request);
        return request.promise;
      },
      [filter],
    );
    filter.value = 'February';
    await settle();
    expect([...pending.keys()]).toEqual(['January', 'February']);
    pending.get('February')!.resolve('February figures');
    await settle();
    pending.get('January')!.resolve('January figures');
    await settle();
    expect(loaded.data.value).toBe('February figures');
    expect(loaded.loading.value).toBe(false);

    // An older request's refusal does not show over the newer answer either.
    filter.value = 'March';
    await settle();
    filter.value = 'April';
    await settle();
    pending.get('April')!.resolve('April figures');
    pending.get('March')!.reject(new ApiError(500, 'INTERNAL', 'too late to matter'));
    await settle();
    expect({ data: loaded.data.value, error: loaded.error.value }).toEqual({ data: 'April figures', error: null });
  });

  it("says why a load failed in the hub's words, keeps the last answer, and clears the error on the next answer", async () => {
    let next: () => Promise<number> = () => Promise.resolve(1);
    const loaded = useLoaded(() => next());
    await settle();
    expect(loaded.data.value).toBe(1);

    next = () => Promise.reject(new ApiError(403, 'FORBIDDEN', '没有权限'));
    await loaded.reload();
    expect({ data: loaded.data.value, error: loaded.error.value, loading: loaded.loading.value }).toEqual({ data: 1, error: '没有权限', loading: false });

    next = () => Promise.reject(new Error('network down'));
    await loaded.reload();
    expect(loaded.error.value).toBe('Error: network down');

    next = () => Promise.resolve(2);
    await loaded.reload();
    expect({ data: loaded.data.value, error: loaded.error.value }).toEqual({ data: 2, error: null });
  });
});
