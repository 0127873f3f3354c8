import CLinuxShim
import Glibc
import POSIXSupport

/// Reads a claimed source safely: never follows a symlink, never blocks on a FIFO or device, never
/// reads more than the size limit.
enum SourceFile {
    struct Contents {
        var bytes: [UInt8]
        /// Seconds since the epoch of the file's last modification (the date of last resort).
        var modificationTime: Int
    }

    /// Why a source cannot be read; the message goes into the failed/ sidecar.
    struct Refusal: Error {
        var reason: String
        var errno: Int32?
    }

    static func read(_ relative: String, in root: Directory, limit: Int) throws(Refusal) -> Contents {
        let parent: Directory, name: String
        do {
            (parent, name) = try root.parent(of: relative, create: false)
        } catch {
            throw Refusal(reason: "cannot open its directory: \(error)", errno: (error as? SystemError)?.errno)
        }
        let fd = cshim_openat(parent.fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0)
        if fd < 0 {
            let e = errno
            if e == ELOOP { throw Refusal(reason: "a symbolic link: links are never followed", errno: e) }
            if e == EACCES { throw Refusal(reason: "permission denied", errno: e) }
            throw Refusal(reason: "cannot open: \(String(cString: strerror(e)))", errno: e)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Refusal(reason: "cannot stat", errno: errno) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFIFO: throw Refusal(reason: "not a regular file: a FIFO")
        case S_IFCHR, S_IFBLK: throw Refusal(reason: "not a regular file: a device")
        case S_IFSOCK: throw Refusal(reason: "not a regular file: a socket")
        case S_IFDIR: throw Refusal(reason: "not a regular file: a directory")
        default: throw Refusal(reason: "not a regular file")
        }
        if Int(st.st_size) > limit {
            throw Refusal(reason: "too large: \(st.st_size) bytes, the limit is \(limit) (max_file_size)")
        }
        // The file may still grow (a producer that wrote in place and reopened it): read at most limit + 1.
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                if count > limit { break }
                bytes.append(contentsOf: repeatElement(0, count: min(max(count, 4096), limit + 1 - count)))
            }
            let n = bytes.withUnsafeMutableBytes { b in retryingOnInterrupt { Glibc.read(fd, b.baseAddress! + count, b.count - count) } }
            if n < 0 {
                throw Refusal(reason: "read error: \(String(cString: strerror(errno)))", errno: errno)
            }
            if n == 0 { break }
            count += n
        }
        if count > limit { throw Refusal(reason: "too large: grew past the limit of \(limit) bytes while being read") }
        bytes.removeSubrange(count...)
        return Contents(bytes: bytes, modificationTime: Int(st.st_mtim.tv_sec))
    }
}
