import Synchronization

/// A value guarded by a lock, for the few pieces of state shared across Dispatch queues (the bench's too,
/// hence `package`).
package final class Locked<Value>: @unchecked Sendable {
    private let lock = Mutex(())
    private var value: Value

    package init(_ value: Value) { self.value = value }

    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try lock.withLock { _ in try body(&value) }
    }

    package var current: Value { withLock { $0 } }
}
