import Control
import Dispatch
import FoundationEssentials
import NewsIndex

/// `search`, `story`, `trending`, `quotes`: read-only questions to the index, answered on their own
/// queue with their own read connection, so a slow query never waits for or stalls the pipeline.
final class ControlIndexQueries: @unchecked Sendable {
    private let queue = DispatchQueue(label: "newsinbox.control.index")
    /// nil: the daemon runs with `index = off`.
    let path: String?
    /// Opened on first use, on `queue`.
    private var reader: IndexReader?

    init(path: String?) { self.path = path }

    static let offMessage = "the index is off (index = off in the configuration)"

    typealias Reply = @Sendable (ControlResponse) -> Void

    func run(_ request: ControlRequest, _ reply: @escaping Reply) {
        queue.async { [self] in reply(answer(request)) }
    }

    private func answer(_ r: ControlRequest) -> ControlResponse {
        guard let path else { return .failure(.failed, Self.offMessage) }
        do {
            if reader == nil { reader = try IndexReader(path: path) }
            let reader = reader!
            let limit = max(1, min(r.args["limit"]?.intValue ?? 20, 100_000))
            switch r.command {
            case "search":
                var q = IndexReader.SearchQuery(limit: limit)
                q.entity = r.string("entity")
                q.type = r.string("type")
                q.feed = r.string("feed")
                q.text = r.string("text")
                q.since = try Self.date(r.string("since"), "--since")
                q.until = try Self.date(r.string("until"), "--until")
                if let type = q.type, !Self.types.contains(type.uppercased()) {
                    return .failure(.usage, "--type must be one of \(Self.types.joined(separator: ", ")), not '\(type)'")
                }
                return try Self.encode(reader.search(q))
            case "story":
                guard let id = r.string("id") else { return .failure(.usage, "story needs a story id or an article id") }
                guard let story = try reader.story(id) else { return .failure(.notFound, "no story or article \(id) in the index") }
                return try Self.encode(story)
            case "trending":
                let text = r.string("since") ?? "24h"
                guard let seconds = Self.window(text), seconds >= 1 else {
                    return .failure(.usage, "--since must be a duration such as 24h or 7d, not '\(text)'")
                }
                let type = r.string("type")
                if let type, !Self.types.contains(type.uppercased()) {
                    return .failure(.usage, "--type must be one of \(Self.types.joined(separator: ", ")), not '\(type)'")
                }
                return try Self.encode(reader.trending(window: Int64(seconds), type: type, limit: limit))
            case "quotes":
                let since = try Self.date(r.string("since"), "--since")
                return try Self.encode(reader.quotes(speaker: r.string("speaker"), since: since, limit: limit))
            default:
                return .failure(.unknownCommand, "unknown index command '\(r.command)'")
            }
        } catch let usage as UsageError {
            return .failure(.usage, usage.message)
        } catch {
            reader = nil  // reopened next time (the index may have been rebuilt)
            return .failure(.failed, "index \(path): \(error)")
        }
    }

    /// `24h`, `7d`, `2w`, or anything `DaemonConfig.parseDuration` reads.
    static func window(_ text: String) -> Double? {
        for (suffix, factor) in [("d", 86_400.0), ("w", 604_800.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast()).map { $0 * factor }
        }
        return DaemonConfig.parseDuration(text)
    }

    static let types = ["PERSON", "ORG", "PLACE", "NORP", "EVENT", "MISC"]

    struct UsageError: Error { var message: String }

    static func date(_ text: String?, _ flag: String) throws -> String? {
        guard let text else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let m = Int(parts[1]), let d = Int(parts[2]), Int(parts[0]) != nil, (1...12).contains(m), (1...31).contains(d) else {
            throw UsageError(message: "\(flag) must be a date YYYY-MM-DD, not '\(text)'")
        }
        return text
    }

    static func encode(_ value: some Encodable) throws -> ControlResponse { .success(value) }
}

extension ControlRequest {
    func string(_ key: String) -> String? {
        guard let s = args[key]?.stringValue, !s.isEmpty else { return nil }
        return s
    }
}
