import Foundation
public import Testing

/// What a test needs from the machine (a corpus, a tool, a privilege) and what happens when it is missing:
/// under `CI=true` the test fails with the reason; elsewhere it is reported as skipped with the reason.
/// It never passes by returning early.
public enum Requirement {
    /// CI sets `CI=true`: there nothing may be missing.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Inside a test: fails it (CI) or skips it (elsewhere) when `condition` does not hold.
    public static func check(_ condition: Bool, _ reason: @autoclosure () -> String,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard !condition else { return }
        try missing(reason(), sourceLocation: sourceLocation)
    }

    /// Inside a test: the value, or a failure (CI) or skip (elsewhere) with the reason when it is nil.
    public static func value<T>(_ value: T?, _ reason: @autoclosure () -> String,
                                sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        guard let value else { try missing(reason(), sourceLocation: sourceLocation) }
        return value
    }

    public static func missing(_ reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Never {
        if isCI { throw Missing(reason: reason) }
        try Test.cancel("skipped: \(reason)", sourceLocation: sourceLocation)
    }

    /// The error a test fails with in CI.
    public struct Missing: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { "required in CI (CI=true), missing here: \(reason)" }
    }

    // MARK: - What tests need

    public static var isRoot: Bool { geteuid() == 0 }

    public static var journaldRunning: Bool { FileManager.default.fileExists(atPath: "/run/systemd/journal/socket") }

    /// python3 with the jsonschema module (Debian python3-jsonschema, installed by scripts/setup).
    public static let pythonJSONSchema: Bool = {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import jsonschema"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return false }
        check.waitUntilExit()
        return check.terminationStatus == 0
    }()
}

extension Trait where Self == ConditionTrait {
    /// A suite or test trait: skipped with `reason` when `condition` is false, except under `CI=true`, where
    /// the test runs and the trait fails it with the reason before its body starts.
    public static func requires(_ condition: @autoclosure @escaping @Sendable () -> Bool, _ reason: String,
                                sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        .enabled(Comment(rawValue: reason), sourceLocation: sourceLocation) {
            if condition() { return true }
            if Requirement.isCI { throw Requirement.Missing(reason: reason) }
            return false
        }
    }
}
