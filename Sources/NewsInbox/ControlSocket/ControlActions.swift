import ArticleReaders
import Control
import Dispatch
import Extraction
import Foundation
import Glibc
import NewsIndex

/// Commands that redo work: `retry` (failed/ back into processing) and `reprocess` (a finished article
/// extracted again, its output replaced atomically).
extension ControlCommands {
    func retry(target argument: String?, all: Bool, peer: PeerCredentials, _ reply: @escaping Reply) {
        guard all || !(argument ?? "").isEmpty else { reply(.failure(.usage, "retry needs an article id, a file name or --all-failed")); return }
        pipeline.snapshot { [self] s in
            var resolved: Target?
            if let argument, !all, !ArticleIdentity.isID(argument) {
                switch Self.resolve(argument, config: s.config) {
                case .success(let t) where t.place == .inbox || t.place == .failed: resolved = t
                case .success: reply(.failure(.usage, "retry takes a file in failed/ or its name as dropped")); return
                case .failure(let response): reply(response); return
                }
            }
            let target = resolved
            work.async { [self] in
                let entries = all ? failedEntries() : failedEntries(matching: argument!, target: target)
                guard !entries.isEmpty else {
                    reply(all ? .success(RetryReply(retried: [], skipped: []))
                              : .failure(.notFound, "nothing in failed/ matches '\(argument!)'"))
                    return
                }
                // Oldest first.
                pipeline.perform(.retry(entries.reversed().map { ($0.name, $0.file) })) { [self] result in
                    guard case .retry(let retried, let skipped) = result else { return reply(refusal(result)) }
                    logger.notice("retry of \(retried.count) failed items requested by uid \(peer.uid) pid \(peer.pid)")
                    reply(retried.isEmpty ? .failure(.failed, "nothing retried: \(skipped.map(\.reason).joined(separator: "; "))")
                                          : .success(RetryReply(retried: retried, skipped: skipped.map { .init(file: $0.file, reason: $0.reason) })))
                }
            }
        }
    }

