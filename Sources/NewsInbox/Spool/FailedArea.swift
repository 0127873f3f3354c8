import FoundationEssentials
import Glibc
import POSIXSupport

/// `failed/<name>.error.json`: why a source failed (schema `newsinbox.failure/1`).
struct FailureSidecar: Encodable, Sendable {
    var schema = "newsinbox.failure/1"
    var file: String
    var feed: String?
    var stage: String
    var reason: String
    var errno: Int32?
    var time: String
    var sha256: String?

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .prettyPrinted, .sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return [UInt8](data)
    }
}

/// failed/: the one place that names, writes and moves sources into and out of it. A failed source
/// sits at `failed/<name>` beside `<name>.error.json`; the sidecar is made durable (in the write
/// stage's group commit) before the source moves, and `<name>` is the name as dropped, or `.1`, `.2`,
/// ... when an earlier failure holds it.
extension Spool {
    /// A name in failed/ that neither a source nor a sidecar uses yet (`x.xml`, then `x.xml.1`, ...),
    /// nor one of `taken` (chosen by an earlier item of the same batch).
    func freeFailedName(for file: String, avoiding taken: Set<String>) throws -> String {
        let (dir, name) = try failed.parent(of: file, create: true)
        let (prefix, _) = splitRelative(file)
        func full(_ candidate: String) -> String { prefix.isEmpty ? candidate : prefix + "/" + candidate }
        var candidate = name
        var n = 0
        while dir.exists(candidate) || dir.exists(candidate + ".error.json") || taken.contains(full(candidate)) {
            n += 1
            candidate = "\(name).\(n)"
        }
        return full(candidate)
    }

    /// Writes the sidecar of `failed/<name>` as a temporary of `commit` (durable once it commits).
    func stageSidecar(_ sidecar: [UInt8], forFailed name: String, in commit: GroupCommit) throws {
        let (dir, base) = try failed.parent(of: name, create: true)
        try commit.stage(sidecar, named: base + ".error.json", in: dir)
    }

    /// Moves `processing/<file>` to `failed/<name>`; returns the directory it landed in (the caller
    /// syncs it, once per batch).
    func moveToFailed(_ file: String, as name: String) throws -> Directory {
        let (from, base) = try processing.parent(of: file, create: false)
        let (to, target) = try failed.parent(of: name, create: true)
        try from.rename(base, to: to, as: target, noReplace: true)
        return to
    }

    /// Moves `failed/<name>` back to `processing/<file>` (its name as dropped) and removes its sidecar.
    /// The source moves first: a crash in between leaves the item in processing/ (resumed at start-up)
    /// and an orphaned sidecar, never a lost source.
    func takeBackFromFailed(_ name: String, as file: String) throws {
        let (from, base) = try failed.parent(of: name, create: false)
        let (to, target) = try processing.parent(of: file, create: true)
        try from.rename(base, to: to, as: target, noReplace: true)
        try to.sync()
        try? from.unlink(base + ".error.json")
        try? from.sync()
    }
}
