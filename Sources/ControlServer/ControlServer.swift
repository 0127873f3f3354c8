import Control
import Dispatch
import Glibc
public import Logging
import POSIXSupport
import Synchronization

/// The control socket's server side: accept, read one bounded request line, answer, close.
///
/// Runs on its own queue so a slow or silent client never stalls the pipeline; each connection has a
/// deadline, the request size is bounded, and at `maxConnections` a long-silent client is dropped to
/// make room, or else the new one is answered `busy` at once (the client retries). What a request
/// does is the handler's business (newsinboxd's commands, which know the pipeline).
public final class ControlServer: @unchecked Sendable {
    static let streamingCommands: Set<String> = [ControlCommandName.follow.rawValue]

    public let path: String
    private let queue = DispatchQueue(label: "newsinbox.control")
    private let logger: Logger
    private let handler: any ControlRequestHandler
    /// Counted on the server's queue, read by `stats` from any queue.
    private let countersState = Mutex(ControlCounters())
    private var listener: SocketListener?
    private var connections: [ObjectIdentifier: Connection] = [:]
    private var ownsSocketFile = false
    let maxConnections = 64
    let connectionTimeout = Double(ControlProtocol.ioTimeoutSeconds)
    /// How long a connection may stay silent before it can be dropped to make room at the cap.
    let silentGrace = 0.5

    public init(path: String, logger: Logger, handler: any ControlRequestHandler) {
        self.path = path
        self.logger = logger
        self.handler = handler
    }

    /// Listens on the socket systemd passed (socket activation), else binds `path` itself. Connections
    /// wait in the listen backlog until `acceptConnections()`, so no request is answered before the
    /// pipeline has started.
    public func bindAndListen(activatedFD: Int32?) throws {
        if let fd = activatedFD {
            listener = SocketListener(fd: fd, queue: queue)
            logger.info("control socket from systemd (socket activation)")
        } else {
            listener = SocketListener(fd: try bindSocket(), queue: queue)
            ownsSocketFile = true
        }
    }

    public func acceptConnections() {
        listener?.start { [weak self] fd in self?.accepted(fd) }
    }

    public func stop() {
        queue.sync {
            listener?.stop(closing: true)
            listener = nil
            for connection in connections.values { connection.close() }
            connections.removeAll()
            if ownsSocketFile { unlink(path) }
        }
    }

    /// unlink a stale socket, refuse one a running daemon answers on, umask around bind, 0660.
    private func bindSocket() throws -> Int32 {
        try Directory.makeDirectories(splitRelative(path).directory)
        var st = stat()
        if lstat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFSOCK else {
                throw ControlSocketError("control_socket \(path) exists and is not a socket; refusing to replace it")
            }
            do {
                _ = try ControlClient(socketPath: path, timeoutSeconds: 2).send(ControlRequest(command: "ping"), busyRetries: 0)
                throw ControlSocketError("another newsinboxd is already listening on \(path)")
            } catch ControlClient.Failure.notRunning {
                // Nobody listens: a socket left by a daemon that was killed. Safe to replace.
                logger.info("removing stale control socket \(path)")
                unlink(path)
            } catch let error as ControlClient.Failure {
                // Something accepts connections there but does not answer like newsinboxd: leave it alone.
                throw ControlSocketError("control_socket \(path) is in use by another process (\(error)); refusing to replace it")
            }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket", path) }
        var address = try UnixSocketAddress(path: path)
        let old = umask(0o117)
        let rc = address.withSockaddr { bind(fd, $0, $1) }
        let bindErrno = errno
        umask(old)
        guard rc == 0 else { Glibc.close(fd); throw SystemError("bind", path, errno: bindErrno) }
        guard chmod(path, 0o660) == 0 else { let e = errno; Glibc.close(fd); unlink(path); throw SystemError("chmod", path, errno: e) }
        guard listen(fd, 128) == 0 else { let e = errno; Glibc.close(fd); unlink(path); throw SystemError("listen", path, errno: e) }
        return fd
    }

    private func accepted(_ fd: Int32) {
        guard let peer = PeerCredentials.of(fd) else { Glibc.close(fd); return }
        if connections.count >= maxConnections && !evictOldestSilent() {
            // Every slot is busy with a real request: refuse at once, never wait (the socket is non-blocking).
            logger.debug("control: refusing uid \(peer.uid) pid \(peer.pid): \(maxConnections) connections open")
            countersState.withLock { $0.refused += 1 }
            DescriptorIO.writeAll(fd, ControlResponse.failure(.busy, "too many control connections (\(maxConnections)); try again").encodedLine(), socket: true)
            Glibc.close(fd)
            return
        }
        let connection = Connection(fd: fd, peer: peer, queue: queue, timeout: connectionTimeout, server: self)
        connections[ObjectIdentifier(connection)] = connection
        countersState.withLock { $0.accepted += 1; $0.open = connections.count }
        connection.start()
    }

