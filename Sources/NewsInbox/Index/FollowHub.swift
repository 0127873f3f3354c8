import Dispatch
import FoundationEssentials
import Glibc
import NewsIndex
import POSIXSupport

/// `newsinboxctl follow`: every finished article (processed, failed, duplicate, tombstone) as one JSON
/// line to each follower whose filter it passes, as it happens.
///
/// The pipeline only hands events over (`publish` returns at once, and does nothing without
/// followers); encoding and sending happen on the hub's own queue with non-blocking sends. A follower
/// that lets `bufferLimit` bytes pile up is dropped, so a slow reader costs bounded memory and never
/// slows the pipeline.
final class FollowHub: @unchecked Sendable {
    static let maxFollowers = 32
    static let bufferLimit = 256 * 1024

    struct Filter: Sendable {
        /// Folded (`EntityKey.fold`), matched against the article's entity lookup keys.
        var entity: String?
        var feed: String?
    }

    struct Event: Encodable, Sendable {
        var outcome: String
        var time: String
        var id: String?
        var file: String
        var feed: String?
        var headline: String?
        var date: String?
        var story_id: String?
        var duplicate_of: String?
        var error: String?
        var entities: [String]
        /// Lookup keys of the entities (not sent): what `--entity` matches.
        var keys: Set<String>

        enum CodingKeys: String, CodingKey { case outcome, time, id, file, feed, headline, date, story_id, duplicate_of, error, entities }
    }

    private let queue = DispatchQueue(label: "newsinbox.follow")
    private var followers: [Int32: Follower] = [:]
    /// Read without the queue by `publish`, so an idle hub costs the pipeline one atomic read.
    private let count = Locked(0)
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return e
    }()

    var hasFollowers: Bool { count.withLock { $0 } > 0 }

    /// Takes over `fd` (a connected control client): sends `greeting`, then events. False at the cap.
    func add(fd: Int32, filter: Filter, greeting: [UInt8]) -> Bool {
        queue.sync {
            guard followers.count < Self.maxFollowers else { return false }
            DescriptorIO.setNonBlocking(fd)
            let follower = Follower(fd: fd, filter: filter, queue: queue) { [weak self] fd in self?.remove(fd) }
            followers[fd] = follower
            count.withLock { $0 = followers.count }
            follower.start()
            follower.enqueue(greeting)
            return true
        }
    }

    func publish(_ events: [Event]) {
        guard hasFollowers, !events.isEmpty else { return }
        queue.async { [self] in
            for event in events {
                guard var line = try? [UInt8](encoder.encode(event)) else { continue }
                line.append(0x0A)
                for follower in followers.values where follower.wants(event) { follower.enqueue(line) }
            }
        }
    }

    private func remove(_ fd: Int32) {
        followers[fd] = nil
        count.withLock { $0 = followers.count }
    }

    /// One follower's socket and its pending bytes. Owned by the hub's queue.
    private final class Follower {
        let fd: Int32
        let filter: Filter
        private let socket: SocketConnection

        init(fd: Int32, filter: Filter, queue: DispatchQueue, onClose: @escaping (Int32) -> Void) {
            self.fd = fd
            self.filter = filter
            socket = SocketConnection(fd: fd, queue: queue)
            socket.onClose = { onClose(fd) }
        }

        func wants(_ event: Event) -> Bool {
            if let feed = filter.feed, event.feed != feed { return false }
            if let entity = filter.entity, !event.keys.contains(entity) { return false }
            return true
        }

        /// Reads only to notice the client going away (it sends nothing after its request).
        func start() {
            socket.startReading { [socket] in
                var buffer = [UInt8](repeating: 0, count: 512)
                let n = buffer.withUnsafeMutableBytes { socket.receive(into: $0) }
                if n == 0 || (n < 0 && errno != EAGAIN) { socket.close() }
            }
        }

        func enqueue(_ line: [UInt8]) {
            guard !socket.isClosed else { return }
            if socket.pendingByteCount + line.count > FollowHub.bufferLimit { socket.close(); return }  // too slow: dropped
            socket.send(line)
        }
    }
}
