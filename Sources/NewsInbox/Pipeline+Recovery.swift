import DequeModule
import Dispatch
import Foundation

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
        let recorded = attempts.recorded()
        let left = Set(leftovers)
        // Markers of items that finished after their marker was written (the crash came in between).
        for file in recorded.keys where !left.contains(file) { attempts.clear(file) }
        var quarantined: [WorkItem] = []
        for file in leftovers {
            let item = WorkItem(file: file, arrived: .now(), resumed: true)
            item.attempts = recorded[file] ?? 0
            inFlight[file] = item
            if item.attempts >= config.maxAttempts {
                quarantined.append(item)
            } else if item.attempts > 0 {
                suspects.append(item)
            } else {
                ready.append(item)
            }
        }
        // The least suspicious first: they are the likeliest to finish, and fewer wait behind a poison.
        suspects = Deque(suspects.sorted { ($0.attempts, $0.file) < ($1.attempts, $1.file) })
        if !leftovers.isEmpty {
            logger.notice("resuming \(leftovers.count) items left in processing/ by an earlier run\(suspects.isEmpty ? "" : ": \(suspects.count) were being extracted when it stopped and go first, one at a time")\(quarantined.isEmpty ? "" : "; \(quarantined.count) quarantined")")
        }
        for item in quarantined { quarantine(item) }
    }

    /// Sends an item to failed/ without extracting it again.
    private func quarantine(_ item: WorkItem) {
        let sha = (try? SourceFile.read(item.file, in: spool.processing, limit: config.maxFileSize)).map { SHA256.hex($0.bytes) }
        let reason = "the daemon stopped \(item.attempts) times while extracting it (max_attempts = \(config.maxAttempts)), so it is set aside; `newsinboxctl retry` brings it back"
        logger.error("quarantined \(item.file): \(reason)")
        item.outcome = .failed(.init(stage: "quarantine", reason: reason), sha256: sha)
        write(item)
    }

    /// The next item to read and extract, or nil when none may start now: suspects go first, alone.
    func nextToExtract() -> WorkItem? {
        if extractingAlone != nil { return nil }
        if !suspects.isEmpty {
            guard running == 0 else { return nil }
            extractingAlone = suspects.removeFirst()
            return extractingAlone
        }
        guard running < config.effectiveWorkers else { return nil }
        return ready.popFirst()
    }

    /// `process` with its attempt on record in `state/attempts/` for as long as it runs. Runs on `work`.
    func processRecordingAttempt(_ item: WorkItem, attempt: Int) -> Outcome {
        do {
            try attempts.begin(item.file, attempt: attempt)
        } catch {
            // Extraction goes on (refusing would stop the daemon on a full state disk); only a crash
            // during this one attempt would go uncounted.
            logger.warning("cannot record the extraction attempt of \(item.file): \(error)")
        }
        defer { attempts.clear(item.file) }
        return process(item)
    }
}
