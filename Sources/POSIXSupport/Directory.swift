public import Glibc
import CLinuxShim

/// An open directory, so that every path below it is resolved without following symlinks.
///
/// The inbox is writable by producers: a symlinked feed directory (`inbox/feed -> /etc`) must never
/// make the daemon rename or read files outside the inbox. Every component is opened with
/// `O_NOFOLLOW | O_DIRECTORY` relative to its parent's descriptor.
public final class Directory: @unchecked Sendable {
    public let fd: Int32
    public let path: String

    public init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Opens (and with `create`, makes) a directory at an absolute or relative path, refusing symlinks
    /// in the last component.
    public static func open(_ path: String, create: Bool = false) throws -> Directory {
        if create { try makeDirectories(path) }
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open", path) }
        return Directory(fd: fd, path: path)
    }

    /// mkdir -p: every missing component of `path`, mode 0775.
    public static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if cshim_mkdirat(AT_FDCWD, current, 0o775) != 0 && errno != EEXIST { throw SystemError("mkdir", current) }
        }
    }

    /// Opens `relative` (one or more components) below this directory, component by component.
    public func subdirectory(_ relative: String, create: Bool = false) throws -> Directory {
        var fdNow = dup(fd)
        guard fdNow >= 0 else { throw SystemError("dup", path) }
        var walked = path
        for part in relative.split(separator: "/") {
            let name = String(part)
            guard name != "..", name != "." else { close(fdNow); throw SystemError("open", walked + "/" + name, errno: EINVAL) }
            walked += "/" + name
            if create && cshim_mkdirat(fdNow, name, 0o775) != 0 && errno != EEXIST {
                let e = errno; close(fdNow); throw SystemError("mkdir", walked, errno: e)
            }
            let next = cshim_openat(fdNow, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
            let e = errno
            close(fdNow)
            guard next >= 0 else { throw SystemError("open", walked, errno: e) }
            fdNow = next
        }
        return Directory(fd: fdNow, path: walked)
    }

    /// rename(2) between directories; with `noReplace`, an existing target fails with EEXIST.
    public func rename(_ name: String, to target: Directory, as newName: String, noReplace: Bool) throws {
        let rc = noReplace
            ? cshim_rename_noreplace(fd, name, target.fd, newName)
            : cshim_renameat(fd, name, target.fd, newName)
        guard rc == 0 else { throw SystemError("rename", "\(path)/\(name) -> \(target.path)/\(newName)") }
    }

    public func unlink(_ name: String) throws {
        guard cshim_unlinkat(fd, name, 0) == 0 else { throw SystemError("unlink", "\(path)/\(name)") }
    }

    public func sync() throws {
        guard fsync(fd) == 0 else { throw SystemError("fsync", path) }
    }

    public func exists(_ name: String) -> Bool {
        var st = stat()
        return fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
    }

    public func status() throws -> stat {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("fstat", path) }
        return st
    }

    /// Calls `body` for each entry (without . and ..) until it returns false. Types come from d_type;
    /// DT_UNKNOWN is resolved with fstatat, never following symlinks. Streams: a directory of 100,000
    /// files costs no memory here.
    public func forEachEntry(_ body: (_ name: String, _ isDirectory: Bool) -> Bool) throws {
        let copy = dup(fd)
        guard copy >= 0 else { throw SystemError("dup", path) }
        guard let dir = fdopendir(copy) else { let e = errno; close(copy); throw SystemError("opendir", path, errno: e) }
        defer { closedir(dir) }
        rewinddir(dir)
        while let entry = readdir(dir) {
            let raw = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: UInt8.self, capacity: 256) { p in
                    Array(UnsafeBufferPointer(start: p, count: strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))))
                }
            }
            if raw == [0x2E] || raw == [0x2E, 0x2E] { continue }
            guard let name = usableName(raw) else { continue }
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var st = stat()
                isDirectory = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            }
            if !body(name, isDirectory) { return }
        }
    }

    /// A file name as a String. A name that is not valid UTF-8 can't be carried through the pipeline
    /// (or JSON) unchanged: it is renamed in place to a percent-escaped form (`caf%E9.txt`), which
    /// arrives as a new name and is processed like any other.
    private func usableName(_ raw: [UInt8]) -> String? {
        if let name = String(validating: raw, as: UTF8.self) { return name }
        var escaped = ""
        for b in raw {
            if b >= 0x21 && b < 0x7F && b != 0x25 { escaped.unicodeScalars.append(Unicode.Scalar(b)) }
            else { escaped += "%" + String(b, radix: 16, uppercase: true).leftPadded(2) }
        }
        let rc = raw.withUnsafeBufferPointer { p -> Int32 in
            var terminated = Array(p); terminated.append(0)
            return terminated.withUnsafeBufferPointer {
                cshim_rename_noreplace(fd, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), fd, escaped)
            }
        }
        return rc == 0 ? escaped : nil
    }

    /// Every file (not directory) below this directory, as paths relative to it, depth first.
    public func allFiles(_ body: (String) -> Bool) throws {
        var stack: [(Directory, String)] = [(self, "")]
        while let (dir, prefix) = stack.popLast() {
            var keepGoing = true
            var subdirectories: [String] = []
            try dir.forEachEntry { name, isDirectory in
                if isDirectory { subdirectories.append(name); return true }
                keepGoing = body(prefix + name)
                return keepGoing
            }
            if !keepGoing { return }
            for name in subdirectories {
                if let sub = try? dir.subdirectory(name) { stack.append((sub, prefix + name + "/")) }
            }
        }
    }
}

/// Splits `feed/sub/name.xml` into its directory part (`feed/sub`, or "" at the top) and the name.
public func splitRelative(_ relative: String) -> (directory: String, name: String) {
    guard let slash = relative.lastIndex(of: "/") else { return ("", relative) }
    return (String(relative[..<slash]), String(relative[relative.index(after: slash)...]))
}

extension Directory {
    /// The directory holding `relative`, made if needed (`create`), or self for a top-level name.
    public func parent(of relative: String, create: Bool) throws -> (Directory, String) {
        let (dir, name) = splitRelative(relative)
        return (dir.isEmpty ? self : try subdirectory(dir, create: create), name)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
