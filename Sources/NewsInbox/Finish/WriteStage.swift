import Control
import ArticleReaders
import Dispatch
import FoundationEssentials
import NewsCore
import Glibc
import Logging
import POSIXSupport

/// What the write stage made of one item, handed back to intake.
enum WriteResult: Sendable {
    case finished(Finished)
    /// The output or state directory refused a write (full, read-only), or a sink refused the batch:
    /// intake keeps `item` as the writer left it (its failed/ name, its decided documents) and retries.
    case stalled(String, item: WorkItem)

    struct Finished: Sendable {
        var kind: ItemRecord.Outcome
        var ids: [String]
        var outputs: [String]
        var error: String?
        var duplicateOf: String?
    }
}

/// The write stage: the one owner of how an item finishes. Runs on the writer queue only.
///
/// For each batch (group commit: whatever finished while the previous batch was written), in order:
/// 1. decide each item's result (processed, tombstone, duplicate, failed) and each output's
///    annotations (`Annotator`), encoding a document again only when its annotations changed;
/// 2. stage everything the batch makes durable as temporaries: outputs, failure sidecars, the
///    story-version index;
/// 3. one `syncfs`, the renames, each directory synced once;
/// 4. hand the records to each `BatchSink`, in order (a refusal stalls the batch);
/// 5. the journal entries;
/// 6. move the sources to done/ or failed/, syncing each target directory once.
/// No source leaves processing/ before everything its item made is durable and every sink has it.
final class WriteStage {
    let outputs: OutputStore
    let spool: Spool
    let journal: JournalSink
    let annotator: Annotator
    private let sinks: [any BatchSink]
    private let logger: Logger

    init(outputs: OutputStore, spool: Spool, journal: JournalSink, annotator: Annotator, sinks: [any BatchSink], logger: Logger) {
        self.outputs = outputs
        self.spool = spool
        self.journal = journal
        self.annotator = annotator
        self.sinks = sinks
        self.logger = logger
    }

    func write(_ batch: [WorkItem], onSuccess: DaemonConfig.OnSuccess) -> [WriteResult] {
        defer { annotator.endBatch() }
        let commit = GroupCommit()
        var taken = Taken()
        let plans = batch.map { plan($0, staging: commit, taken: &taken) }
        do {
            try annotator.stage(into: commit)
            try commit.commit()
        } catch {
            return plans.map { .stalled($0.stalled ?? "cannot make outputs durable: \(error)", item: $0.item) }
        }
        let records = plans.filter { $0.stalled == nil }.flatMap(\.records)
        for sink in sinks where !records.isEmpty {
            do {
                try sink.commit(records)
            } catch {
                return plans.map { .stalled($0.stalled ?? "\(sink.name) refused the batch: \(error)", item: $0.item) }
            }
        }
        var targets: [String: Directory] = [:]
        let results = plans.map { plan -> WriteResult in
            if let reason = plan.stalled { return .stalled(reason, item: plan.item) }
            return finishSource(plan, onSuccess: onSuccess, targets: &targets)
        }
        for directory in targets.values { try? directory.sync() }
        return results
    }

    // MARK: - 1, 2: decide and stage

    /// What one item will do once the batch is durable.
    private struct Plan {
        var item: WorkItem
        var ids: [String] = []
        var paths: [String] = []
        var duplicateOf: String?
        var records: [FinishedRecord] = []
        var stalled: String?
    }

    /// Output ids and failed/ names already used by earlier items of the batch.
    private struct Taken {
        var ids: Set<String> = []
        var failedNames: Set<String> = []
    }

    private func plan(_ item: WorkItem, staging commit: GroupCommit, taken: inout Taken) -> Plan {
        var plan = Plan(item: item)
        switch item.outcome {
        case .processed(var file)?:
            planOutputs(&plan, &file, staging: commit, taken: &taken)
            plan.item.outcome = .processed(file)
        case .failed(let failure)?:
            planFailure(&plan, failure, staging: commit, taken: &taken)
        case nil:
            plan.stalled = "no outcome"
        }
        return plan
    }

