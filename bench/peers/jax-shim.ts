/**
 * @jax-js/jax 0.1.25 tests `data instanceof Float16Array` before `Float64Array` when it
 * creates an array; Node 20 has no Float16Array (it arrived in Node 24), so every float64 array
 * creation throws a ReferenceError. An empty class makes that test false, which is the right
 * answer: nothing here is float16. Imported before jax-js; does nothing on newer Node.
 */
const g = globalThis as { Float16Array?: unknown };
g.Float16Array ??= class Float16ArrayUnavailable {};
export {};
