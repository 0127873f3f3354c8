import ArticleReaders
import Dispatch
import Foundation
import Glibc

/// The write stage: make the result durable, then tell the journal, then move the source.
/// Runs on the serial `writer` queue; the outcome goes back to `intake`.
extension Pipeline {
    enum WriteResult {
        case finished(ItemRecord.Outcome, ids: [String], outputs: [String], error: String?, duplicateOf: String?)
        /// The output or state directory refused the write (full, read-only): keep the item and retry.
        case stalled(String)
    }

    /// Called on intake once an item has an outcome.
    func write(_ item: WorkItem) {
        writesInProgress += 1
        let onSuccess = config.onSuccess
        writer.async { [self] in
            let t0 = DispatchTime.now()
            let result = writeOutcome(item, onSuccess: onSuccess)
            let spent = micros(t0, .now())
            intake.async { [self] in
                writesInProgress -= 1
                finish(item, result, writeMicroseconds: spent)
            }
        }
    }

    private func writeOutcome(_ item: WorkItem, onSuccess: DaemonConfig.OnSuccess) -> WriteResult {
        guard let outcome = item.outcome else { return .stalled("no outcome") }
        let duration = micros(item.claimed, .now())
        switch outcome {
        case .processed(let processed, var documents):
            var ids: [String] = []
            var paths: [String] = []
            var duplicateOf: String?
            for (index, entry) in processed.articles.enumerated() {
                ids.append(entry.id)
                if outputs.exists(entry.id) {
                    // A resumed item may find its own output (the crash came after the rename); any other
                    // existing output means the same content was dropped before.
                    if item.resumed && outputs.sourceFile(of: entry.id) == item.file {
                        paths.append(outputs.path(for: entry.id))
                        continue
                    }
                    duplicateOf = duplicateOf ?? entry.id
                    continue
                }
                // The version index may have moved since the worker encoded this document.
                let supersedes = supersededID(for: entry.article, id: entry.id)
                if supersedes != nil, let redone = try? ResultDocument(
                    id: entry.id, item: index, processed: processed, supersedes: supersedes, processedAt: Date()).encoded() {
                    documents[index] = redone
                }
                do {
                    try outputs.write(documents[index], id: entry.id)
                    if let guid = entry.article.guid {
                        let version = entry.article.version ?? 1
                        if (outputs.latestVersion(guid: guid)?.version ?? Int.min) <= version {
                            try outputs.recordVersion(guid: guid, .init(id: entry.id, version: version))
                        }
                    }
                } catch {
                    return .stalled("cannot write \(outputs.path(for: entry.id)): \(error)")
                }
                paths.append(outputs.path(for: entry.id))
                let first = entry.article
                journal.send(.init(
                    event: entry.article.status == .usable ? .processed : .tombstone,
                    message: entry.article.status == .usable
                        ? "processed \(item.file): \(first.headline.prefix(120))"
                        : "tombstone for \(item.file): the provider marked \(first.guid ?? entry.id) \(first.status.rawValue)",
                    id: entry.id, file: item.file, feed: processed.source.feed, date: first.date?.iso,
                    outputPath: outputs.path(for: entry.id), durationMicroseconds: duration,
                    extra: [("ARTICLE_FORMAT", processed.source.format), ("ARTICLE_HEADLINE", String(first.headline.prefix(200)))]
                        + JournalSink.entityFields(entry.extraction)))
            }
            if let original = duplicateOf, paths.isEmpty {
                journal.send(.init(
                    event: .duplicate, message: "duplicate \(item.file): same content as article \(original)",
                    id: original, file: item.file, feed: processed.source.feed, date: nil,
                    outputPath: outputs.path(for: original), durationMicroseconds: duration,
                    extra: [("DUPLICATE_OF", original)]))
            }
            do {
                switch onSuccess {
                case .move: try spool.finish(item.file, into: spool.done)
                case .delete: try spool.remove(item.file)
                }
            } catch let error as SystemError where error.errno == ENOENT {
                // Someone removed the source from processing/ by hand; its output is durable.
                logger.warning("\(item.file) vanished from processing/ before it could be moved to done/")
            } catch {
                return .stalled("cannot move \(item.file) out of processing/: \(error)")
            }
            let kind: ItemRecord.Outcome = paths.isEmpty && duplicateOf != nil ? .duplicate
                : processed.articles.allSatisfy({ $0.article.status != .usable }) ? .tombstone : .processed
            return .finished(kind, ids: ids, outputs: paths, error: nil, duplicateOf: paths.isEmpty ? duplicateOf : nil)

        case .failed(let failure, let sha):
            do {
                let name = try freeFailedName(for: item.file)
                let sidecar = FailureSidecar(
                    file: item.file, feed: ArticleProcessor.feed(of: item.file), stage: failure.stage,
                    reason: failure.reason, errno: failure.errno, time: ISO8601DateFormatter().string(from: Date()), sha256: sha)
                try spool.writeSidecar(forFailed: name, json: try sidecar.encoded())
                let (from, base) = try spool.processing.parent(of: item.file, create: false)
                let (to, target) = try spool.failed.parent(of: name, create: true)
                try from.rename(base, to: to, as: target, noReplace: true)
                try to.sync()
            } catch let error as SystemError where error.errno == ENOENT {
                logger.warning("\(item.file) vanished from processing/ before it could be moved to failed/")
            } catch {
                return .stalled("cannot move \(item.file) to failed/: \(error)")
            }
            journal.send(.init(
                event: .failed, message: "failed \(item.file): \(failure.stage): \(failure.reason)",
                id: nil, file: item.file, feed: ArticleProcessor.feed(of: item.file), date: nil, outputPath: nil,
                durationMicroseconds: duration,
                extra: [("FAILURE_STAGE", failure.stage), ("FAILURE_REASON", failure.reason)]
                    + (failure.errno.map { [("ERRNO", String($0))] } ?? [])))
            return .finished(.failed, ids: [], outputs: [], error: "\(failure.stage): \(failure.reason)", duplicateOf: nil)
        }
    }

