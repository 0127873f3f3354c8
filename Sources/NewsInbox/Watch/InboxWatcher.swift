import Dispatch
import Glibc
import Logging
import POSIXSupport

/// Watches the inbox and its subdirectories with inotify and reports file names as hints.
///
/// Inotify is a hint, the directory is the truth: on overflow, on a new subdirectory (files may have
/// arrived before its watch) and when the inbox itself is replaced, the watcher asks for a scan.
/// Runs on the queue it is given (the pipeline's intake queue); not thread-safe otherwise.
final class InboxWatcher: @unchecked Sendable {
    enum Signal {
        /// A file finished arriving (closed after writing, or renamed in): its path relative to the inbox.
        case file(String)
        /// Events may have been lost: scan this subdirectory ("" for the whole inbox).
        case scan(String, reason: ScanReason)
        /// The inbox directory itself was removed or renamed.
        case inboxGone
    }

    enum ScanReason: String { case startup, overflow, newDirectory = "new directory", periodic, inboxRestored = "inbox restored", request, backlog }

    private let inboxPath: String
    private let queue: DispatchQueue
    private let logger: Logger
    private let onSignal: (Signal) -> Void
    private var fd: Int32 = -1
    private var source: (any DispatchSourceRead)?
    private var directories: [Int32: String] = [:]   // watch descriptor -> path relative to the inbox
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(inboxPath: String, queue: DispatchQueue, logger: Logger, onSignal: @escaping (Signal) -> Void) {
        self.inboxPath = inboxPath
        self.queue = queue
        self.logger = logger
        self.onSignal = onSignal
    }

    func start() throws {
        fd = try Inotify.initialise()
        try watchTree("")
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.drain() }
        source.resume()
        self.source = source
    }

    func stop() {
        if let source {
            // Close the descriptor only once Dispatch has let go of it.
            let fd = self.fd
            source.setCancelHandler { close(fd) }
            source.cancel()
        } else if fd >= 0 {
            close(fd)
        }
        source = nil
        fd = -1
        directories.removeAll()
    }

    /// Re-creates every watch, e.g. after the inbox was removed and made again.
    func restart() throws {
        stop()
        try start()
    }

    /// Adds watches on `relative` and every directory below it (iteratively: hostile trees can be deep).
    private func watchTree(_ relative: String) throws {
        var stack = [relative]
        while let dir = stack.popLast() {
            let path = dir.isEmpty ? inboxPath : inboxPath + "/" + dir
            let wd: Int32
            do {
                wd = try Inotify.addWatch(fd, path: path)
            } catch let error as SystemError where !dir.isEmpty && (error.errno == ENOENT || error.errno == ENOTDIR || error.errno == ELOOP) {
                continue  // gone or replaced by a non-directory meanwhile
            }
            directories[wd] = dir
            let directory = try Directory.open(path)
            try directory.forEachEntry { name, isDirectory in
                if isDirectory && !name.hasPrefix(".") { stack.append(dir.isEmpty ? name : dir + "/" + name) }
                return true
            }
        }
    }

    private func drain() {
        for event in Inotify.readEvents(fd, buffer: &buffer) {
            if event.isOverflow {
                logger.warning("inotify queue overflowed: events were lost, rescanning the inbox")
                onSignal(.scan("", reason: .overflow))
                continue
            }
            guard let dir = directories[event.watch] else { continue }
            if event.isWatchGone {
                if event.mask & UInt32(IN_IGNORED) != 0 { directories[event.watch] = nil }
                if dir.isEmpty && event.mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 { onSignal(.inboxGone) }
                continue
            }
            if event.nameIsInvalid { onSignal(.scan(dir, reason: .request)); continue }
            guard !event.name.isEmpty else { continue }
            let relative = dir.isEmpty ? event.name : dir + "/" + event.name
            if event.isNewDirectory {
                guard !event.name.hasPrefix(".") else { continue }
                do {
                    try watchTree(relative)
                } catch {
                    logger.error("cannot watch new directory \(relative): \(error)")
                }
                onSignal(.scan(relative, reason: .newDirectory))
            } else if event.isFileComplete && !event.isDirectory {
                onSignal(.file(relative))
            }
        }
    }
}
