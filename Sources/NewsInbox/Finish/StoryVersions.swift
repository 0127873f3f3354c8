import FoundationEssentials
import POSIXSupport

/// The story-version index: `state/versions/<sha256 of the guid>` holds `ID VERSION [SUPERSEDES]` for
/// the latest version recorded of each story (guids are arbitrary text, hence the hash as the name).
///
/// Owned by the write stage (writer queue only). A batch's records are staged in its group commit,
/// so they become durable with the outputs that carry them; until then the batch sees its own
/// records through `staged`. Keeping the superseded id beside the latest one makes the decision
/// idempotent: an item decided again after a crash or a stall gets the `supersedes` it got first.
final class StoryVersions {
    struct Version: Equatable, Sendable {
        var id: String
        var version: Int
        var supersedes: String?
    }

    private let directory: Directory
    private var staged: [String: Version] = [:]

    init(directory: Directory) { self.directory = directory }

    /// The index's key for a guid (computed by a worker, see `ArticleFeatures`).
    static func key(guid: String) -> String { SHA256.hex(Array(guid.utf8)) }

    func latest(key: String) -> Version? {
        if let version = staged[key] { return version }
        guard let data = FileManager.default.contents(atPath: directory.path + "/" + key),
              let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count >= 2, let v = Int(parts[1]) else { return nil }
        return Version(id: String(parts[0]), version: v, supersedes: parts.count >= 3 ? String(parts[2]) : nil)
    }

    /// The id of the earlier version of the same story this article replaces, if any.
    func superseded(key: String, id: String, version: Int) -> String? {
        guard let latest = latest(key: key) else { return nil }
        if latest.id == id { return latest.supersedes }  // decided before (a resumed or retried item)
        return latest.version < version ? latest.id : nil
    }

    /// Records `id` as the story's latest version unless a higher one is known (staged with the batch).
    func note(key: String, id: String, version: Int, supersedes: String?) {
        if (latest(key: key)?.version ?? Int.min) <= version {
            staged[key] = Version(id: id, version: version, supersedes: supersedes)
        }
    }

    /// Writes the batch's records as temporaries of `commit`.
    func stage(into commit: GroupCommit) throws {
        for (key, v) in staged {
            try commit.stage(Array("\(v.id) \(v.version)\(v.supersedes.map { " " + $0 } ?? "")\n".utf8), named: key, in: directory)
        }
    }

    /// The batch is over: its records are durable (committed) or were never written (a stall).
    func endBatch() { staged.removeAll() }
}
