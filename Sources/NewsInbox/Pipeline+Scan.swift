import Dispatch
import FoundationEssentials
import Glibc
import POSIXSupport

/// Scans: the directory is the truth, inotify only a hint.
extension Pipeline {
    /// Offers every file below `subdirectory` of the inbox ("" for all of it), up to the pending capacity.
    func scan(_ subdirectory: String, reason: InboxWatcher.ScanReason) {
        let root: Directory
        do {
            root = subdirectory.isEmpty ? spool.inbox : try spool.inbox.subdirectory(subdirectory)
        } catch {
            if reason != .newDirectory { logger.warning("cannot scan \(subdirectory.isEmpty ? "the inbox" : subdirectory): \(error)") }
            return
        }
        guard !state.isScanning else { return }
        state.isScanning = true
        defer { state.isScanning = false }
        let prefix = subdirectory.isEmpty ? "" : subdirectory + "/"
        var offered = 0
        var full = false
        var stillOpen = 0
        let openFiles = OpenFiles.openForWriting()
        do {
            try root.allFiles { relative in
                let file = prefix + relative
                if isKnown(file) { return true }
                if state.pending.count >= state.pendingCapacity { full = true; return false }
                // Still being written in place: its IN_CLOSE_WRITE will offer it.
                if openFiles.contains(relative, in: root) { stillOpen += 1; return true }
                offered += 1
                if reason == .periodic { state.stats.foundByRescan += 1 }
                enqueue(file, arrived: .now())
                return true
            }
        } catch {
            logger.warning("scan of \(root.path) stopped: \(error)")
        }
        if full { state.inboxHasMore = true }
        if offered > 0 { intake.async { [self] in pump() } }
        if subdirectory.isEmpty && reason != .backlog { state.stats.rescans += 1 }
        switch reason {
        case .backlog, .newDirectory:
            break
        case .periodic where offered == 0:
            logger.debug("periodic rescan: nothing missed")
        case .periodic:
            logger.notice("periodic rescan found \(offered) files that inotify did not report")
        default:
            logger.info("\(reason.rawValue) scan of \(subdirectory.isEmpty ? "the inbox" : subdirectory): \(offered) files queued\(full ? ", more waiting" : "")\(stillOpen > 0 ? ", \(stillOpen) still open for writing" : "")")
        }
    }

    /// Periodic safety rescan, on the intake queue.
    func schedulePeriodicRescan() {
        let interval = state.config.rescanInterval
        guard interval > 0 else { return }
        intake.asyncAfter(deadline: .now() + interval) { [self] in
            if state.mode != .draining && state.inboxProblem == nil { scan("", reason: .periodic) }
            schedulePeriodicRescan()
        }
    }

    /// Checks that the inbox path still names the directory we hold open. inotify does not report the
    /// removal of a directory we hold a descriptor on (the inode lives on), so this runs every second.
    func verifyInbox() {
        guard state.inboxProblem == nil, state.mode != .draining else { return }
        var held = stat(), named = stat()
        let intact = fstat(spool.inbox.fd, &held) == 0 && held.st_nlink > 0
            && lstat(state.config.inbox, &named) == 0 && (named.st_mode & S_IFMT) == S_IFDIR
            && named.st_dev == held.st_dev && named.st_ino == held.st_ino
        if !intact { inboxGone() }
    }

    /// The inbox was removed, renamed or replaced: stop claiming until a real directory is back.
    func inboxGone() {
        if state.inboxProblem == nil {
            logger.error("the inbox \(state.config.inbox) was removed or renamed; waiting for it to come back")
        }
        state.inboxProblem = "inbox \(state.config.inbox) is missing"
        retryInbox()
    }

    private func retryInbox() {
        intake.asyncAfter(deadline: .now() + 1) { [self] in
            guard state.inboxProblem != nil, state.mode != .draining else { return }
            do {
                var st = stat()
                if lstat(state.config.inbox, &st) != 0 && errno == ENOENT {
                    try Directory.makeDirectories(state.config.inbox)
                } else if (st.st_mode & S_IFMT) == S_IFLNK {
                    throw SystemError("open", state.config.inbox, errno: ELOOP)
                }
                let reopened = try Directory.open(state.config.inbox)  // O_NOFOLLOW: a symlink fails here
                guard try reopened.status().st_dev == spool.processing.status().st_dev else {
                    throw ConfigError("the new inbox is on another filesystem than the state directory")
                }
                spool.inbox = reopened
                try state.watcher!.restart()
                state.inboxProblem = nil
                logger.notice("the inbox \(state.config.inbox) is back; watching it again")
                scan("", reason: .inboxRestored)
            } catch {
                let message = (error as? SystemError)?.errno == ELOOP
                    ? "inbox \(state.config.inbox) is a symbolic link: refusing to follow it"
                    : "inbox \(state.config.inbox) unusable: \(error)"
                if state.inboxProblem != message { logger.error("\(message)") }
                state.inboxProblem = message
                retryInbox()
            }
        }
    }
}
