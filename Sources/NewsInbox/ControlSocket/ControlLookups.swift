import ArticleReaders
import Control
import Dispatch
import FoundationEssentials
import NewsCore
import Glibc
import POSIXSupport

/// Commands that read the disk as well as memory: `failed`, `show`, `why`.
/// The pipeline's state is copied on `intake`; files are read on the control's `work` queue.
extension ControlCommands {
    // MARK: - Naming an item

    /// Where a FILE argument points: the name as dropped (relative to the inbox), or an absolute path
    /// below the inbox or one of the spool directories.
    struct Target {
        enum Place: String { case inbox, processing, done, failed }
        var relative: String
        var place: Place
        /// Given as a bare relative name: it may be an inbox name or (for show/retry) a failed/ name.
        var asDropped: Bool
    }

    /// Resolves a FILE argument; nil with a reason for names outside the inbox and spool.
    static func resolve(_ argument: String, config: DaemonConfig) -> Result<Target, ControlResponse> {
        if argument.hasPrefix("/") {
            let path = DaemonConfig.absolute(argument)
            let places: [(String, Target.Place)] = [
                (config.inbox, .inbox), (config.state + "/processing", .processing),
                (config.state + "/done", .done), (config.state + "/failed", .failed),
            ]
            for (root, place) in places where path.hasPrefix(root + "/") {
                return .success(Target(relative: String(path.dropFirst(root.count + 1)), place: place, asDropped: false))
            }
            return .failure(.failure(.usage, "\(argument) is not below the inbox (\(config.inbox)) or the spool (\(config.state))"))
        }
        let parts = argument.split(separator: "/").filter { $0 != "." }
        guard !parts.isEmpty, !parts.contains("..") else {
            return .failure(.failure(.usage, "'\(argument)' is not a file name relative to the inbox"))
        }
        return .success(Target(relative: parts.joined(separator: "/"), place: .inbox, asDropped: true))
    }

    // MARK: - failed/

    /// One source in failed/ with what its sidecar says.
    struct FailedEntry {
        /// Path relative to failed/ (`feed/x.xml`, or `feed/x.xml.1` when the name was taken).
        var name: String
        /// The sidecar's contents, if it could be read.
        var sidecar: [String: JSONValue]
        /// The name as dropped, from the sidecar (else the failed/ name).
        var file: String { sidecar["file"]?.stringValue ?? name }
        var time: String { sidecar["time"]?.stringValue ?? "" }
        /// The article id the content would have had.
        var id: String? { sidecar["sha256"]?.stringValue.map { String($0.prefix(24)) } }

        /// The sidecar, whole (so fields it gains pass through), with where the source is.
        var item: FailedItem {
            var o = sidecar
            o["name"] = .string(name)
            o["file"] = .string(file)
            o["id"] = id.map { .string($0) } ?? .null
            if sidecar.isEmpty { o["reason"] = .string("no readable sidecar") }
            // Only a sidecar whose known fields have other types than this daemon writes fails here.
            return (try? FailedItem(o)) ?? (try! FailedItem(["name": .string(name), "file": .string(file), "id": .null,
                                                              "reason": .string("unreadable sidecar")]))
        }
    }