    private func planOutputs(_ plan: inout Plan, _ file: inout ProcessedFile, staging commit: GroupCommit, taken: inout Taken) {
        let processed = file.processed
        for (index, entry) in processed.articles.enumerated() {
            plan.ids.append(entry.id)
            var output = file.outputs[index]
            // An existing output is this item's own (written before a crash or a stall: kept as it is)
            // or an earlier duplicate's; the output's source attribute says which. A reprocess replaces it.
            let replacing = plan.item.reprocessFrom != nil
            let exists = !taken.ids.contains(entry.id) && outputs.exists(entry.id)
            guard replacing || (!taken.ids.contains(entry.id)
                  && (!exists || (plan.item.mayOwnOutput && outputs.sourceFile(of: entry.id) == plan.item.file))) else {
                plan.duplicateOf = plan.duplicateOf ?? entry.id
                continue
            }
            let written = replacing || !exists
            let annotations = annotator.annotate(id: entry.id, article: entry.article, features: output.features)
            let path = outputs.path(for: entry.id)
            if written {
                // Encoding again for a story id is the index's work (for a new `supersedes` alone it is not).
                if annotations != output.annotations,
                   let redone = try? EncodedOutput(index, of: processed, annotations: annotations, features: output.features,
                                                   countedAs: annotations.storyID != output.annotations.storyID ? .reencode : nil) {
                    output = redone
                }
                do {
                    try commit.stage(output.document, named: outputs.fileName(for: entry.id), in: outputs.directory,
                                     attributes: OutputStore.attributes(source: plan.item.file))
                } catch {
                    plan.stalled = "cannot write \(path): \(error)"
                    return
                }
            }
            taken.ids.insert(entry.id)
            file.outputs[index] = output
            annotator.accept(id: entry.id, article: entry.article, features: output.features, annotations: annotations)
            plan.paths.append(path)
            plan.records.append(FinishedRecord(
                kind: replacing ? .reprocessed : entry.article.status == .usable ? .processed : .tombstone, id: entry.id, file: plan.item.file,
                feed: processed.source.feed, format: processed.source.format, outputPath: path,
                output: written ? output.document : (sinks.isEmpty ? nil : outputs.contents(of: entry.id)),
                indexEntry: written ? output.row.map { IndexSink.Entry(record: $0, signature: output.features.signature) } : nil,
                sha256: processed.source.sha256, article: entry.article, extraction: entry.extraction,
                supersedes: annotations.supersedes))
        }
        if plan.paths.isEmpty, let original = plan.duplicateOf {
            let first = processed.articles.first
            plan.records.append(FinishedRecord(
                kind: .duplicate, id: original, file: plan.item.file, feed: processed.source.feed, format: processed.source.format,
                outputPath: outputs.path(for: original), sha256: processed.source.sha256,
                article: first?.article, extraction: first?.extraction))
        }
    }

    private func planFailure(_ plan: inout Plan, _ failure: ArticleProcessor.Failure, staging commit: GroupCommit, taken: inout Taken) {
        let file = plan.item.file
        guard plan.item.reprocessFrom == nil else { return }  // the source stays in done/; the reply says why
        do {
            // A retried item keeps the name it chose before, so its sidecar is replaced, not doubled.
            let name = try plan.item.failedName ?? spool.freeFailedName(for: file, avoiding: taken.failedNames)
            plan.item.failedName = name
            taken.failedNames.insert(name)
            let sidecar = try plan.item.sidecar ?? FailureSidecar(
                file: file, feed: ArticleProcessor.feed(of: file), stage: failure.stage, reason: failure.reason,
                errno: failure.errno, time: UTCTimestamp.string(from: Date()), sha256: failure.sha256).encoded()
            plan.item.sidecar = sidecar
            try spool.stageSidecar(sidecar, forFailed: name, in: commit)
            plan.records.append(FinishedRecord(
                kind: .failed, id: nil, file: file, feed: ArticleProcessor.feed(of: file), sidecar: sidecar,
                failedName: name, sha256: failure.sha256, failure: failure))
        } catch {
            plan.stalled = "cannot write the failure record of \(file) in failed/: \(error)"
        }
    }

    // MARK: - 5, 6: journal, then the source moves

