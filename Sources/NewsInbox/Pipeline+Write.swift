import ArticleReaders
import Control
import Dispatch
import Foundation
import Glibc
import NewsIndex

/// The write stage: make results durable, then tell the journal, then move the sources.
///
/// Group commit: items that finish while the writer is busy wait in `writeBacklog` and are written
/// together as one batch. A batch writes every output and sidecar as a temporary, makes them all
/// durable with one `syncfs`, renames them, syncs each directory once, sends the journal entries, and
/// only then moves the sources (syncing each target directory once). The guarantee is the same as
/// one item at a time — no source leaves processing/ before its output is durable — at a few syncs
/// per batch instead of three per article. An idle daemon writes batches of one: no added latency.
extension Pipeline {
    enum WriteResult {
        case finished(ItemRecord.Outcome, ids: [String], outputs: [String], error: String?, duplicateOf: String?)
        /// The output or state directory refused the write (full, read-only): keep the item and retry.
        case stalled(String)
    }

    /// Called on intake once an item has an outcome.
    func write(_ item: WorkItem) {
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
            let results = writeBatch(batch, onSuccess: onSuccess)
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

    /// What one item will do once the batch's files are durable.
    private struct Plan {
        var ids: [String] = []
        var paths: [String] = []
        var duplicateOf: String?
        var written: [(id: String, article: Article, extraction: Bool)] = []
        var failedName: String?
        var stalled: String?
    }

    /// Runs on the writer queue.
    private func writeBatch(_ batch: [WorkItem], onSuccess: DaemonConfig.OnSuccess) -> [WriteResult] {
        let commit = GroupCommit()
        var plans: [Plan] = []
        var planned: Set<String> = []  // ids written by earlier items of this batch
        var indexBatch = ArticleIndex.Batch()
        defer { index.forgetBatch() }

        // 1. Stage every output and sidecar as a temporary.
        for item in batch {
            var plan = Plan()
            switch item.outcome {
            case .processed(let processed, var documents)?:
                for (index, entry) in processed.articles.enumerated() {
                    plan.ids.append(entry.id)
                    if planned.contains(entry.id) || outputs.exists(entry.id) {
                        // A resumed or retried item may find its own output (the crash or the error came
                        // after the rename); any other existing output means the same content came before.
                        if item.mayOwnOutput && !planned.contains(entry.id) && outputs.sourceFile(of: entry.id) == item.file {
                            plan.paths.append(outputs.path(for: entry.id))
                            // Indexed again from the output itself (by id: a no-op if the crash came later).
                            do {
                                let own = try self.index.entry(readingOutput: outputs.path(for: entry.id))
                                indexBatch.records.append((own.record, own.signature))
                            } catch {
                                plan.stalled = "cannot read back \(outputs.path(for: entry.id)) for the index: \(error)"
                                break
                            }
                        } else {
                            plan.duplicateOf = plan.duplicateOf ?? entry.id
                        }
                        continue
                    }
                    // The version index may have moved since the worker encoded this document.
                    let supersedes = supersededID(for: entry.article, id: entry.id)
                    var indexEntry = item.indexEntries[index]
                    if supersedes != nil, let redone = try? ResultDocument(
                        id: entry.id, item: index, processed: processed, supersedes: supersedes, processedAt: Date()).encoded() {
                        documents[index] = redone
                        indexEntry.record.supersedes = supersedes
                    }
                    do {
                        try self.index.annotate(&indexEntry, document: &documents[index])
                    } catch {
                        plan.stalled = "cannot decide the story of \(entry.id) (index \(self.index.path)): \(error)"
                        break
                    }
                    do {
                        try commit.stage(documents[index], named: outputs.fileName(for: entry.id), in: outputs.directory)
                    } catch {
                        plan.stalled = "cannot write \(outputs.path(for: entry.id)): \(error)"
                        break
                    }
                    planned.insert(entry.id)
                    item.indexEntries[index] = indexEntry  // with its story, for `follow`
                    indexBatch.records.append((indexEntry.record, indexEntry.signature))
                    plan.paths.append(outputs.path(for: entry.id))
                    plan.written.append((entry.id, entry.article, entry.extraction != nil))
                }
            case .failed(let failure, let sha)?:
                do {
                    // A retried item keeps the name it chose before, so its sidecar is replaced, not doubled.
                    let name = try item.failedName ?? freeFailedName(for: item.file, avoiding: plans.compactMap(\.failedName))
                    item.failedName = name
                    let sidecar = FailureSidecar(
                        file: item.file, feed: ArticleProcessor.feed(of: item.file), stage: failure.stage,
                        reason: failure.reason, errno: failure.errno, time: ISO8601DateFormatter().string(from: Date()), sha256: sha)
                    let (dir, base) = try spool.failed.parent(of: name, create: true)
                    try commit.stage(try sidecar.encoded(), named: base + ".error.json", in: dir)
                    plan.failedName = name
                    indexBatch.failures.append((name, failure.stage, failure.reason))
                } catch {
                    plan.stalled = "cannot write the failure record of \(item.file) in failed/: \(error)"
                }
            case nil:
                plan.stalled = "no outcome"
            }
            plans.append(plan)
        }

        // 2. Make them durable, all at once.
        do {
            try commit.commit()
        } catch {
            return batch.map { _ in .stalled("cannot make outputs durable: \(error)") }
        }

        // 3. The index, in one transaction, before any source moves (a failure stalls the batch like a
        // full disk; the retry finds its own outputs and indexes them by id).
        for (item, plan) in zip(batch, plans) where plan.stalled == nil && plan.paths.isEmpty {
            if let original = plan.duplicateOf { indexBatch.duplicates.append((item.file, original)) }
        }
        do {
            try index.apply(indexBatch)
        } catch {
            return batch.map { _ in .stalled("cannot write the index \(index.path): \(error)") }
        }

        // 4. Per item: version index, journal entry, then the source moves.
        var targets: [String: Directory] = [:]
        var results: [WriteResult] = []
        for (item, plan) in zip(batch, plans) {
            if let reason = plan.stalled { results.append(.stalled(reason)); continue }
            results.append(finishSource(item, plan, onSuccess: onSuccess, targets: &targets))
        }
        for directory in targets.values { try? directory.sync() }
        return results
    }

    private func finishSource(_ item: WorkItem, _ plan: Plan, onSuccess: DaemonConfig.OnSuccess,
                              targets: inout [String: Directory]) -> WriteResult {
        let duration = micros(item.claimed, .now())
        switch item.outcome {
        case .processed(let processed, _)?:
            for written in plan.written {
                let article = written.article
                if let guid = article.guid {
                    let version = article.version ?? 1
                    if (outputs.latestVersion(guid: guid)?.version ?? Int.min) <= version {
                        do { try outputs.recordVersion(guid: guid, .init(id: written.id, version: version)) } catch {
                            return .stalled("cannot record the story version of \(written.id): \(error)")
                        }
                    }
                }
                let extraction = processed.articles.first { $0.id == written.id }?.extraction
                journal.send(.init(
                    event: article.status == .usable ? .processed : .tombstone,
                    message: article.status == .usable
                        ? "processed \(item.file): \(article.headline.prefix(120))"
                        : "tombstone for \(item.file): the provider marked \(article.guid ?? written.id) \(article.status.rawValue)",
                    id: written.id, file: item.file, feed: processed.source.feed, date: article.date?.iso,
                    outputPath: outputs.path(for: written.id), durationMicroseconds: duration,
                    extra: [("ARTICLE_FORMAT", processed.source.format), ("ARTICLE_HEADLINE", String(article.headline.prefix(200)))]
                        + JournalSink.entityFields(extraction)))
            }
            if let original = plan.duplicateOf, plan.paths.isEmpty {
                journal.send(.init(
                    event: .duplicate, message: "duplicate \(item.file): same content as article \(original)",
                    id: original, file: item.file, feed: processed.source.feed, date: nil,
                    outputPath: outputs.path(for: original), durationMicroseconds: duration,
                    extra: [("DUPLICATE_OF", original)]))
            }
            do {
                switch onSuccess {
                case .move:
                    let target = try spool.moveFinished(item.file, into: spool.done)
                    targets[target.path] = target
                case .delete:
                    try spool.remove(item.file)
                }
            } catch let error as SystemError where error.errno == ENOENT {
                // Someone removed the source from processing/ by hand; its output is durable.
                logger.warning("\(item.file) vanished from processing/ before it could be moved to done/")
            } catch {
                return .stalled("cannot move \(item.file) out of processing/: \(error)")
            }
            let kind: ItemRecord.Outcome = plan.paths.isEmpty && plan.duplicateOf != nil ? .duplicate
                : processed.articles.allSatisfy({ $0.article.status != .usable }) ? .tombstone : .processed
            return .finished(kind, ids: plan.ids, outputs: plan.paths, error: nil, duplicateOf: plan.paths.isEmpty ? plan.duplicateOf : nil)

        case .failed(let failure, _)?:
            guard let name = plan.failedName else { return .stalled("no name in failed/ for \(item.file)") }
            do {
                let (from, base) = try spool.processing.parent(of: item.file, create: false)
                let (to, target) = try spool.failed.parent(of: name, create: true)
                try from.rename(base, to: to, as: target, noReplace: true)
                targets[to.path] = to
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

        case nil:
            return .stalled("no outcome")
        }
    }

    /// A name in failed/ that neither a source nor a sidecar uses yet (`x.xml`, then `x.xml.1`, ...),
    /// nor an earlier item of the same batch.
    private func freeFailedName(for file: String, avoiding taken: [String]) throws -> String {
        let (dir, name) = try spool.failed.parent(of: file, create: true)
        let (prefix, _) = splitRelative(file)
        func full(_ candidate: String) -> String { prefix.isEmpty ? candidate : prefix + "/" + candidate }
        var candidate = name
        var n = 0
        while dir.exists(candidate) || dir.exists(candidate + ".error.json") || taken.contains(full(candidate)) {
            n += 1
            candidate = "\(name).\(n)"
        }
        return full(candidate)
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
            item.mayOwnOutput = true  // part of its output may have been written before the error
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
            if followers.hasFollowers { followers.publish(followEvents(item, kind)) }
            item.outcome = nil  // release the article text
            item.indexEntries = []
            if !item.resumed { stats.arrivalToOutput.add(micros(item.arrived, now)) }
            for stage in item.record.stages { stats.recordStage(stage.name, microseconds: stage.microseconds) }
            stats.completions.add()
            history.upsert(item.record)
        }
    }

    /// What `newsinboxctl follow` sends for a finished item: one line per article written, or one for
    /// the duplicate or the failure.
    private func followEvents(_ item: WorkItem, _ kind: ItemRecord.Outcome) -> [FollowHub.Event] {
        let time = ISO8601DateFormatter().string(from: Date())
        let feed = ArticleProcessor.feed(of: item.file)
        switch kind {
        case .processed, .tombstone:
            let written = Set(item.record.outputPaths)
            return item.indexEntries.filter { written.contains(outputs.path(for: $0.record.id)) }.map { entry in
                let r = entry.record
                return FollowHub.Event(
                    outcome: r.tombstone ? "tombstone" : "processed", time: time, id: r.id, file: item.file, feed: r.feed,
                    headline: r.headline, date: r.date, story_id: r.storyID, entities: r.entities.map(\.name),
                    keys: r.entities.reduce(into: Set<String>()) { $0.formUnion(EntityKey.lookupKeys(type: $1.type, forms: $1.forms, code: $1.code)) })
            }
        case .duplicate:
            return [FollowHub.Event(outcome: "duplicate", time: time, id: item.record.duplicateOf, file: item.file, feed: feed,
                                    duplicate_of: item.record.duplicateOf, entities: [], keys: [])]
        case .failed:
            return [FollowHub.Event(outcome: "failed", time: time, file: item.file, feed: feed, error: item.record.error, entities: [], keys: [])]
        default:
            return []
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
