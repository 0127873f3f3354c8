public import Foundation

/// The shared corpora beside the repository (`../shared/corpora`), read in place, never copied.
public enum Corpora {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpora")

    public static var isPresent: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("seed").path) }

    /// The reason a test names when the corpora are missing.
    public static func absent(_ relative: String = "") -> String {
        "../shared/corpora\(relative.isEmpty ? "" : "/" + relative) is absent (expected at \(root.path))"
    }

    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    public static func bytes(_ relative: String) -> [UInt8]? {
        (try? Data(contentsOf: url(relative))).map { [UInt8]($0) }
    }

    public static func text(_ relative: String) -> String? {
        (try? Data(contentsOf: url(relative))).flatMap { String(data: $0, encoding: .utf8) }
    }

    /// Every regular file below `relative`, as paths relative to the corpora root, sorted.
    public static func files(under relative: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: url(relative).path) else { return [] }
        var found: [String] = []
        while let name = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = url(relative).appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(relative + "/" + name)
            }
        }
        return found.sorted()
    }

    /// BBC articles, categories interleaved so that a limit still covers all of them.
    public static func bbcFiles(limit: Int) -> [(String, [UInt8])] {
        var result: [(String, [UInt8])] = []
        for category in ["business", "entertainment", "politics", "sport", "tech"] {
            let dir = root.appendingPathComponent("bbc/\(category)")
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
            for name in names {
                if let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) {
                    result.append(("\(category)/\(name)", [UInt8](data)))
                }
            }
        }
        result.sort { a, b in
            let ai = Int(a.0.split(separator: "/")[1].prefix(3)) ?? 0, bi = Int(b.0.split(separator: "/")[1].prefix(3)) ?? 0
            return (ai, a.0) < (bi, b.0)
        }
        return Array(result.prefix(limit))
    }
}