    /// Runs a finished article's source (kept in done/) through read + extract again and replaces its
    /// outputs atomically, on the writer queue like any other output. The source stays in done/.
    func reprocess(_ argument: String?, peer: PeerCredentials, _ reply: @escaping Reply) {
        guard let id = argument, ArticleIdentity.isID(id) else {
            reply(.failure(.usage, "reprocess needs an article id (24 hex digits, as in out/ID.json)"))
            return
        }
        // The old second pipeline, kept until reprocess goes through the one pipeline (issue 13, part 1).
        let p: Pipeline = pipeline
        p.snapshot { [self] s in
            guard s.mode != .draining else { reply(.failure(.failed, "the daemon is draining")); return }
            let config = s.config
            work.async { [self] in
                let outputPath = p.outputs.path(for: id)
                guard let document = Self.jsonObject(contentsOf: outputPath), let file = document["source"]?["file"]?.stringValue,
                      let sha = document["source"]?["sha256"]?.stringValue else {
                    reply(.failure(.notFound, "no output \(outputPath) for \(id)"))
                    return
                }
                // done/ keeps the name; a name taken earlier got .1, .2, ...: the content decides.
                let (directory, name) = splitRelative(file)
                var found: (String, SourceFile.Contents)?
                if let dir = directory.isEmpty ? p.spool.done : try? p.spool.done.subdirectory(directory) {
                    for candidate in [name] + (1...99).map({ "\(name).\($0)" }) where dir.exists(candidate) {
                        if let contents = try? SourceFile.read(candidate, in: dir, limit: config.maxFileSize),
                           SHA256.hex(contents.bytes) == sha {
                            found = (candidate, contents)
                            break
                        }
                    }
                }
                guard let (kept, contents) = found else {
                    let why = config.onSuccess == .delete ? "on_success = delete, so sources are not kept" : "it is not (or no longer) in done/"
                    reply(.failure(.failed, "cannot reprocess \(id): the source \(file) is needed and \(why)"))
                    return
                }
                let t0 = DispatchTime.now()
                let processed: ArticleProcessor.Processed
                do {
                    processed = try p.processor.process(
                        bytes: contents.bytes, file: file, fileDate: Worker.utcDate(seconds: contents.modificationTime),
                        deadline: Deadline.after(seconds: config.itemTimeout))
                } catch {
                    reply(.failure(.failed, "reprocessing \(id) failed: \(error)"))
                    return
                }
                let t1 = DispatchTime.now()
                p.writer.async { [self] in
                    let documents: [(String, [UInt8])]
                    do {
                        documents = try processed.articles.enumerated().map { index, entry in
                            let annotations = p.writeStage.annotator.annotate(
                                id: entry.id, article: entry.article, features: ArticleFeatures(article: entry.article, extraction: entry.extraction))
                            return (entry.id, try ResultDocument.encoded(index, of: processed, annotations: annotations))
                        }
                    } catch {
                        reply(.failure(.failed, "reprocessing \(id) failed: encode: \(error)"))
                        return
                    }
                    let t2 = DispatchTime.now()
                    var paths: [String] = []
                    do {
                        var batch = ArticleIndex.Batch()
                        for (articleID, bytes) in documents {
                            try AtomicFile.write(bytes, named: p.outputs.fileName(for: articleID), in: p.outputs.directory)
                            paths.append(p.outputs.path(for: articleID))
                            // The index follows the new output (the annotator kept its story).
                            if let index = p.writeStage.annotator.index {
                                let record = try IndexRecord(output: Data(bytes))
                                batch.records.append((record, StorySignature.compute(text: record.text)))
                                _ = index
                            }
                        }
                        try p.writeStage.annotator.index?.apply(batch)
                    } catch {
                        reply(.failure(.failed, "cannot write the new output: \(error)"))
                        return
                    }
                    let t3 = DispatchTime.now()
                    let written = paths
                    for entry in processed.articles where entry.article.status == .usable {
                        p.journal.send(.init(
                            event: .processed, message: "reprocessed \(file): \(entry.article.headline.prefix(120))",
                            id: entry.id, file: file, feed: processed.source.feed, date: entry.article.date?.iso,
                            outputPath: p.outputs.path(for: entry.id), durationMicroseconds: micros(t0, t3),
                            extra: [("ARTICLE_FORMAT", processed.source.format), ("ARTICLE_HEADLINE", String(entry.article.headline.prefix(200))),
                                    ("REPROCESSED", "1")]
                                + JournalSink.entityFields(entry.extraction)))
                    }
                    p.intake.async { [self] in
                        var record = ItemRecord(file: file, outcome: .processed, arrived: Date(), claimed: Date())
                        record.ids = documents.map(\.0)
                        record.outputPaths = written
                        record.finished = Date()
                        record.stages = [.init(name: "read", microseconds: 0), .init(name: "extract", microseconds: micros(t0, t1)),
                                         .init(name: "encode", microseconds: micros(t1, t2)), .init(name: "write", microseconds: micros(t2, t3))]
                        record.messageID = JournalSink.Event.processed.rawValue
                        record.format = processed.source.format
                        if let first = processed.articles.first {
                            record.headline = first.article.headline
                            if let x = first.extraction {
                                record.summary = ["entities": x.entities.count, "times": x.times.count, "quotes": x.quotes.count,
                                                  "figures": x.figures.count, "sentences": x.sentences.count, "words": x.wordCount]
                            }
                        }
                        p.history.upsert(record)
                        logger.notice("reprocessed \(id) from done/\(directory.isEmpty ? "" : directory + "/")\(kept) for uid \(peer.uid) pid \(peer.pid)")
                        reply(.success(ReprocessReply(id: id, file: file, outputs: written, headline: record.headline,
                                                      extractUsec: Int(micros(t0, t1)))))
                    }
                }
            }
        }
    }
}