    /// At the cap, a client that has been connected for `silentGrace` without sending a complete request
    /// yields its slot to a new one, oldest first, so idle connections cannot lock everyone out. Clients
    /// that just connected, and those whose request is being served, keep theirs.
    private func evictOldestSilent() -> Bool {
        let cutoff = DispatchTime.now().uptimeNanoseconds - UInt64(silentGrace * 1e9)
        guard let victim = connections.values.filter({ $0.isReading && $0.opened.uptimeNanoseconds < cutoff })
            .min(by: { $0.opened < $1.opened }) else { return false }
        logger.debug("control: dropping idle connection of uid \(victim.peer.uid) pid \(victim.peer.pid) to make room")
        victim.reply(.failure(.busy, "dropped: no complete request while the server was at its connection cap"))
        return true
    }

    /// What the socket has seen since start (`newsinboxctl stats`).
    public var counters: ControlCounters { countersState.withLock { $0 } }

    fileprivate func count(answer response: ControlResponse) {
        countersState.withLock { $0.answers[response.ok ? "ok" : response.code?.rawValue ?? "failed", default: 0] += 1 }
    }

    fileprivate func closed(_ connection: Connection) {
        connections[ObjectIdentifier(connection)] = nil
        countersState.withLock { $0.open = connections.count }
    }

    fileprivate func dispatch(_ line: [UInt8], from connection: Connection) {
        let request: ControlRequest
        switch ControlRequest.decode(line: line) {
        case .success(let decoded): request = decoded
        case .failure(let response): connection.reply(response); return
        }
        if Self.streamingCommands.contains(request.command) {
            // The stream gets its own descriptor for the socket; this connection's sources and timers go.
            let fd = dup(connection.fd)
            guard fd >= 0 else { connection.reply(.failure(.failed, "dup: \(String(cString: strerror(errno)))")); return }
            if let refusal = handler.stream(request, peer: connection.peer, fd: fd) {
                Glibc.close(fd)
                connection.reply(refusal)
            } else {
                countersState.withLock { $0.answers["ok", default: 0] += 1 }
                connection.close()
            }
            return
        }
        handler.handle(request, peer: connection.peer) { [weak connection] response in
            connection?.replyFromAnyQueue(response)
        }
    }
}

/// One client connection: read until a newline (bounded), answer once, close.
private final class Connection: @unchecked Sendable {
    let peer: PeerCredentials
    private let queue: DispatchQueue
    private weak var server: ControlServer?
    private let socket: SocketConnection
    private var timer: (any DispatchSourceTimer)?
    private var input: [UInt8] = []
    private var answered = false
    private var replied = false
    let opened = DispatchTime.now()
    var fd: Int32 { socket.fd }
    /// Still waiting for the request line (not yet handed to a command).
    var isReading: Bool { !answered && !socket.isClosed }
    private let timeout: Double

    init(fd: Int32, peer: PeerCredentials, queue: DispatchQueue, timeout: Double, server: ControlServer) {
        self.peer = peer
        self.queue = queue
        self.timeout = timeout
        self.server = server
        socket = SocketConnection(fd: fd, queue: queue)
    }

    func start() {
        socket.onClose = { [self] in
            timer?.cancel()
            timer = nil
            server?.closed(self)
        }
        socket.onDrained = { [self] in close() }  // the answer is out: done
        socket.startReading { [self] in readAvailable() }
        armTimer()
    }

    /// One deadline per phase: reading the request and writing the answer get `timeout` each (a silent
    /// client, or one that never reads, is dropped); a command gets `commandTimeout`, a safety net so a
    /// connection never waits forever for an answer.
    private func armTimer(serving: Bool = false) {
        timer?.cancel()
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + (serving ? Self.commandTimeout : timeout))
        timer.setEventHandler { [self] in
            if serving {
                reply(.failure(.failed, "the daemon did not finish the command within \(Int(Self.commandTimeout))s"))
            } else if answered {
                close()
            } else {
                reply(.failure(.timeout, "no complete request line within \(Int(timeout))s"))
            }
        }
        timer.resume()
        self.timer = timer
    }

    static let commandTimeout: Double = 300

    private func readAvailable() {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while !answered {
            let n = chunk.withUnsafeMutableBytes { socket.receive(into: $0) }
            if n < 0 {
                if errno == EAGAIN { return }
                close(); return
            }
            if n == 0 {  // the client closed before a full line
                if input.isEmpty { close() } else { finishLine(input) }
                return
            }
            if let newline = chunk[0..<n].firstIndex(of: 0x0A) {
                input.append(contentsOf: chunk[0..<newline])
                finishLine(input)
                return
            }
            input.append(contentsOf: chunk[0..<n])
            if input.count > ControlProtocol.maxRequestBytes {
                reply(.failure(.tooLarge, "request larger than \(ControlProtocol.maxRequestBytes) bytes"))
                return
            }
        }
    }

    private func finishLine(_ line: [UInt8]) {
        guard line.count <= ControlProtocol.maxRequestBytes else {
            reply(.failure(.tooLarge, "request larger than \(ControlProtocol.maxRequestBytes) bytes"))
            return
        }
        answered = true
        socket.stopReading()
        armTimer(serving: true)
        server?.dispatch(line, from: self)
    }

    func replyFromAnyQueue(_ response: ControlResponse) {
        queue.async { [self] in reply(response) }
    }

    func reply(_ response: ControlResponse) {
        guard !socket.isClosed, !replied else { return }
        replied = true
        server?.count(answer: response)
        answered = true
        socket.stopReading()
        armTimer()
        socket.send(response.encodedLine())
    }

    func close() { socket.close() }
}
