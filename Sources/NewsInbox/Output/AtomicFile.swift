import CLinuxShim
import Glibc
import POSIXSupport

/// Writes files so that they exist only complete: a dot-temporary, made durable, then renamed.
///
/// `write` does it for one file (fsync the file, rename, fsync the directory). `GroupCommit` does it
/// for many: every temporary is written, one `syncfs` makes them all durable, then they are renamed
/// and each directory is synced once, so a batch of N outputs costs a few syncs instead of 2N.
enum AtomicFile {
    private static let counter = Locked<UInt64>(0)

    static func write(_ bytes: [UInt8], named name: String, in directory: Directory) throws {
        let temporary = try writeTemporary(bytes, for: name, in: directory)
        let fd = cshim_openat(directory.fd, temporary, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0)
        guard fd >= 0, fsync(fd) == 0 else {
            let e = SystemError("fsync", "\(directory.path)/\(temporary)")
            if fd >= 0 { close(fd) }
            cshim_unlinkat(directory.fd, temporary, 0)
            throw e
        }
        close(fd)
        try commit(temporary, as: name, in: directory)
        try directory.sync()
    }

    /// Writes `.tmp-…-name` (not yet durable), with extended attributes if given (set best-effort: a
    /// filesystem without user xattrs just lacks them), and returns its name.
    static func writeTemporary(_ bytes: [UInt8], for name: String, in directory: Directory,
                               attributes: [(name: String, value: [UInt8])] = []) throws -> String {
        let sequence = counter.withLock { value -> UInt64 in value += 1; return value }
        let temporary = ".tmp-\(getpid())-\(sequence)-\(name)"
        let fd = cshim_openat(directory.fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw SystemError("create", "\(directory.path)/\(temporary)") }
        do {
            for attribute in attributes {
                _ = attribute.value.withUnsafeBytes { cshim_fsetxattr(fd, attribute.name, $0.baseAddress, $0.count) }
            }
            let failure = DescriptorIO.writeAll(fd, bytes)
            if failure != 0 { throw SystemError("write", "\(directory.path)/\(temporary)", errno: failure) }
            guard close(fd) == 0 else { throw SystemError("close", "\(directory.path)/\(temporary)") }
        } catch {
            close(fd)
            cshim_unlinkat(directory.fd, temporary, 0)
            throw error
        }
        return temporary
    }

    /// Renames a durable temporary to its final name (the directory still needs a sync).
    static func commit(_ temporary: String, as name: String, in directory: Directory) throws {
        guard cshim_renameat(directory.fd, temporary, directory.fd, name) == 0 else {
            let e = SystemError("rename", "\(directory.path)/\(temporary)")
            cshim_unlinkat(directory.fd, temporary, 0)
            throw e
        }
    }

    /// Removes temporaries a crash left behind (they were never renamed, so they hold nothing of value).
    static func removeStaleTemporaries(in directory: Directory) -> Int {
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

/// Several atomic files made durable together: stage, then `commit()`.
final class GroupCommit {
    private struct Staged { var temporary: String; var name: String; var directory: Directory }
    private var staged: [Staged] = []

    func stage(_ bytes: [UInt8], named name: String, in directory: Directory,
               attributes: [(name: String, value: [UInt8])] = []) throws {
        let temporary = try AtomicFile.writeTemporary(bytes, for: name, in: directory, attributes: attributes)
        staged.append(Staged(temporary: temporary, name: name, directory: directory))
    }

    /// One syncfs per filesystem, the renames, then one fsync per directory. On failure every
    /// temporary not yet renamed is removed and the error is thrown: nothing half-done is visible.
    func commit() throws {
        defer { staged.removeAll() }
        do {
            var filesystems: [UInt64: Directory] = [:]
            for s in staged { if let st = try? s.directory.status() { filesystems[UInt64(st.st_dev)] = s.directory } }
            for directory in filesystems.values {
                guard cshim_syncfs(directory.fd) == 0 else { throw SystemError("syncfs", directory.path) }
            }
            for s in staged { try AtomicFile.commit(s.temporary, as: s.name, in: s.directory) }
            var synced: Set<String> = []
            for s in staged where synced.insert(s.directory.path).inserted { try s.directory.sync() }
        } catch {
            for s in staged { cshim_unlinkat(s.directory.fd, s.temporary, 0) }
            throw error
        }
    }
}
