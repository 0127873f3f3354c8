import Control
import Dispatch
import FoundationEssentials
import POSIXSupport

/// Intake's side of the write stage: batches for the writer (group commit), and what a result means
/// for the item, the stats and the history.
///
/// Items that finish while the writer is busy wait in `writeBacklog` and are written together as the
/// next batch: a few syncs per batch instead of three per article, with the same guarantee as one at a
/// time (no source leaves processing/ before its output is durable). An idle daemon writes batches of
/// one: no added latency. What a batch does is `WriteStage`'s.
extension Pipeline {
    /// Called on intake once an item has an outcome.
    func write(_ item: WorkItem) {
        state.inFlight[item.file] = item
        state.writesInProgress += 1
        state.writeBacklog.append(item)
        if !state.writerBusy { startWriteBatch() }
    }

    private func startWriteBatch() {
        let batch = state.writeBacklog
        state.writeBacklog.removeAll()
        state.writerBusy = true
        let onSuccess = state.config.onSuccess
        writer.async { [self] in
            let t0 = DispatchTime.now()
            let results = writeStage.wrapped.write(batch, onSuccess: onSuccess)
            let spent = micros(t0, .now())
            intake.async { [self] in
                state.writerBusy = false
                state.stats.writeBatches.add(UInt64(batch.count))
                for (item, result) in zip(batch, results) {
                    state.writesInProgress -= 1
                    switch result {
                    case .stalled(let reason, let left): stall(left, reason)
                    case .finished(let done): complete(item, done, writeMicroseconds: spent)
                    }
                }
                if !state.writeBacklog.isEmpty { startWriteBatch() }
                pump()
            }
        }
    }

    /// The output could not be written (or a sink refused it): keep the item and retry (`scheduleStalledRetry`).
    private func stall(_ left: WorkItem, _ reason: String) {
        if state.outputProblem == nil {
            // Once per outage, not once per article.
            if reason.contains(ResultsStream.unavailable) {
                logger.error("\(reason): holding articles in processing/ until the stream acknowledges them")
            } else {
                logger.error("output is stuck, holding articles until it can be written: \(reason)")
            }
        }
        state.outputProblem = reason
        if !state.stalledRetryScheduled { scheduleStalledRetry() }
        state.stats.lastError = reason
        var item = left
        item.record.outcome = .stalled
        item.record.error = reason
        item.mayOwnOutput = true  // part of its output may have been written before the error
        state.inFlight[item.file] = item
        state.stalled.append(item)
        if item.reprocessFrom == nil { state.history.upsert(item.record) }
    }

    /// Back on intake: account for the item and let the next one in.
    private func complete(_ finished: WorkItem, _ done: WriteResult.Finished, writeMicroseconds: UInt64) {
        if let problem = state.outputProblem, state.stalled.isEmpty {
            logger.notice(problem.contains(ResultsStream.unavailable) ? "results stream available again" : "output can be written again")
            state.outputProblem = nil
            state.stalledRetryDelay = nil
        }
        var item = finished
        state.inFlight[item.file] = nil
        if state.blockedByName.remove(item.file) != nil || (item.reprocessFrom != nil && isInInbox(item.file)) {
            enqueue(item.file, arrived: .now())
        }
        item.record.stages.append(.init(name: "write", microseconds: writeMicroseconds))
        item.record.outcome = done.kind
        item.record.ids = done.ids
        item.record.outputPaths = done.outputs
        item.record.finished = Date()
        item.record.error = done.error
        item.record.duplicateOf = done.duplicateOf
        item.record.messageID = Self.messageID(of: done.kind)?.rawValue
        if case .processed(let file)? = item.outcome, let first = file.processed.articles.first {
            item.record.format = file.processed.source.format
            item.record.headline = first.article.headline
            if let x = first.extraction {
                item.record.summary = ["entities": x.entities.count, "times": x.times.count, "quotes": x.quotes.count,
                                       "figures": x.figures.count, "sentences": x.sentences.count, "words": x.wordCount]
            }
        }
        if let reply = state.reprocessReplies.removeValue(forKey: item.file) {
            // A reprocess is not a new article: the history shows it, the counters do not.
            if done.kind != .failed { state.history.upsert(item.record) }
            reply(item.record)
            return
        }
        count(item, done)
        state.history.upsert(item.record)
    }

    private static func messageID(of kind: ItemRecord.Outcome) -> JournalSink.Event? {
        switch kind {
        case .processed: return .processed
        case .tombstone: return .tombstone
        case .duplicate: return .duplicate
        case .failed: return .failed
        default: return nil
        }
    }

    private func count(_ item: WorkItem, _ done: WriteResult.Finished) {
        switch done.kind {
        case .processed: state.stats.processed += 1
        case .tombstone: state.stats.tombstones += 1
        case .duplicate: state.stats.duplicates += 1
        case .failed:
            let category: String
            if case .failed(let f)? = item.outcome { category = Stats.category(stage: f.stage, reason: f.reason) } else { category = "unknown" }
            state.stats.failedByReason[category, default: 0] += 1
            state.stats.lastError = "\(item.file): \(done.error ?? "")"
        default: break
        }
        if !item.resumed { state.stats.arrivalToOutput.add(micros(item.arrived, .now())) }
        for stage in item.record.stages { state.stats.recordStage(stage.name, microseconds: stage.microseconds) }
        state.stats.completions.add()
    }

    private func isInInbox(_ file: String) -> Bool {
        guard let (dir, name) = try? spool.inbox.parent(of: file, create: false) else { return false }
        return dir.exists(name)
    }

    /// A full disk is retried every 2 s; the results stream with backoff (0.5 s doubling to 8 s), so a
    /// fleet of daemons does not hammer a server that is coming back.
    private func scheduleStalledRetry() {
        state.stalledRetryScheduled = true
        let delay: Double
        if state.outputProblem?.contains(ResultsStream.unavailable) == true {
            delay = min((state.stalledRetryDelay ?? 0.25) * 2, 8)
            state.stalledRetryDelay = delay
        } else {
            delay = 2
        }
        intake.asyncAfter(deadline: .now() + delay) { [self] in
            state.stalledRetryScheduled = false
            let retry = state.stalled
            state.stalled.removeAll()
            // If they stall again, stall() keeps outputProblem set and schedules the next retry.
            for item in retry { write(item) }
        }
    }
}
