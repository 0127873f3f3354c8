import Synchronization

/// A value guarded by a lock, for the few pieces of state shared across Dispatch queues.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = Mutex(())
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try lock.withLock { _ in try body(&value) }
    }

    public var current: Value { withLock { $0 } }
}
