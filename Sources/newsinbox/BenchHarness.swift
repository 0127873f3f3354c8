import ArgumentParser
import Dispatch
import FoundationEssentials
import Glibc
import NewsInbox
import POSIXSupport
import Synchronization

// The end-to-end harness's parts: a workspace, a process started like a Type=notify service,
// an inotify watch on the done/ and failed/ directories, and an RSS sampler.

/// The directories one system under test runs on, below /tmp.
struct BenchWorkspace {
    let root: String
    var inbox: String { root + "/inbox" }
    var output: String { root + "/out" }
    var state: String { root + "/state" }
    var done: String { state + "/done" }
    var failed: String { state + "/failed" }
    var staging: String { root + "/staging" }
    var log: String { root + "/log" }

    static func make(_ root: String) throws -> BenchWorkspace {
        let ws = BenchWorkspace(root: root)
        for dir in [ws.inbox, ws.output, ws.done, ws.failed, ws.staging] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        return ws
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `bytes` to staging/`name` (not synced: the producer's side is not what is measured).
    func stage(_ name: String, _ bytes: [UInt8]) throws {
        try Self.write(staging + "/" + name, bytes)
    }

    static func write(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ValidationError("cannot create \(path): errno \(errno)") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw ValidationError("short write to \(path)") }
    }

    /// Renames staging/`name` into the inbox; returns the monotonic time just before the rename (taken
    /// after it, a preempted bench thread could see the file finished before it was dropped).
    func drop(_ name: String) throws -> UInt64 {
        let now = BenchClock.now()
        guard rename(staging + "/" + name, inbox + "/" + name) == 0 else {
            throw ValidationError("cannot rename \(name) into \(inbox): errno \(errno)")
        }
        return now
    }

    /// Sources finished so far (done/ and failed/, without the failure sidecars), read from the directories.
    func finishedOnDisk() -> Int {
        [done, failed].reduce(0) { sum, dir in
            sum + ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasSuffix(".error.json") }.count
        }
    }

    func outputs() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.count
    }
}

/// When each source arrived in done/ or failed/: inotify IN_MOVED_TO, read on a thread of its own.
/// A source moves there only after its output is durable, so this is close-to-durable, conservatively.
final class FinishWatcher: @unchecked Sendable {
    private let lock = Mutex(())
    private var times: [String: UInt64] = [:]
    private var events = 0
    private var overflowed = false
    private var stopping = false
    private var finished = false
    private let fd: Int32

    init(directories: [String]) throws {
        fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { throw ValidationError("inotify_init1: errno \(errno)") }
        for dir in directories where inotify_add_watch(fd, dir, UInt32(IN_MOVED_TO)) < 0 {
            throw ValidationError("inotify_add_watch \(dir): errno \(errno)")
        }
        DetachedThread.start(name: "finish-watcher") { [self] in
            loop()
            lock.withLock { _ in finished = true }
        }
    }

    private func loop() {
        var buffer = [UInt8](repeating: 0, count: 1 << 18)
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while !lock.withLock({ _ in stopping }) {
            guard poll(&pfd, 1, 50) > 0 else { continue }
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                let now = BenchClock.now()
                var names: [String] = []
                var overflow = false
                buffer.withUnsafeBytes { raw in
                    var offset = 0
                    while offset + 16 <= n {
                        let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                        let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                        if mask & UInt32(IN_Q_OVERFLOW) != 0 { overflow = true }
                        if length > 0 {
                            let bytes = raw[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }
                            let name = String(decoding: bytes, as: UTF8.self)
                            if !name.hasSuffix(".error.json") { names.append(name) }
                        }
                        offset += 16 + length
                    }
                }
                lock.withLock { _ in
                    if overflow { overflowed = true }
                    for name in names where times[name] == nil { times[name] = now; events += 1 }
                }
            }
        }
    }

    func stop() {
        lock.withLock { _ in stopping = true }
        while !lock.withLock({ _ in finished }) { usleep(10_000) }
        close(fd)
    }

    var count: Int { lock.withLock { _ in events } }
    var lostEvents: Bool { lock.withLock { _ in overflowed } }
    func time(_ name: String) -> UInt64? { lock.withLock { _ in times[name] } }

    /// Waits until `target` sources have finished in total (by events, or on disk after an overflow).
    /// Returns false on timeout.
    func wait(until target: Int, workspace: BenchWorkspace, timeout: Double, onTick: (() -> Void)? = nil) -> Bool {
        let end = BenchClock.now() + UInt64(timeout * 1e9)
        var lastDiskCheck: UInt64 = 0
        while BenchClock.now() < end {
            if count >= target { return true }
            if lostEvents && BenchClock.now() - lastDiskCheck > 500_000_000 {
                lastDiskCheck = BenchClock.now()
                if workspace.finishedOnDisk() >= target { return true }
            }
            onTick?()
            usleep(2_000)
        }
        return false
    }
}

