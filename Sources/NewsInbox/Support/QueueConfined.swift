import Dispatch

/// A value that only code running on one serial Dispatch queue may touch: every access checks
/// `dispatchPrecondition(.onQueue(queue))`, so a read or write from another queue traps at once instead
/// of racing. The compiler cannot see confinement to a Dispatch queue (Linux Dispatch has no serial
/// executor), so this is the one place that says `@unchecked Sendable` for it; whoever holds one of
/// these can be checked `Sendable`.
///
/// Members read as `state.pending` (dynamic member lookup); mutations go through `_modify`, so
/// `state.pending.append(x)` changes the value in place instead of copying it.
@dynamicMemberLookup
final class QueueConfined<Value>: @unchecked Sendable {
    let queue: DispatchQueue
    private var value: Value

    init(_ value: Value, on queue: DispatchQueue) {
        self.value = value
        self.queue = queue
    }

    /// The whole value (for a reference type, the object itself).
    var wrapped: Value {
        get { dispatchPrecondition(condition: .onQueue(queue)); return value }
        _modify { dispatchPrecondition(condition: .onQueue(queue)); yield &value }
    }

    subscript<T>(dynamicMember member: WritableKeyPath<Value, T>) -> T {
        get { dispatchPrecondition(condition: .onQueue(queue)); return value[keyPath: member] }
        _modify { dispatchPrecondition(condition: .onQueue(queue)); yield &value[keyPath: member] }
    }

    subscript<T>(dynamicMember member: KeyPath<Value, T>) -> T {
        dispatchPrecondition(condition: .onQueue(queue))
        return value[keyPath: member]
    }
}
