import Dispatch

/// A point on the monotonic clock after which an item's work must stop.
///
/// Extraction stages call `check(_:)` between units of work (a paragraph, a sentence), so a pathological
/// input fails with "timeout" instead of holding a worker forever.
public struct Deadline: Sendable {
    public let uptimeNanoseconds: UInt64

    public init(uptimeNanoseconds: UInt64) {
        self.uptimeNanoseconds = uptimeNanoseconds
    }

    public static func after(seconds: Double) -> Deadline {
        let now = DispatchTime.now().uptimeNanoseconds
        let span = seconds <= 0 ? 0 : UInt64(min(seconds, 1e9) * 1e9)
        return Deadline(uptimeNanoseconds: now &+ span)
    }

    public static let never = Deadline(uptimeNanoseconds: .max)

    public var hasPassed: Bool {
        DispatchTime.now().uptimeNanoseconds >= uptimeNanoseconds
    }

    /// Throws `DeadlineExceeded` naming the stage that was running when time ran out.
    public func check(_ stage: String) throws(DeadlineExceeded) {
        if uptimeNanoseconds != .max && hasPassed { throw DeadlineExceeded(stage: stage) }
    }
}

public struct DeadlineExceeded: Error, Sendable, CustomStringConvertible {
    public let stage: String
    public var description: String { "timeout during \(stage)" }
}
