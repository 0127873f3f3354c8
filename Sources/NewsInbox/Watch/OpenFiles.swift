import Glibc
import POSIXSupport

/// Files some process holds open for writing, from /proc (best effort: without the right to read
/// another user's /proc/PID/fd, those files are not seen).
///
/// A scan must not claim a file a producer is still writing in place: inotify tells us when it is
/// closed, but a scan (at start-up, after an overflow) sees it half-written. Built once per scan.
struct OpenFiles {
    struct FileID: Hashable { var device: UInt64; var inode: UInt64 }

    private(set) var writing: Set<FileID> = []

    static func openForWriting() -> OpenFiles {
        var result = OpenFiles()
        guard let proc = opendir("/proc") else { return result }
        defer { closedir(proc) }
        let me = getpid()
        while let entry = readdir(proc) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard let pid = Int32(name), pid != me else { continue }
            guard let fds = opendir("/proc/\(pid)/fd") else { continue }
            while let fdEntry = readdir(fds) {
                let fdName = withUnsafePointer(to: fdEntry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                guard Int(fdName) != nil, isOpenForWriting(pid: pid, fd: fdName) else { continue }
                var st = stat()
                if stat("/proc/\(pid)/fd/\(fdName)", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG {
                    result.writing.insert(FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)))
                }
            }
            closedir(fds)
        }
        return result
    }

    /// `flags:` in /proc/PID/fdinfo/FD is octal; O_WRONLY is 1, O_RDWR 2.
    private static func isOpenForWriting(pid: Int32, fd: String) -> Bool {
        let path = "/proc/\(pid)/fdinfo/\(fd)"
        let f = open(path, O_RDONLY | O_CLOEXEC)
        guard f >= 0 else { return false }
        defer { close(f) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { read(f, $0.baseAddress!, $0.count) }
        guard n > 0 else { return false }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags:") }),
              let flags = Int(line.dropFirst("flags:".count).trimmingBlanks(), radix: 8) else { return false }
        return flags & 0o3 != 0
    }

    func contains(_ relative: String, in directory: Directory) -> Bool {
        guard !writing.isEmpty else { return false }
        var st = stat()
        guard fstatat(directory.fd, relative, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
        return writing.contains(FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)))
    }
}
