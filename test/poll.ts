// Polling with a deadline, shared by browser tests and Node end-to-end tests (no sleeps in tests).

/** Polls until `check` returns a truthy value (which it returns), or throws naming `what` after the deadline. */
export async function until<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15000,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
}
