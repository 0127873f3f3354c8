import Glibc
public import POSIXSupport

/// A whole file read with open(2)/read(2), so a failure carries errno ("PATH: No such file or directory")
/// for the operator, not Foundation's generic wording.
public enum FileBytes {
    public static func read(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open", path) }
        defer { close(fd) }
        return try read(descriptor: fd, name: path)
    }

    /// Everything left to read from `fd` (standard input, say); `name` is what an error names.
    public static func read(descriptor fd: Int32, name path: String) throws(SystemError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { buffer in retryingOnInterrupt { Glibc.read(fd, buffer.baseAddress, buffer.count) } }
            if n < 0 { throw SystemError("read", path) }
            if n == 0 { return bytes }
            bytes += chunk[..<n]
        }
    }
}
