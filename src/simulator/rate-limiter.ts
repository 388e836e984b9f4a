// The simulator's requests-per-minute budget: an exact sliding window over admitted requests, so
// "at most N admitted in any 60 s span" holds for every span, which a benchmark can check from the
// request log. Rejected requests do not consume budget. Memory is bounded by the limit.

export class SlidingWindowLimiter {
  private readonly windowMs: number;
  // Admission times, oldest first; `head` skips expired entries without shifting the array.
  private times: number[] = [];
  private head = 0;
  private rejectedCount = 0;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /** undefined if admitted (and counted), else whole seconds until a slot frees up (≥1). */
  tryAdmit(now: number, limit: number): number | undefined {
    const full = this.check(now, limit);
    if (full === undefined) this.record(now);
    else this.refuse();
    return full;
  }

  /** Like tryAdmit, but records nothing (two budgets are checked before either is used). */
  check(now: number, limit: number): number | undefined {
    this.expire(now);
    const inWindow = this.times.length - this.head;
    if (inWindow < limit) return undefined;
    // The slot frees when the (inWindow - limit + 1)-th oldest admission leaves the window
    // (normally the oldest; later ones if the limit was lowered at run time).
    const freeing = this.times[this.head + inWindow - limit] ?? now;
    return Math.max(1, Math.ceil((freeing + this.windowMs - now) / 1000));
  }

  record(now: number): void {
    this.times.push(now);
  }

  refuse(): void {
    this.rejectedCount += 1;
  }

  /** Admitted requests in the window ending now. */
  admittedInWindow(now: number): number {
    this.expire(now);
    return this.times.length - this.head;
  }

  get rejected(): number {
    return this.rejectedCount;
  }

  reset(): void {
    this.times = [];
    this.head = 0;
    this.rejectedCount = 0;
  }

  private expire(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= cutoff) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