/// VmRSS of one process every `interval`, and its VmHWM (peak) on request.
final class RSSSampler: @unchecked Sendable {
    struct Sample { var time: UInt64; var kilobytes: Int }
    let pid: Int32
    private let lock = Mutex(())
    private var samples: [Sample] = []
    private var stopping = false

    init(pid: Int32, interval: Double = 0.05) {
        self.pid = pid
        DetachedThread.start(name: "rss-sampler") { [self] in
            while !lock.withLock({ _ in stopping }) {
                if let kb = Self.status(pid, "VmRSS") {
                    let sample = Sample(time: BenchClock.now(), kilobytes: kb)
                    lock.withLock { _ in samples.append(sample) }
                }
                usleep(UInt32(interval * 1e6))
            }
        }
    }

    func stop() { lock.withLock { _ in stopping = true } }

    /// RSS samples (MB) taken between two monotonic times.
    func megabytes(from start: UInt64, to end: UInt64) -> [Double] {
        lock.withLock { _ in samples.filter { $0.time >= start && $0.time <= end }.map { Double($0.kilobytes) / 1024 } }
    }

    var currentMB: Double? { Self.status(pid, "VmRSS").map { Double($0) / 1024 } }
    var peakMB: Double? { Self.status(pid, "VmHWM").map { Double($0) / 1024 } }

    /// User + system CPU seconds the process has used (/proc/PID/stat), all its threads.
    var cpuSeconds: Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A `Vm...:  N kB` field of /proc/PID/status.
    static func status(_ pid: Int32, _ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }
}

/// A system under test started like a `Type=notify` service: exec with NOTIFY_SOCKET set to a
/// datagram socket this process owns; start-up time is exec to READY=1.
final class LaunchedSystem {
    let process: ChildProcess
    let startupSeconds: Double
    let rss: RSSSampler
    var pid: Int32 { process.pid }

    init(argv: [String], workspace: BenchWorkspace, timeout: Double = 180) throws {
        let socketPath = workspace.root + "/notify.sock"
        unlink(socketPath)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ValidationError("socket: errno \(errno)") }
        defer { close(fd); unlink(socketPath) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw ValidationError("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in pathBytes.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw ValidationError("bind \(socketPath): errno \(errno)") }
        var tv = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))

        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = socketPath

        let t0 = BenchClock.now()
        let process = try ChildProcess(argv, environment: environment, outputFile: workspace.log)
        var buffer = [UInt8](repeating: 0, count: 4096)
        var ready = false
        while !ready {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                let message = String(decoding: buffer[0..<n], as: UTF8.self)
                ready = message.split(separator: "\n").contains("READY=1")
            } else if !process.isRunning {
                throw ValidationError("\(argv[0]) exited with \(process.terminationStatus) before READY=1; see \(workspace.log)")
            } else if Double(BenchClock.now() - t0) / 1e9 > timeout {
                kill(process.pid, SIGTERM)
                throw ValidationError("\(argv[0]) sent no READY=1 within \(Int(timeout)) s; see \(workspace.log)")
            }
        }
        startupSeconds = Double(BenchClock.now() - t0) / 1e9
        self.process = process
        BenchCleanup.children.withLock { $0.insert(process.pid) }
        rss = RSSSampler(pid: process.pid)
        // The socket is closed now: later STATUS= messages fail fast instead of filling a queue nobody reads.
    }

    /// SIGTERM, then SIGKILL after `grace` seconds.
    func stop(grace: Double = 30) {
        rss.stop()
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let end = BenchClock.now() + UInt64(grace * 1e9)
        while process.isRunning && BenchClock.now() < end { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.wait()
        BenchCleanup.children.withLock { _ = $0.remove(pid) }
    }
}

/// Latency figures in milliseconds.
func latencyJSON(_ ms: [Double]) -> BenchJSON {
    var j = BenchJSON()
    j["count"] = ms.count
    j["p50_ms"] = Stat.percentile(ms, 0.5)
    j["p90_ms"] = Stat.percentile(ms, 0.9)
    j["p99_ms"] = Stat.percentile(ms, 0.99)
    j["max_ms"] = ms.max() ?? 0
    j["mean_ms"] = ms.isEmpty ? 0 : ms.reduce(0, +) / Double(ms.count)
    return j
}

/// On SIGINT/SIGTERM: kill the systems under test and remove the workspaces, so an interrupted run
/// leaves no daemon behind.
enum BenchCleanup {
    static let children = Locked<Set<Int32>>([])
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func onInterrupt(remove directory: String?) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                for pid in children.withLock({ $0 }) { kill(pid, SIGKILL) }
                if let directory { try? FileManager.default.removeItem(atPath: directory) }
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }
}
