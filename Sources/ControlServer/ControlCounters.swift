/// What the control socket has seen since start, for `newsinboxctl stats` (like HAProxy's own counters).
public struct ControlCounters: Sendable {
    public var accepted = 0
    /// Refused at once at the connection cap (answered `busy` without reading).
    public var refused = 0
    public var open = 0
    /// Answers by outcome: "ok" or the error code.
    public var answers: [String: Int] = [:]
}
