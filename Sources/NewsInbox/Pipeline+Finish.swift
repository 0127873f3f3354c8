import Control
import Dispatch
import Foundation

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
        inFlight[item.file] = item
        writesInProgress += 1
        writeBacklog.append(item)
        if !writerBusy { startWriteBatch() }
    }

    private func startWriteBatch() {
        let batch = writeBacklog
        writeBacklog.removeAll()
        writerBusy = true
        let onSuccess = config.onSuccess
        writer.async { [self] in
            let t0 = DispatchTime.now()
            let results = writeStage.write(batch, onSuccess: onSuccess)
            let spent = micros(t0, .now())
            intake.async { [self] in
                writerBusy = false
                stats.writeBatches.add(UInt64(batch.count))
                for (item, result) in zip(batch, results) {
                    writesInProgress -= 1
                    finish(item, result, writeMicroseconds: spent)
                }
                if !writeBacklog.isEmpty { startWriteBatch() }
                pump()
            }
        }
    }

    /// Back on intake: account for the item and let the next one in.
    private func finish(_ written: WorkItem, _ result: WriteResult, writeMicroseconds: UInt64) {
        switch result {
        case .stalled(let reason, var item):
            if outputProblem == nil {
                // Once per outage, not once per article.
                logger.error("output is stuck, holding articles until it can be written: \(reason)")
            }
            outputProblem = reason
            if !stalledRetryScheduled { scheduleStalledRetry() }
            stats.lastError = reason
            item.record.outcome = .stalled
            item.record.error = reason
            item.mayOwnOutput = true  // part of its output may have been written before the error
            inFlight[item.file] = item
            stalled.append(item)
            history.upsert(item.record)
        case .finished(let done):
            if outputProblem != nil && stalled.isEmpty {
                logger.notice("output can be written again")
                outputProblem = nil
            }
            var item = written
            inFlight[item.file] = nil
            if blockedByName.remove(item.file) != nil { enqueue(item.file, arrived: .now()) }
            let now = DispatchTime.now()
            item.record.stages.append(.init(name: "write", microseconds: writeMicroseconds))
            item.record.outcome = done.kind
            item.record.ids = done.ids
            item.record.outputPaths = done.outputs
            item.record.finished = Date()
            item.record.error = done.error
            item.record.duplicateOf = done.duplicateOf
            switch done.kind {
            case .processed:
                stats.processed += 1
                item.record.messageID = JournalSink.Event.processed.rawValue
            case .tombstone:
                stats.tombstones += 1
                item.record.messageID = JournalSink.Event.tombstone.rawValue
            case .duplicate:
                stats.duplicates += 1
                item.record.messageID = JournalSink.Event.duplicate.rawValue
            case .failed:
                let category: String
                if case .failed(let f)? = item.outcome { category = Stats.category(stage: f.stage, reason: f.reason) } else { category = "unknown" }
                stats.failedByReason[category, default: 0] += 1
                stats.lastError = "\(item.file): \(done.error ?? "")"
                item.record.messageID = JournalSink.Event.failed.rawValue
            default: break
            }
            if case .processed(let file)? = item.outcome, let first = file.processed.articles.first {
                item.record.format = file.processed.source.format
                item.record.headline = first.article.headline
                if let x = first.extraction {
                    item.record.summary = ["entities": x.entities.count, "times": x.times.count, "quotes": x.quotes.count,
                                           "figures": x.figures.count, "sentences": x.sentences.count, "words": x.wordCount]
                }
            }
            if !item.resumed { stats.arrivalToOutput.add(micros(item.arrived, now)) }
            for stage in item.record.stages { stats.recordStage(stage.name, microseconds: stage.microseconds) }
            stats.completions.add()
            history.upsert(item.record)
        }
    }

    private func scheduleStalledRetry() {
        stalledRetryScheduled = true
        intake.asyncAfter(deadline: .now() + 2) { [self] in
            stalledRetryScheduled = false
            let retry = stalled
            stalled.removeAll()
            // If they stall again, finish() keeps outputProblem set and schedules the next retry.
            for item in retry { write(item) }
        }
    }
}
