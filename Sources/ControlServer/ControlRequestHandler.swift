public import Control

/// What the control server asks of the daemon: the server reads, bounds and decodes requests; the
/// handler (newsinboxd's commands, which know the pipeline) answers them.
public protocol ControlRequestHandler: Sendable {
    /// Called on the server's queue. `reply` must be called once, from any queue.
    func handle(_ request: ControlRequest, peer: PeerCredentials, reply: @escaping @Sendable (ControlResponse) -> Void)

    /// A command that streams (`follow`) takes over `fd`, a duplicate of the connection's socket, and
    /// returns nil; or it returns the answer to send instead (bad arguments, too many followers), and
    /// the server closes `fd`.
    func stream(_ request: ControlRequest, peer: PeerCredentials, fd: Int32) -> ControlResponse?
}

/// The control server could not set up its socket (refused to replace something, or it is in use).
public struct ControlSocketError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
