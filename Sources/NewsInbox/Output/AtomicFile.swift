import Glibc

/// Writes a file so that it exists only complete: a dot-temporary, fsync, rename, fsync of the directory.
public enum AtomicFile {
    private static let counter = Locked<UInt64>(0)

    public static func write(_ bytes: [UInt8], named name: String, in directory: Directory) throws {
        let sequence = counter.withLock { value -> UInt64 in value += 1; return value }
        let temporary = ".tmp-\(getpid())-\(sequence)-\(name)"
        let fd = openat(directory.fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw SystemError("create", "\(directory.path)/\(temporary)") }
        do {
            try bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw SystemError("write", "\(directory.path)/\(temporary)")
                    }
                    offset += n
                }
            }
            guard fsync(fd) == 0 else { throw SystemError("fsync", "\(directory.path)/\(temporary)") }
            guard close(fd) == 0 else { throw SystemError("close", "\(directory.path)/\(temporary)") }
        } catch {
            close(fd)
            unlinkat(directory.fd, temporary, 0)
            throw error
        }
        guard renameat(directory.fd, temporary, directory.fd, name) == 0 else {
            let e = SystemError("rename", "\(directory.path)/\(temporary)")
            unlinkat(directory.fd, temporary, 0)
            throw e
        }
        try directory.sync()
    }

    /// Removes temporaries a crash left behind (they were never renamed, so they hold nothing of value).
    public static func removeStaleTemporaries(in directory: Directory) -> Int {
        var names: [String] = []
        try? directory.allFiles { relative in
            if splitRelative(relative).name.hasPrefix(".tmp-") { names.append(relative) }
            return true
        }
        var removed = 0
        for relative in names {
            if let (dir, name) = try? directory.parent(of: relative, create: false), (try? dir.unlink(name)) != nil { removed += 1 }
        }
        return removed
    }
}
