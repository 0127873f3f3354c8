import FoundationEssentials
import Glibc
import JetStream
import Logging
import POSIXSupport

/// The shared work queue in: pulls from `nats_input_stream` through the durable consumer
/// `nats_input_consumer` (every daemon binding the same name takes its share) and writes each message
/// into this daemon's own inbox, durably, before it acks it. From there the normal spool path applies.
///
/// A message lands as `inbox/<feed>/<stream sequence>`, the feed being the subject's last token
/// (`newsinbox.inbox.reuters` → `reuters/`), written as a temporary in `state/incoming/` (same
/// filesystem), made durable and renamed in, so the watcher only ever sees a complete file and a crash
/// leaves no temporary in the inbox (the next start empties incoming/). A crash between the write and the ack redelivers the message; its
/// identical content is then recorded as a duplicate, never as a second article.
///
/// Flow control: it asks the pipeline how much room there is (claimed + waiting below `capacity`) and
/// pulls no more than that, so a deep stream never becomes a deep inbox.
final class InboxPuller: @unchecked Sendable {
    static let subjectPrefix = "newsinbox.inbox"
    /// How long the server waits for our ack before it gives the message to another daemon.
    static let ackWait: Double = 30
    static let maxBatch = 64

    private let options: ConnectOptions
    private let inboxPath: String
    private let incomingPath: String
    private let stream: String
    private let consumer: String
    private let logger: Logger
    /// Called from the puller's thread: how many more files the pipeline has room for.
    private let room: @Sendable () -> Int
    private let stopping = Locked(false)

    init(config: DaemonConfig, logger: Logger, room: @escaping @Sendable () -> Int) {
        options = config.natsConnectOptions
        inboxPath = config.inbox
        incomingPath = config.state + "/incoming"
        stream = config.natsInputStream
        consumer = config.natsInputConsumer
        self.logger = logger
        self.room = room
    }

    func start() {
        DetachedThread.start(name: "newsinbox.nats-in") { [self] in run() }
    }

    func stop() { stopping.withLock { $0 = true } }

    private var isStopping: Bool { stopping.current }

    private func run() {
        // Temporaries a crash left before their rename: their messages were never acked, so they come again.
        if let incoming = try? Directory.open(incomingPath, create: true) {
            var stale: [String] = []
            try? incoming.forEachEntry { name, isDirectory in
                if !isDirectory { stale.append(name) }
                return true
            }
            for name in stale { try? incoming.unlink(name) }
        }
        var connection: JetStreamConnection?
        var subscription: PullSubscription?
        var backoff = 0.5
        var unavailable: String?
        while !isStopping {
            do {
                if subscription == nil {
                    let live = try JetStreamConnection(options)
                    connection = live
                    try live.ensureStream(StreamSpec(name: stream, subjects: [Self.subjectPrefix + ".>"], retention: .workQueue))
                    subscription = try live.pullSubscribe(stream: stream, subject: Self.subjectPrefix + ".>",
                                                          durable: consumer, ackWait: Self.ackWait)
                    if unavailable != nil { logger.notice("input stream \(stream) available again") }
                    unavailable = nil
                    backoff = 0.5
                }
                let space = min(room(), Self.maxBatch)
                if space <= 0 {
                    usleep(100_000)  // the pipeline is full: look again shortly
                    continue
                }
                for message in try subscription!.fetch(max: space, timeout: 1) {
                    try deliver(message)
                    try message.acknowledge()
                }
            } catch {
                if unavailable == nil {
                    // Once per outage.
                    logger.error("input stream \(stream) unavailable, retrying with backoff: \(error)")
                }
                unavailable = "\(error)"
                subscription = nil
                connection?.close()
                connection = nil
                usleep(UInt32(backoff * 1_000_000))
                backoff = min(backoff * 2, 8)
            }
        }
        subscription = nil
        connection?.close()
    }

    /// Writes the message into the inbox durably: temporary in incoming/, fsync, rename into the feed
    /// directory, fsync it.
    func deliver(_ message: PulledMessage) throws {
        let feed = Self.feed(ofSubject: message.subject)
        let name = String(message.streamSequence)
        let incoming = try Directory.open(incomingPath, create: true)
        let temporary = try AtomicFile.writeTemporary(message.data, for: name, in: incoming)
        let fd = openat(incoming.fd, temporary, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0, fsync(fd) == 0 else {
            let error = SystemError("fsync", "\(incoming.path)/\(temporary)")
            if fd >= 0 { close(fd) }
            try? incoming.unlink(temporary)
            throw error
        }
        close(fd)
        let inbox = try Directory.open(inboxPath)
        let directory: Directory
        if let feed {
            let existed = inbox.exists(feed)
            directory = try inbox.subdirectory(feed, create: true)
            if !existed { try inbox.sync() }  // the new feed directory itself must survive a crash
        } else {
            directory = inbox
        }
        // Never over a file still waiting there (a recreated stream reuses sequences): the next free
        // `<seq>.N` instead. A redelivered message lands beside its first copy and is a duplicate.
        var target = name
        for n in 1...1000 {
            do {
                try incoming.rename(temporary, to: directory, as: target, noReplace: true)
                break
            } catch let error as SystemError where error.errno == EEXIST && n < 1000 {
                target = "\(name).\(n)"
            } catch {
                try? incoming.unlink(temporary)
                throw error
            }
        }
        try directory.sync()
    }

    /// The last token of `newsinbox.inbox.<feed>`, made safe as one directory name; nil for no feed.
    static func feed(ofSubject subject: String) -> String? {
        guard subject.hasPrefix(subjectPrefix + "."), let last = subject.split(separator: ".").last else { return nil }
        let name = String(last).replacing("/", with: "%2F")
        return name.hasPrefix(".") ? "%2E" + name.dropFirst() : name
    }
}