    private func finishSource(_ plan: Plan, onSuccess: DaemonConfig.OnSuccess, targets: inout [String: Directory]) -> WriteResult {
        let item = plan.item
        let duration = micros(item.claimed, .now())
        switch item.outcome {
        case .processed(let file)?:
            for record in plan.records { journal.send(Self.journalEntry(record, durationMicroseconds: duration)) }
            do {
                if item.reprocessFrom != nil {
                    // A reprocessed source stays in done/.
                } else if onSuccess == .move {
                    let target = try spool.moveFinished(item.file, into: spool.done)
                    targets[target.path] = target
                } else {
                    try spool.remove(item.file)
                }
            } catch let error as SystemError where error.errno == ENOENT {
                // Someone removed the source from processing/ by hand; its output is durable.
                logger.warning("\(item.file) vanished from processing/ before it could be moved to done/")
            } catch {
                return .stalled("cannot move \(item.file) out of processing/: \(error)", item: item)
            }
            let duplicate = plan.paths.isEmpty && plan.duplicateOf != nil
            let kind: ItemRecord.Outcome = duplicate ? .duplicate
                : file.processed.articles.allSatisfy({ $0.article.status != .usable }) ? .tombstone : .processed
            return .finished(.init(kind: kind, ids: plan.ids, outputs: plan.paths, error: nil, duplicateOf: duplicate ? plan.duplicateOf : nil))

        case .failed(let failure)? where item.reprocessFrom != nil:
            return .finished(.init(kind: .failed, ids: [], outputs: [], error: "\(failure.stage): \(failure.reason)", duplicateOf: nil))

        case .failed(let failure)?:
            guard let name = item.failedName else { return .stalled("no name in failed/ for \(item.file)", item: item) }
            do {
                let target = try spool.moveToFailed(item.file, as: name)
                targets[target.path] = target
            } catch let error as SystemError where error.errno == ENOENT {
                logger.warning("\(item.file) vanished from processing/ before it could be moved to failed/")
            } catch {
                return .stalled("cannot move \(item.file) to failed/: \(error)", item: item)
            }
            for record in plan.records { journal.send(Self.journalEntry(record, durationMicroseconds: duration)) }
            return .finished(.init(kind: .failed, ids: [], outputs: [], error: "\(failure.stage): \(failure.reason)", duplicateOf: nil))

        case nil:
            return .stalled("no outcome", item: item)
        }
    }

    /// The journal entry of one finished record (fields and MESSAGE_IDs as documented in the README).
    static func journalEntry(_ record: FinishedRecord, durationMicroseconds duration: UInt64) -> JournalSink.Entry {
        let file = record.file
        switch record.kind {
        case .processed, .tombstone, .reprocessed:
            let article = record.article
            let headline = article?.headline ?? ""
            let message: String
            switch record.kind {
            case .tombstone:
                message = "tombstone for \(file): the provider marked \(article?.guid ?? record.id ?? "") \(article?.status.rawValue ?? "")"
            case .reprocessed: message = "reprocessed \(file): \(headline.prefix(120))"
            default: message = "processed \(file): \(headline.prefix(120))"
            }
            return .init(
                event: article?.status == .usable || article == nil ? .processed : .tombstone, message: message,
                id: record.id, file: file, feed: record.feed, date: article?.date?.iso,
                outputPath: record.outputPath, durationMicroseconds: duration,
                extra: [("ARTICLE_FORMAT", record.format ?? ""), ("ARTICLE_HEADLINE", String(headline.prefix(200)))]
                    + (record.kind == .reprocessed ? [("REPROCESSED", "1")] : [])
                    + JournalSink.entityFields(record.extraction))
        case .duplicate:
            let original = record.id ?? ""
            return .init(
                event: .duplicate, message: "duplicate \(file): same content as article \(original)",
                id: original, file: file, feed: record.feed, date: nil, outputPath: record.outputPath,
                durationMicroseconds: duration, extra: [("DUPLICATE_OF", original)])
        case .failed:
            let failure = record.failure ?? .init(stage: "unknown", reason: "unknown")
            return .init(
                event: .failed, message: "failed \(file): \(failure.stage): \(failure.reason)",
                id: nil, file: file, feed: record.feed, date: nil, outputPath: nil, durationMicroseconds: duration,
                extra: [("FAILURE_STAGE", failure.stage), ("FAILURE_REASON", failure.reason)]
                    + (failure.errno.map { [("ERRNO", String($0))] } ?? []))
        }
    }
}
