import DequeModule
import Dispatch
import FoundationEssentials
import Glibc

/// What a crash left behind, and how an article that kills the process is kept from doing it forever.
///
/// Each item's read and extraction is recorded in `state/attempts/` while it runs (`Attempts`). At
/// start-up the items in processing/ fall in three groups:
/// - no marker: claimed, or waiting for the writer, when the process died: resumed as usual;
/// - a marker with fewer than `max_attempts` attempts: being extracted when the process died. These
///   *suspects* are extracted one at a time before any other item, so if one of them kills the process
///   again it is the only one whose count grows: an article that merely shared a worker with a poison
///   one is never blamed for it;
/// - `max_attempts` or more: quarantined, i.e. moved to failed/ with stage `quarantine` through the
///   ordinary write stage (sidecar, journal failure entry, stats). `newsinboxctl retry` brings it back.
///
/// Nothing here knows why the process died (a trap, SIGKILL, the watchdog, the OOM killer): none needs
/// an exception.
extension Pipeline {
    /// Sorts the items left in processing/ into the groups above. Call on intake, before the first pump.
    func resume(_ leftovers: [String]) {
        let recorded = state.attempts!.recorded()
        let left = Set(leftovers)
        // Markers of items that finished after their marker was written (the crash came in between).
        for file in recorded.keys where !left.contains(file) { state.attempts!.clear(file) }
        var quarantined: [WorkItem] = []
        var found: [WorkItem] = []
        for file in leftovers {
            var item = WorkItem(file: file, arrived: .now(), resumed: true)
            item.attempts = recorded[file] ?? 0
            if item.attempts >= state.config.maxAttempts {
                state.inFlight[file] = item
                quarantined.append(item)
            } else if item.attempts > 0 {
                state.inFlight[file] = item
                found.append(item)
            } else {
                admit(item)
            }
        }
        // The least suspicious first: they are the likeliest to finish, and fewer wait behind a poison.
        state.suspects = Deque(found.sorted { ($0.attempts, $0.file) < ($1.attempts, $1.file) })
        if !leftovers.isEmpty {
            logger.notice("resuming \(leftovers.count) items left in processing/ by an earlier run\(state.suspects.isEmpty ? "" : ": \(state.suspects.count) were being extracted when it stopped and go first, one at a time")\(quarantined.isEmpty ? "" : "; \(quarantined.count) quarantined")")
        }
        for item in quarantined { quarantine(item) }
    }

    /// Sends an item to failed/ without extracting it again, through the ordinary write stage.
    private func quarantine(_ item: WorkItem) {
        var item = item
        let sha = (try? SourceFile.read(item.file, in: spool.processing, limit: state.config.maxFileSize)).map { SHA256.hex($0.bytes) }
        let reason = "the daemon stopped \(item.attempts) times while extracting it (max_attempts = \(state.config.maxAttempts)), so it is set aside; `newsinboxctl retry` brings it back"
        logger.error("quarantined \(item.file): \(reason)")
        item.outcome = .failed(.init(stage: "quarantine", reason: reason, sha256: sha))
        write(item)
    }

    /// The next item to read and extract, or nil when none may start now: suspects go first, alone.
    func nextToExtract() -> WorkItem? {
        if state.extractingAlone != nil { return nil }
        if !state.suspects.isEmpty {
            guard state.running == 0 else { return nil }
            let item = state.suspects.removeFirst()
            state.extractingAlone = item.file
            return item
        }
        guard state.running < state.config.effectiveWorkers else { return nil }
        return state.ready.popFirst()
    }

    /// A claimed source that could not be opened or read for a reason of the disk's, not the article's
    /// (EIO, ENOSPC, EDQUOT, EMFILE, ENFILE, ENOMEM), is read again in 2 s, up to 5 times, before it
    /// fails with that reason: an article whose output a crash left behind must not end in failed/ too
    /// because of one bad read (the libfiu test found this). Call on intake.
    func retryIfTransient(_ item: WorkItem, _ failure: ArticleProcessor.Failure) -> Bool {
        guard failure.stage == "open", let e = failure.errno, [EIO, ENOSPC, EDQUOT, EMFILE, ENFILE, ENOMEM].contains(e),
              item.readRetries < 5 else { return false }
        var item = item
        item.readRetries += 1
        state.inFlight[item.file] = item
        logger.warning("cannot read \(item.file) (\(failure.reason)); reading it again in 2 s")
        let file = item.file
        intake.asyncAfter(deadline: .now() + 2) { [self] in
            guard let current = state.inFlight[file], current.outcome == nil else { return }
            state.ready.append(current)
            pump()
        }
        return true
    }
}
