import Foundation
import Glibc

/// The output directory: one `<id>.json` per article, written atomically, and nothing else ending in
/// `.json` (temporaries are dot-files). The story-version index lives in the state directory.
final class OutputStore: @unchecked Sendable {
    let directory: Directory
    private let versions: Directory

    init(outputPath: String, statePath: String) throws {
        directory = try Directory.open(outputPath, create: true)
        versions = try Directory.open(statePath, create: true).subdirectory("versions", create: true)
    }

    func fileName(for id: String) -> String { id + ".json" }
    func path(for id: String) -> String { directory.path + "/" + fileName(for: id) }

    func exists(_ id: String) -> Bool { directory.exists(fileName(for: id)) }

    /// `source.file` of an existing output, to tell a resumed item's own output from a duplicate's.
    func sourceFile(of id: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path(for: id)),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let source = object["source"] as? [String: Any] else { return nil }
        return source["file"] as? String
    }

    func write(_ bytes: [UInt8], id: String) throws {
        try AtomicFile.write(bytes, named: fileName(for: id), in: directory)
    }

    // MARK: - Story versions

    struct Version { var id: String; var version: Int }

    /// The latest version recorded for a guid (the key is the guid's hash: guids are arbitrary text).
    func latestVersion(guid: String) -> Version? {
        let name = SHA256.hex(Array(guid.utf8))
        guard let data = FileManager.default.contents(atPath: versions.path + "/" + name),
              let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count >= 2, let v = Int(parts[1]) else { return nil }
        return Version(id: String(parts[0]), version: v)
    }

    func recordVersion(guid: String, _ version: Version) throws {
        let name = SHA256.hex(Array(guid.utf8))
        try AtomicFile.write(Array("\(version.id) \(version.version)\n".utf8), named: name, in: versions)
    }
}
