import CLinuxShim
import FoundationEssentials
import Control
import Glibc
import POSIXSupport

/// The output directory: one `<id>.json` per article, written atomically, and nothing else ending in
/// `.json` (temporaries are dot-files).
///
/// Each output names the source it was written for in the extended attribute `user.newsinbox.source`,
/// so that an item resumed after a crash tells its own output from an earlier duplicate's without
/// parsing the JSON.
final class OutputStore: @unchecked Sendable {  // immutable after init; Directory is a descriptor
    let directory: Directory
    static let sourceAttribute = "user.newsinbox.source"

    init(outputPath: String) throws {
        directory = try Directory.open(outputPath, create: true)
    }

    func fileName(for id: String) -> String { id + ".json" }
    func path(for id: String) -> String { directory.path + "/" + fileName(for: id) }

    func exists(_ id: String) -> Bool { directory.exists(fileName(for: id)) }

    /// The attributes an output for `file` is written with.
    static func attributes(source file: String) -> [(name: String, value: [UInt8])] {
        [(sourceAttribute, Array(file.utf8))]
    }

    /// The source an existing output was written for: its attribute, or (an output written before
    /// the attribute existed, or on a filesystem without user xattrs) its `source.file`.
    func sourceFile(of id: String) -> String? {
        if let file = sourceAttribute(of: id) { return file }
        guard let data = FileManager.default.contents(atPath: path(for: id)),
              let output = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        return output["source"]?["file"]?.stringValue
    }

    /// `user.newsinbox.source` of an existing output, if it has one.
    func sourceAttribute(of id: String) -> String? {
        let fd = cshim_openat(directory.fd, fileName(for: id), O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { cshim_fgetxattr(fd, Self.sourceAttribute, $0.baseAddress, $0.count) }
        return n >= 0 ? String(decoding: buffer[..<n], as: UTF8.self) : nil
    }

    /// The exact bytes of an existing output.
    func contents(of id: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(for: id)).map { [UInt8]($0) }
    }
}
