import Glibc
import POSIXSupport

/// inotify(7), as thin wrappers. Events are read from a non-blocking descriptor until EAGAIN.
enum Inotify {
    struct Event {
        var watch: Int32
        var mask: UInt32
        var name: String
        /// The name was not valid UTF-8 (`name` is then empty): a scan renames it to an escaped form.
        var nameIsInvalid = false

        var isDirectory: Bool { mask & UInt32(IN_ISDIR) != 0 }
        var isOverflow: Bool { mask & UInt32(IN_Q_OVERFLOW) != 0 }
        var isFileComplete: Bool { mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 }
        var isNewDirectory: Bool { isDirectory && mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 }
        var isWatchGone: Bool { mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT) != 0 }
    }

    static func initialise() throws -> Int32 {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw SystemError("inotify_init1", "") }
        return fd
    }

    /// What a directory of the inbox is watched for: finished files, new subdirectories, and its own removal.
    static let directoryMask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF)
        | UInt32(IN_ONLYDIR) | UInt32(IN_DONT_FOLLOW) | UInt32(IN_EXCL_UNLINK)

    static func addWatch(_ fd: Int32, path: String) throws -> Int32 {
        let wd = inotify_add_watch(fd, path, directoryMask)
        guard wd >= 0 else { throw SystemError("inotify_add_watch", path) }
        return wd
    }

    /// Reads every pending event. Returns an empty array at EAGAIN.
    static func readEvents(_ fd: Int32, buffer: inout [UInt8]) -> [Event] {
        var events: [Event] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { b in retryingOnInterrupt { Glibc.read(fd, b.baseAddress!, b.count) } }
            if n <= 0 { return events }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                let header = MemoryLayout<inotify_event>.size
                while offset + header <= n {
                    let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    var name = ""
                    var invalid = false
                    if length > 0 {
                        let bytes = raw[(offset + header)..<(offset + header + length)]
                        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
                        if let valid = String(validating: raw[(offset + header)..<end], as: UTF8.self) { name = valid } else { invalid = true }
                    }
                    events.append(Event(watch: wd, mask: mask, name: name, nameIsInvalid: invalid))
                    offset += header + length
                }
            }
        }
    }
}
