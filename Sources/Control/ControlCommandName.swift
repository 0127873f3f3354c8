/// Every command the control socket knows, shared by newsinboxd and newsinboxctl (as ntpd.h is shared by
/// ntpd and ntpctl). The raw value is the wire name (docs/control-protocol.md, "Commands").
///
/// Adding a command, e.g. a read-only `search`:
/// 1. a case here (`case search`), read-only unless it changes the daemon (`mutates`);
/// 2. its reply type in ControlReplies.swift (`public struct SearchReply: Codable, Sendable`), with
///    snake_case `CodingKeys` for the documented field names;
/// 3. in the daemon, an entry in `ControlCommands.table` that answers `.success(SearchReply(...))`;
/// 4. in newsinboxctl, a `ControlCommand` with `typealias Reply = SearchReply` and its `printHuman`;
/// 5. a row in docs/control-protocol.md and the README's command list.
/// The compiler then holds both ends to the same field names.
public enum ControlCommandName: String, CaseIterable, Codable, Sendable {
    case ping, status, stats, queue, recent, failed, show, why
    /// The Prometheus text exposition, as GET /metrics serves it (`newsinboxctl stats --prometheus`).
    case metrics
    case pause, resume, rescan, retry, reprocess, reload
    case logLevel = "log-level"
    case drain
    /// The index (read-only): questions, and the live feed (a stream, not one answer).
    case search, story, trending, quotes, follow

    /// Changes the daemon: needs root, the daemon's user or `admin_group`. `reload` with `check: true`
    /// only validates and is read-only (see `mutates(args:)`).
    public var mutates: Bool {
        switch self {
        case .ping, .status, .stats, .metrics, .queue, .recent, .failed, .show, .why: return false
        case .search, .story, .trending, .quotes, .follow: return false
        case .pause, .resume, .rescan, .retry, .reprocess, .reload, .logLevel, .drain: return true
        }
    }

    public func mutates(args: [String: JSONValue]) -> Bool {
        self == .reload && args["check"]?.boolValue == true ? false : mutates
    }
}
