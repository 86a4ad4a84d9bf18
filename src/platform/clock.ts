/** The clock is injected everywhere "now" matters, so tests can move time (link expiry, lockouts, jobs). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests. */
export class ManualClock implements Clock {
  private current: Date;

  constructor(start: Date | string = '2026-01-15T09:00:00Z') {
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  advanceMs(milliseconds: number): void {
    this.current = new Date(this.current.getTime() + milliseconds);
  }

  set(to: Date | string): void {
    this.current = new Date(to);
  }
}
