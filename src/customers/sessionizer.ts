// Cuts visitors' activity into sessions by inactivity, in event time.
//
// The rule: an event joins the session of the same visitor whose span [first event, last event] it is
// within `gapMs` of (the nearest one, then the latest); when no session is that close, the event opens a
// new one. The visitor is the event's session_id; an event without one (an order from a back office, an
// app that sends no session) is matched against the customer's sessions instead, and opens a
// session keyed by the customer when there is none. So a session_id that goes quiet for longer than the
// gap becomes two sessions, and a late event extends the session it falls next to. Two sessions are never
// merged after the fact: an event that arrives late and bridges a gap joins the nearer side.
//
// Activity is what the visitor does: page and product views, cart adds, checkout starts and orders.
// Within a batch events are placed in event-time order; across batches, as the stream delivers them.

/** What placing an event in a session needs; an event has a session_id, a customer_id or both. */
export interface ActivityKey {
  eventId: string;
  atMs: number;
  sessionId: string | null;
  customerId: string | null;
}

export interface Session {
  /** the event_id of the event that opened the session */
  key: string;
  sessionId: string | null;
  customerId: string | null;
  startedAtMs: number;
  lastEventAtMs: number;
  eventCount: number;
  pageViews: number;
  productViews: number;
  /** bit mask of the funnel steps reached (funnel-steps.ts) */
  funnelSteps: number;
  orders: number;
  revenue: number;
}

function distanceMs(session: Session, atMs: number): number {
  if (atMs < session.startedAtMs) return session.startedAtMs - atMs;
  if (atMs > session.lastEventAtMs) return atMs - session.lastEventAtMs;
  return 0;
}

function addTo<K>(index: Map<K, Session[]>, key: K, session: Session): void {
  const list = index.get(key);
  if (list) list.push(session);
  else index.set(key, [session]);
}

export class Sessionizer {
  private readonly byKey = new Map<string, Session>();
  private readonly bySessionId = new Map<string, Session[]>();
  private readonly byCustomer = new Map<string, Session[]>();
  /** sessions opened or changed since construction */
  readonly changed = new Set<Session>();

  /** `known`: every stored session an event of the batch could join (see session-activity.ts). */
  constructor(
    private readonly gapMs: number,
    known: Iterable<Session>,
  ) {
    for (const session of known) this.index(session);
  }

  get(key: string): Session | undefined {
    return this.byKey.get(key);
  }

  /** The session an activity event belongs to; `opened` when the event starts it. */
  sessionFor(event: ActivityKey): { session: Session; opened: boolean } {
    const candidates = event.sessionId !== null ? this.bySessionId.get(event.sessionId) : this.byCustomer.get(event.customerId ?? "");
    let best: Session | undefined;
    let bestDistanceMs = Infinity;
    for (const session of candidates ?? []) {
      const distance = distanceMs(session, event.atMs);
      if (distance > this.gapMs) continue;
      if (distance < bestDistanceMs || (distance === bestDistanceMs && best !== undefined && session.lastEventAtMs > best.lastEventAtMs)) {
        best = session;
        bestDistanceMs = distance;
      }
    }
    if (best) return { session: best, opened: false };
    const session: Session = {
      key: event.eventId,
      sessionId: event.sessionId,
      customerId: null,
      startedAtMs: event.atMs,
      lastEventAtMs: event.atMs,
      eventCount: 0,
      pageViews: 0,
      productViews: 0,
      funnelSteps: 0,
      orders: 0,
      revenue: 0,
    };
    this.index(session);
    this.changed.add(session);
    return { session, opened: true };
  }

  /** Counts one activity event in its session's span and counters. */
  recordActivity(session: Session, atMs: number): void {
    if (atMs < session.startedAtMs) session.startedAtMs = atMs;
    if (atMs > session.lastEventAtMs) session.lastEventAtMs = atMs;
    session.eventCount++;
    this.changed.add(session);
  }

  /** Ties an anonymous session to its customer; true the first time, so the customer's session count can follow. */
  identify(session: Session, customerId: string): boolean {
    if (session.customerId !== null) return false;
    session.customerId = customerId;
    addTo(this.byCustomer, customerId, session);
    this.changed.add(session);
    return true;
  }

  markChanged(session: Session): void {
    this.changed.add(session);
  }

  private index(session: Session): void {
    this.byKey.set(session.key, session);
    if (session.sessionId !== null) addTo(this.bySessionId, session.sessionId, session);
    if (session.customerId !== null) addTo(this.byCustomer, session.customerId, session);
  }
}
