import ArticleReaders
import Control
import Dispatch
import Extraction
import FoundationEssentials
import Glibc
import NewsIndex
import POSIXSupport

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

    /// Extracts a finished article again from its source (kept in done/) through the pipeline, which
    /// replaces its outputs atomically; answers once the new output is written. The source stays in done/.
    func reprocess(_ argument: String?, peer: PeerCredentials, _ reply: @escaping Reply) {
        guard let id = argument, ArticleIdentity.isID(id) else {
            reply(.failure(.usage, "reprocess needs an article id (24 hex digits, as in out/ID.json)"))
            return
        }
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
                var kept: String?
                if let dir = directory.isEmpty ? p.spool.done : try? p.spool.done.subdirectory(directory) {
                    for candidate in [name] + (1...99).map({ "\(name).\($0)" }) where dir.exists(candidate) {
                        if let contents = try? SourceFile.read(candidate, in: dir, limit: config.maxFileSize),
                           SHA256.hex(contents.bytes) == sha {
                            kept = directory.isEmpty ? candidate : directory + "/" + candidate
                            break
                        }
                    }
                }
                guard let kept else {
                    let why = config.onSuccess == .delete ? "on_success = delete, so sources are not kept" : "it is not (or no longer) in done/"
                    reply(.failure(.failed, "cannot reprocess \(id): the source \(file) is needed and \(why)"))
                    return
                }
                p.reprocess(file, from: kept) { [self] answer in
                    switch answer {
                    case .refused(let why):
                        reply(.failure(.failed, "cannot reprocess \(id): \(why)"))
                    case .written(let record) where record.outcome == .failed:
                        reply(.failure(.failed, "reprocessing \(id) failed: \(record.error ?? "unknown error")"))
                    case .written(let record):
                        logger.notice("reprocessed \(id) from done/\(kept) for uid \(peer.uid) pid \(peer.pid)")
                        let extract = record.stages.first { $0.name == "extract" }?.microseconds ?? 0
                        reply(.success(ReprocessReply(id: id, file: file, outputs: record.outputPaths, headline: record.headline,
                                                      extractUsec: Int(extract))))
                    }
                }
            }
        }
    }
}
