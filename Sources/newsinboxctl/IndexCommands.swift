import ArgumentParser
import Control
import FoundationEssentials
import Glibc
import POSIXSupport

// MARK: - Questions to the index (read-only)

struct Search: ControlCommand {
    typealias Reply = SearchReply
    static let configuration = CommandConfiguration(
        abstract: "Indexed articles matching every filter given, newest first.",
        discussion: """
            NAME matches any surface form of an entity, case-insensitively ("Chollet" finds "Derek Chollet", "US" \
            finds "United States"). DATE is YYYY-MM-DD (the article's date). WORDS are all required, anywhere in the \
            headline or text. Superseded versions and withdrawn stories are not listed. "total" counts every match.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("An entity's name or any surface form of it.", valueName: "name")) var entity: String?
    @Option(help: ArgumentHelp("Entity type: PERSON, ORG, PLACE, NORP, EVENT, MISC.", valueName: "type")) var type: String?
    @Option(help: ArgumentHelp("The feed (the inbox subdirectory).", valueName: "feed")) var feed: String?
    @Option(help: ArgumentHelp("Articles dated on or after this day.", valueName: "date")) var since: String?
    @Option(help: ArgumentHelp("Articles dated on or before this day.", valueName: "date")) var until: String?
    @Option(help: ArgumentHelp("Words in the headline or text.", valueName: "words")) var text: String?
    @Option(help: "Show at most this many articles.") var limit: Int = 20

    func validate() throws { guard limit > 0 else { throw ValidationError("--limit must be at least 1") } }

    var request: ControlRequest {
        var args: [String: JSONValue] = ["limit": .int(limit)]
        for (key, value) in [("entity", entity), ("type", type), ("feed", feed), ("since", since), ("until", until), ("text", text)] {
            if let value { args[key] = .string(value) }
        }
        return ControlRequest(command: "search", args: args)
    }

    func printHuman(_ reply: Reply) {
        IndexRender.articles(reply.articles)
        print("\(reply.articles.count) of \(reply.total) matching article\(reply.total == 1 ? "" : "s")")
    }
}

struct Story: ControlCommand {
    typealias Reply = StoryReply
    static let configuration = CommandConfiguration(
        abstract: "Every article of a story: versions, rewrites and copies from any feed, oldest first.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("A story id or the id of any of its articles.", valueName: "id")) var id: String
    var request: ControlRequest { ControlRequest(command: "story", args: ["id": .string(id)]) }
    func printHuman(_ reply: Reply) {
        print("story \(reply.storyID)")
        IndexRender.articles(reply.articles, status: true)
    }
}

struct Trending: ControlCommand {
    typealias Reply = TrendingReply
    static let configuration = CommandConfiguration(
        abstract: "Entities named in more articles in the window than in the window before it.",
        discussion: "The window ends now and is over each article's time (article.timestamp, else its date, else when it was processed).")
    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The window: 24h, 7d, 2w, 90m ...", valueName: "duration")) var since: String = "24h"
    @Option(help: ArgumentHelp("Entity type: PERSON, ORG, PLACE, NORP, EVENT, MISC.", valueName: "type")) var type: String?
    @Option(help: "Show at most this many entities.") var limit: Int = 20

    func validate() throws { guard limit > 0 else { throw ValidationError("--limit must be at least 1") } }

    var request: ControlRequest {
        var args: [String: JSONValue] = ["since": .string(since), "limit": .int(limit)]
        if let type { args["type"] = .string(type) }
        return ControlRequest(command: "trending", args: args)
    }

    func printHuman(_ reply: Reply) {
        guard !reply.entities.isEmpty else { print("no entity named between \(reply.since) and \(reply.until)"); return }
        Render.table(["ENTITY", "TYPE", "COUNT", "PREVIOUS", "CHANGE"], reply.entities.map { e in
            [e.name, e.type, String(e.count), String(e.previous), (e.count >= e.previous ? "+" : "") + String(e.count - e.previous)]
        })
    }
}

struct Quotes: ControlCommand {
    typealias Reply = QuotesReply
    static let configuration = CommandConfiguration(abstract: "Quotes from indexed articles, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The speaker: any surface form of the entity, or as written.", valueName: "name")) var speaker: String?
    @Option(help: ArgumentHelp("From articles dated on or after this day (YYYY-MM-DD).", valueName: "date")) var since: String?
    @Option(help: "Show at most this many quotes.") var limit: Int = 20

    func validate() throws { guard limit > 0 else { throw ValidationError("--limit must be at least 1") } }

    var request: ControlRequest {
        var args: [String: JSONValue] = ["limit": .int(limit)]
        if let speaker { args["speaker"] = .string(speaker) }
        if let since { args["since"] = .string(since) }
        return ControlRequest(command: "quotes", args: args)
    }

    func printHuman(_ reply: Reply) {
        guard !reply.quotes.isEmpty else { print("no quotes"); return }
        for q in reply.quotes {
            print("\(q.date ?? "-")  \(q.articleID)  \(q.speaker ?? "(unattributed)")\(q.cue.map { " (\($0))" } ?? ""):")
            print("    \u{201C}\(Render.shorten(q.text, 300))\u{201D}")
        }
    }
}

/// `follow`: not one answer but a stream, so it has its own `run`.
struct Follow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each finished article (processed, failed, duplicate, tombstone) as it happens, until interrupted.",
        discussion: "With --json, one JSON object per line. A reader too slow to keep up is dropped by the daemon.")
    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Only articles naming this entity (any surface form).", valueName: "name")) var entity: String?
    @Option(help: ArgumentHelp("Only articles from this feed.", valueName: "feed")) var feed: String?

    func run() throws {
        var args: [String: JSONValue] = [:]
        if let entity { args["entity"] = .string(entity) }
        if let feed { args["feed"] = .string(feed) }
        let path = global.socketPath
        var failure: ControlResponse?
        var first = true
        do {
            try ControlClient(socketPath: path, timeoutSeconds: 30).stream(ControlRequest(command: "follow", args: args)) { line in
                if first {
                    first = false
                    let response = try? JSONDecoder().decode(ControlResponse.self, from: Data(line))
                    if response?.ok != true { failure = response ?? .failure(.failed, String(decoding: line, as: UTF8.self)); return false }
                    // On stderr, so stdout carries only the events.
                    let filters = [entity.map { "naming \($0)" }, feed.map { "from feed \($0)" }].compactMap { $0 }
                    IndexRender.write(2, Array("newsinboxctl: following finished articles\(filters.isEmpty ? "" : " " + filters.joined(separator: " and ")) (interrupt to stop)\n".utf8))
                    return true
                }
                // Written straight to the descriptor, so a pipe sees each line as it happens.
                if global.json {
                    IndexRender.write(1, line + [0x0A])
                } else if let event = try? JSONDecoder().decode(JSONValue.self, from: Data(line)) {
                    IndexRender.write(1, Array((IndexRender.event(event) + "\n").utf8))
                }
                return true
            }
        } catch let f as ControlClient.Failure {
            switch f {
            case .notRunning: throw Exit.notRunning("newsinboxctl: newsinboxd is not running (no answer on \(path))")
            case .permissionDenied: throw Exit.denied("newsinboxctl: permission denied opening \(path)")
            default: throw Exit.failed("newsinboxctl: \(f)")
            }
        }
        if let failure {
            if global.json { Render.printJSON(Render.errorObject(failure)) }
            throw Exit.failed("newsinboxctl: follow: \(failure.error ?? "failed")")
        }
        throw Exit.failed("newsinboxctl: follow: the daemon closed the stream (it stopped, or this reader fell too far behind)")
    }
}

enum IndexRender {
    /// Straight to the descriptor, unbuffered.
    static func write(_ fd: Int32, _ bytes: [UInt8]) {
        DescriptorIO.writeAll(fd, bytes)
    }

    static func articles(_ articles: [IndexedArticle], status: Bool = false) {
        guard !articles.isEmpty else { return }
        Render.table((["DATE", "ID", "FEED", "STORY"] + (status ? ["STATUS"] : []) + ["HEADLINE"]), articles.map { a in
            [a.date ?? "-", a.id, a.feed ?? "-", a.storyID] + (status ? [a.status] : []) + [Render.shorten(a.headline, 70)]
        })
    }

    static func event(_ e: JSONValue) -> String {
        let detail = e["error"]?.stringValue ?? e["duplicate_of"]?.stringValue.map { "duplicate of \($0)" } ?? e["headline"]?.stringValue ?? ""
        return [e["time"]?.stringValue ?? "-", e["outcome"]?.stringValue ?? "-", e["id"]?.stringValue ?? "-",
                e["file"]?.stringValue ?? "-", Render.shorten(detail, 80)].joined(separator: "  ")
    }
}