    /// A name in failed/ that neither a source nor a sidecar uses yet (`x.xml`, then `x.xml.1`, ...).
    private func freeFailedName(for file: String) throws -> String {
        let (dir, name) = try spool.failed.parent(of: file, create: true)
        var candidate = name
        var n = 0
        while dir.exists(candidate) || dir.exists(candidate + ".error.json") {
            n += 1
            candidate = "\(name).\(n)"
        }
        let (prefix, _) = splitRelative(file)
        return prefix.isEmpty ? candidate : prefix + "/" + candidate
    }

    /// Back on intake: account for the item and let the next one in.
    private func finish(_ item: WorkItem, _ result: WriteResult, writeMicroseconds: UInt64) {
        switch result {
        case .stalled(let reason):
            if outputProblem == nil {
                // Once per outage, not once per article.
                logger.error("output is stuck, holding articles until it can be written: \(reason)")
            }
            outputProblem = reason
            if !stalledRetryScheduled { scheduleStalledRetry() }
            stats.lastError = reason
            item.record.outcome = .stalled
            item.record.error = reason
            stalled.append(item)
            history.upsert(item.record)
        case .finished(let kind, let ids, let paths, let error, let duplicateOf):
            if outputProblem != nil && stalled.isEmpty {
                logger.notice("output can be written again")
                outputProblem = nil
            }
            inFlight[item.file] = nil
            if blockedByName.remove(item.file) != nil { enqueue(item.file, arrived: .now()) }
            let now = DispatchTime.now()
            item.record.stages.append(.init(name: "write", microseconds: writeMicroseconds))
            item.record.outcome = kind
            item.record.ids = ids
            item.record.outputPaths = paths
            item.record.finished = Date()
            item.record.error = error
            item.record.duplicateOf = duplicateOf
            switch kind {
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
                if case .failed(let f, _)? = item.outcome { category = Stats.category(stage: f.stage, reason: f.reason) } else { category = "unknown" }
                stats.failedByReason[category, default: 0] += 1
                stats.lastError = "\(item.file): \(error ?? "")"
                item.record.messageID = JournalSink.Event.failed.rawValue
            default: break
            }
            if case .processed(let p, _)? = item.outcome, let first = p.articles.first {
                item.record.format = p.source.format
                item.record.headline = first.article.headline
                if let x = first.extraction {
                    item.record.summary = ["entities": x.entities.count, "times": x.times.count, "quotes": x.quotes.count,
                                           "figures": x.figures.count, "sentences": x.sentences.count, "words": x.wordCount]
                }
            }
            item.outcome = nil  // release the article text
            if !item.resumed { stats.arrivalToOutput.add(micros(item.arrived, now)) }
            for stage in item.record.stages { stats.recordStage(stage.name, microseconds: stage.microseconds) }
            stats.completions.add()
            history.upsert(item.record)
        }
        pump()
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