    /// The sources in failed/ (paths relative to it), newest first by their sidecar's time of writing.
    /// Only names and stat(2): listing 10,000 failures reads no sidecar. Call on `work`.
    func failedNames() -> [String] {
        let failed = pipeline.spool.failed
        var found: [(name: String, modified: Int)] = []
        try? failed.allFiles { name in
            guard !name.hasSuffix(".error.json") && !name.hasPrefix(".") && !name.contains("/.") else { return true }
            var st = stat()
            let sidecar = failed.path + "/" + name + ".error.json"
            let modified = stat(sidecar, &st) == 0 || stat(failed.path + "/" + name, &st) == 0
                ? Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec) : 0
            found.append((name, modified))
            return true
        }
        return found.sorted { ($0.modified, $0.name) > ($1.modified, $1.name) }.map(\.name)
    }

    func failedEntry(_ name: String) -> FailedEntry {
        let failed = pipeline.spool.failed
        return FailedEntry(name: name, sidecar: Self.jsonObject(contentsOf: failed.path + "/" + name + ".error.json") ?? [:])
    }

    func failed(limit: Int, _ reply: @escaping Reply) {
        work.async { [self] in
            let names = failedNames()
            reply(.success(FailedReply(total: names.count, directory: pipeline.spool.failed.path,
                                       failed: names.prefix(limit).map { failedEntry($0).item })))
        }
    }

    /// Every failed/ entry, newest first (reads every sidecar).
    func failedEntries() -> [FailedEntry] { failedNames().map(failedEntry) }

    /// The failed/ entries an argument names: an article id, a failed/ name or the name as dropped.
    func failedEntries(matching argument: String, target: Target?) -> [FailedEntry] {
        if ArticleIdentity.isID(argument) {
            // The id is the content's: only the sidecars know it.
            let base = String(argument.prefix(24))
            return failedEntries().filter { $0.id == base }
        }
        guard let target else { return [] }
        // A name taken in failed/ got ".1", ".2", ...: the candidates are the name and its numbered forms.
        let candidates = failedNames().filter { $0 == target.relative || $0.hasPrefix(target.relative + ".") }.map(failedEntry)
        switch target.place {
        case .failed: return candidates.filter { $0.name == target.relative }
        case .inbox: return candidates.filter { $0.file == target.relative || (target.asDropped && $0.name == target.relative) }
        default: return []
        }
    }

    // MARK: - show

    func show(_ argument: String?, _ reply: @escaping Reply) {
        guard let argument, !argument.isEmpty else { reply(.failure(.usage, "show needs an article id or a file name")); return }
        let p: Pipeline = pipeline
        p.snapshot { [self] s in
            let isID = ArticleIdentity.isID(argument)
            var resolved: Target?
            if !isID {
                switch Self.resolve(argument, config: s.config) {
                case .success(let t): resolved = t
                case .failure(let response): reply(response); return
                }
            }
            let target = resolved
            p.snapshot(.init(file: isID ? nil : target?.relative, id: isID ? argument : nil)) { [self] s in
                var state: String?
                if target?.place == .inbox {
                    if s.fileInFlight { state = "in flight" } else if let position = s.filePosition { state = "waiting, position \(position)" }
                }
                let record = isID ? s.idRecord : s.fileRecord, now = state
                let limit = s.config.maxFileSize
                work.async { [self] in reply(showOnDisk(argument, isID: isID, target: target, record: record, now: now, limit: limit)) }
            }
        }
    }

    /// `show`'s answer: the record from memory, what the spool and the output directory hold. On `work`.
    private func showOnDisk(_ argument: String, isID: Bool, target: Target?, record: ItemRecord?, now: String?, limit: Int) -> ControlResponse {
        let spool = pipeline.spool
        let outputDir = pipeline.outputs.directory.path
        var ids: [String] = record?.ids ?? []
        if isID && !ids.contains(argument) { ids.insert(argument, at: 0) }
        var locations: [String] = []
        if let target {
            for (dir, place) in [(spool.inbox, "inbox"), (spool.processing, "processing"), (spool.done, "done")]
            where (target.place.rawValue == place || target.asDropped) && Self.exists(target.relative, in: dir) {
                locations.append(dir.path + "/" + target.relative)
                // A finished source: its content names its output.
                if place == "done", ids.isEmpty, let id = Self.articleID(of: target.relative, in: dir, limit: limit) {
                    ids.append(id)
                }
            }
        }
        let failures = failedEntries(matching: argument, target: target)
        for f in failures { locations.append(spool.failed.path + "/" + f.name) }
        var outputs: [OutputSummary] = []
        for id in ids {
            for candidate in [id, id + "-1"] where outputs.isEmpty || candidate == id {
                if let summary = Self.outputSummary(id: candidate, directory: outputDir) { outputs.append(summary) }
            }
        }
        if record == nil && outputs.isEmpty && failures.isEmpty && locations.isEmpty {
            return .failure(.notFound, "nothing known about '\(argument)': not in the recent history, the output directory or the spool")
        }
        return .success(ShowReply(query: argument, record: record, now: now, failure: failures.first?.item,
                                  outputs: outputs, locations: locations))
    }

    /// Whether `relative` exists below `directory`, never following a symlink on the way (the inbox is
    /// writable by producers).
    static func exists(_ relative: String, in directory: Directory) -> Bool {
        guard let (parent, name) = try? directory.parent(of: relative, create: false) else { return false }
        return parent.exists(name)
    }

    /// The id a file's content gets (first item), by hashing it; nil if it can't be read.
    static func articleID(of relative: String, in directory: Directory, limit: Int) -> String? {
        guard let contents = try? SourceFile.read(relative, in: directory, limit: limit) else { return nil }
        return String(SHA256.hex(contents.bytes).prefix(24))
    }

    /// What `out/ID.json` says, in brief: source, article, extraction counts.
    static func outputSummary(id: String, directory: String) -> OutputSummary? {
        let path = directory + "/" + id + ".json"
        guard let object = jsonObject(contentsOf: path) else { return nil }
        var o: [String: JSONValue] = ["id": .string(id), "path": .string(path)]
        o["processed_at"] = object["processed_at"] ?? .null
        o["source"] = object["source"] ?? .null
        if let article = object["article"]?.objectValue {
            var a = article
            if let text = a["text"]?.stringValue { a["text"] = nil; a["characters"] = .int(text.unicodeScalars.count) }
            o["article"] = .object(a)
        }
        if let extraction = object["extraction"]?.objectValue {
            var counts: [String: JSONValue] = [:]
            for (key, value) in extraction {
                if let array = value.arrayValue { counts[key] = .int(array.count) }
                else if let n = value.intValue { counts[key] = .int(n) }
            }
            o["extraction"] = .object(counts)
        } else {
            o["extraction"] = .null
        }
        o["supersedes"] = object["supersedes"] ?? .null
        o["tombstone"] = object["tombstone"] ?? .null
        return try? OutputSummary(o)
    }

    // MARK: - why

    /// What `why` needs from the pipeline, copied on intake.
    struct WhySnapshot {
        var target: Target
        var ignoredBy: (component: String, pattern: String)?
        var mode: Pipeline.Mode
        var inboxProblem: String?
        var outputProblem: String?
        var position: Int?
        var waiting: Int
        var inFlight: Bool
        var inFlightCount: Int
        var maxInFlight: Int
        var moreInInbox: Bool
        var record: ItemRecord?
        var maxFileSize: Int
        var rescanInterval: Double
        var inbox: Directory
        var spool: Spool
        var outputDirectory: String
    }

    func why(_ argument: String?, _ reply: @escaping Reply) {
        guard let argument, !argument.isEmpty else { reply(.failure(.usage, "why needs a file name")); return }
        let p: Pipeline = pipeline
        p.snapshot { [self] s in
            let target: Target
            switch Self.resolve(argument, config: s.config) {
            case .success(let t) where t.place == .inbox: target = t
            case .success: reply(.failure(.usage, "why is about files in the inbox; use show for \(argument)")); return
            case .failure(let response): reply(response); return
            }
            var ignoredBy: (String, String)?
            for component in target.relative.split(separator: "/").map(String.init) {
                if let pattern = NamePattern.firstMatch(component, in: s.config.ignorePatterns) { ignoredBy = (component, pattern); break }
            }
            let ignored = ignoredBy
            p.snapshot(.init(file: target.relative)) { [self] s in
                let snapshot = WhySnapshot(
                    target: target, ignoredBy: ignored, mode: s.mode, inboxProblem: s.inboxProblem,
                    outputProblem: s.outputProblem, position: s.filePosition,
                    waiting: s.waitingCount, inFlight: s.fileInFlight, inFlightCount: s.inFlightCount,
                    maxInFlight: s.config.maxInFlight, moreInInbox: s.moreInInbox, record: s.fileRecord,
                    maxFileSize: s.config.maxFileSize, rescanInterval: s.config.rescanInterval, inbox: p.spool.inbox,
                    spool: p.spool, outputDirectory: p.outputs.directory.path)
                work.async { [self] in reply(.success(explain(snapshot))) }
            }
        }
    }

    /// Every reason that applies, most decisive first; `verdict` is the first one's message.
    func explain(_ s: WhySnapshot) -> WhyReply {
        var reasons: [(code: String, message: String)] = []
        let file = s.target.relative
        let path = s.inbox.path + "/" + file
        var st = stat()
        let present: Bool = {
            guard let (dir, name) = try? s.inbox.parent(of: file, create: false) else { return false }
            return fstatat(dir.fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
        }()
        if !present {
            if s.inFlight {
                reasons.append(("in_flight", "it was claimed and is being processed now"))
            } else if let record = s.record, record.finished != nil {
                let ids = record.ids.joined(separator: ", ")
                let what: String
                switch record.outcome {
                case .duplicate: what = "recorded as a duplicate of \(record.duplicateOf ?? ids)"
                case .failed: what = "failed (\(record.error ?? "see 'failed'"))"
                case .tombstone: what = "processed as a tombstone (\(ids))"
                default: what = "\(record.outcome.rawValue) as \(ids)"
                }
                reasons.append(("finished", "it is no longer in the inbox: it was \(what) at \(Self.iso(record.finished!))"))
            } else if Self.exists(file, in: s.spool.failed) {
                reasons.append(("failed", "it is no longer in the inbox: it failed and is in \(s.spool.failed.path)/\(file) (see 'failed' and 'show')"))
            } else if Self.exists(file, in: s.spool.done) {
                reasons.append(("done", "it is no longer in the inbox: it was processed and is in \(s.spool.done.path)/\(file)"))
            } else if Self.exists(file, in: s.spool.processing) {
                reasons.append(("in_flight", "it is in \(s.spool.processing.path)/\(file), being processed"))
            } else {
                reasons.append(("not_in_inbox", "there is no \(path)"))
            }
            return Self.whyResult(path: path, reasons: reasons)
        }
        if let (component, pattern) = s.ignoredBy {
            let part = component == file ? "the name" : "'\(component)' in its path"
            reasons.append(("ignored", "ignored: \(part) matches ignore_patterns '\(pattern)'; it will never be processed (rename it to process it)"))
        }
        if (st.st_mode & S_IFMT) == S_IFREG {
            let (writers, unreadable) = Self.writers(device: st.st_dev, inode: st.st_ino)
            if !writers.isEmpty {
                let who = writers.map { "pid \($0.pid) (\($0.command))" }.joined(separator: ", ")
                reasons.append(("open_for_writing", "still open for writing by \(who): inotify reports it when it is closed (a rescan before that would take it as it is now)"))
            } else if unreadable > 0 && geteuid() != 0 {
                reasons.append(("writers_unknown", "could not look at the open files of \(unreadable) processes (not root): a writer there would hold it back"))
            }
        }
        if let problem = s.inboxProblem { reasons.append(("inbox_problem", "the daemon is not claiming: \(problem)")) }
        switch s.mode {
        case .paused: reasons.append(("paused", "the daemon is paused: nothing new is claimed until 'newsinboxctl resume'"))
        case .draining: reasons.append(("draining", "the daemon is draining and about to stop: nothing new is claimed"))
        case .running: break
        }
        if let problem = s.outputProblem { reasons.append(("output_problem", "claiming is held while the output cannot be written: \(problem)")) }
        // What will happen once it is claimed comes after what holds it back.
        var outlook: [(code: String, message: String)] = []
        let kind = st.st_mode & S_IFMT
        if kind == S_IFLNK || kind != S_IFREG {
            let what = kind == S_IFLNK ? "a symbolic link" : kind == S_IFIFO ? "a FIFO" : kind == S_IFDIR ? "a directory" : "not a regular file"
            outlook.append(("not_regular", "it is \(what): when claimed it fails without being read"))
        } else if Int(st.st_size) > s.maxFileSize {
            outlook.append(("too_large", "too large: \(st.st_size) bytes, max_file_size is \(s.maxFileSize); when claimed it fails with 'too large'"))
        } else if s.ignoredBy == nil, let parent = try? s.inbox.parent(of: file, create: false).0,
                  let id = Self.articleID(of: splitRelative(file).name, in: parent, limit: s.maxFileSize) {
            for candidate in [id, id + "-1"] where FileManager.default.fileExists(atPath: s.outputDirectory + "/" + candidate + ".json") {
                outlook.append(("duplicate", "a duplicate of \(candidate): the same content is already in \(s.outputDirectory)/\(candidate).json; it will be recorded as a duplicate, not written again"))
                break
            }
        }
        if s.ignoredBy == nil {
            if s.inFlight {
                reasons.append(("in_flight", "claimed and being processed now"))
            } else if let position = s.position {
                let full = s.inFlightCount >= s.maxInFlight ? ", and all \(s.maxInFlight) in-flight slots are taken" : ""
                reasons.append(("waiting", "waiting behind \(position - 1) \(position == 2 ? "other" : "others") in the queue (\(s.inFlightCount) in flight)\(full)"))
            } else if s.moreInInbox {
                reasons.append(("backlog", "not queued yet: the backlog is larger than the in-memory queue (\(s.waiting) waiting); it is queued as room frees"))
            } else {
                let next = s.rescanInterval > 0 ? "the next periodic rescan (every \(DaemonConfig.renderDuration(s.rescanInterval))) will find it" : "periodic rescans are off"
                reasons.append(("not_seen", "not queued: inotify has not reported it (it was never closed after writing, or arrived while events were lost); \(next), or run 'newsinboxctl rescan'"))
            }
        }
        return Self.whyResult(path: path, reasons: reasons + outlook)
    }

    static func whyResult(path: String, reasons: [(code: String, message: String)]) -> WhyReply {
        WhyReply(path: path, reasons: reasons.map { WhyReply.Reason(code: $0.code, message: $0.message) })
    }

    /// Processes holding the file (device, inode) open for writing, from /proc/*/fd and fdinfo; and how many
    /// processes could not be looked at (another user's, when not root).
    static func writers(device: dev_t, inode: ino_t) -> (writers: [(pid: Int, command: String)], unreadable: Int) {
        var found: [(Int, String)] = []
        var unreadable = 0
        guard let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return ([], 0) }
        for pid in pids.compactMap(Int.init) where pid != Int(getpid()) {
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { unreadable += 1; continue }
            for fd in fds {
                var st = stat()
                guard stat("/proc/\(pid)/fd/\(fd)", &st) == 0, st.st_dev == device, st.st_ino == inode else { continue }
                // fdinfo "flags:" is octal; the low two bits are the access mode (1 write-only, 2 read-write).
                guard let info = try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(fd)", encoding: .utf8),
                      let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags:") }),
                      let flags = Int(line.dropFirst("flags:".count).trimmingBlanks(), radix: 8),
                      flags & 3 != 0 else { continue }
                let command = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                    .trimmingWhitespace() ?? "?"
                found.append((pid, command))
                break
            }
        }
        return (found, unreadable)
    }
}
