import ArgumentParser
import FoundationEssentials
import Glibc

/// `newsinbox bench durability`: what making outputs durable costs on a filesystem, per article and
/// with group commit, using the daemon's sequence of file operations without the extraction.
///
/// Per article (what the writer does today): write a temporary, fsync it, rename it into out/, fsync
/// out/, rename the source from processing/ to done/, fsync done/ and processing/ (4 syncs).
/// Group commit, same guarantee (no source reaches done/ before its output is durable): for a batch,
/// write every temporary, make them durable (one fsync each, or one syncfs), rename them all, fsync
/// out/ once, move every source, fsync done/ and processing/ once.
struct BenchDurabilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "durability",
        abstract: "Articles/s of the output + move sequence: fsync per article vs group commit.")

    @Option(help: "Directory on the filesystem to measure (default /tmp).") var workdir = "/tmp"
    @Option(help: "Articles per variant (default 400, 150 with --quick).") var count: Int?
    @Option(help: "Bytes per output (default 6000, about a result document).") var bytes = 6000
    @OptionGroup var output: BenchOutputOptions

    enum Variant: CustomStringConvertible {
        case perArticle
        case batchFsyncEach(Int)
        case batchSyncfs(Int)

        var description: String {
            switch self {
            case .perArticle: return "fsync per article (4 syncs each)"
            case .batchFsyncEach(let n): return "group of \(n): fsync each output, 3 directory syncs per group"
            case .batchSyncfs(let n): return "group of \(n): one syncfs, 3 directory syncs per group"
            }
        }
        var key: String {
            switch self {
            case .perArticle: return "per_article"
            case .batchFsyncEach(let n): return "group_\(n)_fsync_each"
            case .batchSyncfs(let n): return "group_\(n)_syncfs"
            }
        }
        var batch: Int {
            switch self {
            case .perArticle: return 1
            case .batchFsyncEach(let n), .batchSyncfs(let n): return n
            }
        }
    }

    func run() throws {
        let n = count ?? (output.quick ? 150 : 400)
        let root = workdir + "/newsinbox-durability-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let payload = [UInt8](repeating: 0x61, count: bytes)
        var table = BenchTable("variant", "articles/s", "ms per article")
        var json = BenchJSON()
        json["filesystem_dir"] = workdir
        json["articles"] = n
        for variant in [Variant.perArticle, .batchFsyncEach(8), .batchFsyncEach(32), .batchSyncfs(8), .batchSyncfs(32)] {
            let ws = try BenchWorkspace.make(root + "/" + variant.key)
            let processing = ws.state + "/processing"
            try FileManager.default.createDirectory(atPath: processing, withIntermediateDirectories: true)
            for i in 0..<n { try BenchWorkspace.write(processing + "/src-\(i)", payload) }
            let dirs = try [ws.output, ws.done, processing].map { path -> Int32 in
                let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard fd >= 0 else { throw ValidationError("open \(path): errno \(errno)") }
                return fd
            }
            let (out, done, proc) = (dirs[0], dirs[1], dirs[2])
            let t0 = BenchClock.now()
            var i = 0
            while i < n {
                let group = i..<min(n, i + variant.batch)
                for j in group {
                    let fd = openat(out, ".tmp-\(j)", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                    _ = payload.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    if case .batchSyncfs = variant {} else { fsync(fd) }
                    close(fd)
                    if case .perArticle = variant { finish(j, out: out, done: done, proc: proc) }
                }
                if case .batchSyncfs = variant { _ = Self.syncfs(out) }
                if variant.batch > 1 {
                    for j in group { renameat(out, ".tmp-\(j)", out, "out-\(j).json") }
                    fsync(out)
                    for j in group { renameat(proc, "src-\(j)", done, "src-\(j)") }
                    fsync(done)
                    fsync(proc)
                }
                i = group.upperBound
            }
            let seconds = Double(BenchClock.now() - t0) / 1e9
            dirs.forEach { close($0) }
            ws.remove()
            table.add(variant.description, fmtInt(Double(n) / seconds), fmt(seconds * 1000 / Double(n), 2))
            json[variant.key + "_articles_per_second"] = Double(n) / seconds
        }
        table.print(title: "cost of durability on \(workdir): \(n) articles of \(bytes) bytes per variant")
        try BenchJSON.wrap("durability", json).write(to: output.json)
    }

    /// syncfs(2) is declared only under _GNU_SOURCE, which Glibc's module map does not set: found at run time.
    private static let syncfs: @convention(c) (Int32) -> Int32 = {
        guard let symbol = dlsym(nil, "syncfs") else {
            return { fd in fsync(fd) }
        }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    /// The per-article tail: rename the output in, sync out/, move the source, sync done/ and processing/.
    private func finish(_ j: Int, out: Int32, done: Int32, proc: Int32) {
        renameat(out, ".tmp-\(j)", out, "out-\(j).json")
        fsync(out)
        renameat(proc, "src-\(j)", done, "src-\(j)")
        fsync(done)
        fsync(proc)
    }
}
