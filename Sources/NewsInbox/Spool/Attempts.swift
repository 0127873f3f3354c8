import Foundation
import CLinuxShim
import Glibc
import Logging
import POSIXSupport

/// Extraction attempts that survive a crash of the process: `state/attempts/<file>` (the item's name
/// as dropped, feed directories included), one line per attempt, written just before the item is read
/// and extracted and removed as soon as that ends, whatever its outcome.
///
/// A marker still there at start-up names an item the daemon was extracting when it died. SIGKILL, the
/// watchdog, the OOM killer and a trap in the extractor all look the same from here, and need not be
/// told apart: the count is what matters. Lines are appended without fsync: a process crash does not
/// lose the page cache (a power cut may, and then an attempt goes uncounted, nothing worse). Appending
/// means a crash in the middle of recording attempt N still leaves the N - 1 before it.
final class Attempts: @unchecked Sendable {
    let directory: Directory

    init(statePath: String) throws {
        directory = try Directory.open(statePath + "/attempts", create: true)
    }

    /// Records that attempt `number` (1 for an item's first) starts now. The first attempt of an item
    /// truncates, so a marker left by an earlier item of the same name cannot count against it.
    func begin(_ file: String, attempt number: Int) throws {
        let (dir, name) = try directory.parent(of: file, create: true)
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (number <= 1 ? O_TRUNC : O_APPEND)
        let fd = cshim_openat(dir.fd, name, flags, 0o644)
        guard fd >= 0 else { throw SystemError("open", "\(dir.path)/\(name)") }
        defer { close(fd) }
        let line = Array("attempt \(number) by pid \(getpid()) at \(UTCTimestamp.string(from: Date()))\n".utf8)
        let written = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        guard written == line.count else { throw SystemError("write", "\(dir.path)/\(name)") }
    }

    /// Runs `body` (a worker's read and extraction) with attempt `number` of `file` on record.
    func recording<T>(_ file: String, attempt number: Int, logger: Logger, _ body: () -> T) -> T {
        do {
            try begin(file, attempt: number)
        } catch {
            // Extraction goes on (refusing would stop the daemon on a full state disk); only a crash
            // during this one attempt would go uncounted.
            logger.warning("cannot record the extraction attempt of \(file): \(error)")
        }
        defer { clear(file) }
        return body()
    }

    /// The extraction of `file` ended (or it left processing/ another way): forget its attempts.
    func clear(_ file: String) {
        guard let (dir, name) = try? directory.parent(of: file, create: false) else { return }
        cshim_unlinkat(dir.fd, name, 0)
    }

    /// Every marker: file -> attempts recorded. Read at start-up, before anything is extracted.
    func recorded() -> [String: Int] {
        var counts: [String: Int] = [:]
        try? directory.allFiles { relative in
            counts[relative] = lines(relative)
            return true
        }
        return counts
    }

    private func lines(_ relative: String) -> Int {
        guard let (dir, name) = try? directory.parent(of: relative, create: false) else { return 0 }
        let fd = cshim_openat(dir.fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { b in retryingOnInterrupt { Glibc.read(fd, b.baseAddress!, b.count) } }
            if n <= 0 { break }
            count += buffer[0..<n].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        }
        return count
    }
}
