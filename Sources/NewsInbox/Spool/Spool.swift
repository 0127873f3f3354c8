import FoundationEssentials
import CLinuxShim
import Glibc
import POSIXSupport

/// The state directory's spool: `processing/`, `done/`, `failed/`.
///
/// Every move is a rename within one filesystem, so a file is always in exactly one of inbox/,
/// processing/, done/, failed/. A source leaves processing/ only after its output or its error
/// sidecar is durable (see `Pipeline`).
final class Spool: @unchecked Sendable {
    /// Replaced when the inbox is removed and made again (only on the pipeline's intake queue).
    var inbox: Directory
    let processing: Directory
    let done: Directory
    let failed: Directory

    init(inboxPath: String, statePath: String) throws {
        inbox = try Directory.open(inboxPath, create: true)
        let state = try Directory.open(statePath, create: true)
        processing = try state.subdirectory("processing", create: true)
        done = try state.subdirectory("done", create: true)
        failed = try state.subdirectory("failed", create: true)
        let a = try inbox.status(), b = try state.status()
        guard a.st_dev == b.st_dev else {
            throw ConfigError("inbox (\(inboxPath)) and state (\(statePath)) must be on one filesystem: claims are renames")
        }
    }

    private var lockFD: Int32 = -1

    /// Holds `state/lock` (flock) for the daemon's lifetime: two daemons on one spool would resume each
    /// other's items. The kernel releases the lock when the process dies, so a crash leaves nothing stale.
    func lockExclusively() throws {
        let fd = cshim_openat(processing.fd, "../lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw SystemError("open", "state/lock") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let e = errno
            close(fd)
            if e == EWOULDBLOCK { throw ConfigError("another newsinboxd is using the state directory (state/lock is held)") }
            throw SystemError("flock", "state/lock", errno: e)
        }
        lockFD = fd
    }

    enum ClaimResult: Equatable {
        case claimed
        /// Gone before we got it (another scan claimed it, or the producer deleted it).
        case vanished
        /// A file of the same name is still in processing/: try again once it has finished.
        case busy
    }

    /// Moves `inbox/relative` to `processing/relative` atomically.
    func claim(_ relative: String) throws -> ClaimResult {
        let (from, name) = try inbox.parent(of: relative, create: false)
        let (to, _) = try processing.parent(of: relative, create: true)
        do {
            try from.rename(name, to: to, as: name, noReplace: true)
            return .claimed
        } catch let error as SystemError where error.errno == ENOENT {
            return .vanished
        } catch let error as SystemError where error.errno == EEXIST {
            return .busy
        }
    }

    /// Moves `processing/relative` into `done/` (or another target), keeping its name; a name already
    /// taken there gets `.1`, `.2`, ... so no earlier source is overwritten. Returns the directory it
    /// landed in, which the caller syncs (once for a whole write batch).
    func moveFinished(_ relative: String, into target: Directory) throws -> Directory {
        let (from, name) = try processing.parent(of: relative, create: false)
        let (to, _) = try target.parent(of: relative, create: true)
        var candidate = name
        var n = 0
        while true {
            do {
                try from.rename(name, to: to, as: candidate, noReplace: true)
                return to
            } catch let error as SystemError where error.errno == EEXIST {
                n += 1
                candidate = "\(name).\(n)"
            }
        }
    }

    /// Deletes a finished source (`on_success = delete`).
    func remove(_ relative: String) throws {
        let (from, name) = try processing.parent(of: relative, create: false)
        try from.unlink(name)
        try from.sync()
    }

    /// Items a crash left in processing/: they are resumed before anything new is claimed.
    func leftoverItems() throws -> [String] {
        var items: [String] = []
        try processing.allFiles { items.append($0); return true }
        return items.sorted()
    }
}
