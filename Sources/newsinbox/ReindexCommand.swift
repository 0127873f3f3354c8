import ArgumentParser
import FoundationEssentials
import NewsInbox
import NewsCore
import Glibc
import NewsIndex

/// `newsinbox reindex [--state DIR] [--output DIR]`: rebuild `state/index.sqlite` from out/ (the
/// outputs are the truth). Refuses while a daemon holds the spool lock: stop it first (it reconciles
/// the index with out/ by itself at start-up).
struct ReindexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild the index (state/index.sqlite) from the outputs in out/.",
        discussion: "Stop newsinboxd first. The new index is built beside the old one and renamed over it.")

    @Option(help: ArgumentHelp("The daemon's state directory.", valueName: "dir")) var state = "newsinbox-local/state"
    @Option(help: ArgumentHelp("The daemon's output directory.", valueName: "dir")) var output = "newsinbox-local/out"

    func run() throws {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory else {
            throw ValidationError("--output \(output) is not a directory")
        }
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let lock = open(state + "/lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard lock >= 0 else { throw ValidationError("cannot open \(state)/lock: \(String(cString: strerror(errno)))") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            throw ValidationError("a newsinboxd is using \(state) (state/lock is held): stop it first; it brings the index in line with out/ at start-up")
        }
        let started = Date()
        let path = state + "/" + ArticleIndex.fileName
        let result = try IndexReconcile.rebuild(path: path, outputDirectory: output)
        for problem in result.problems { writeToStandardError("newsinbox reindex: cannot read \(problem)\n") }
        let unreadable = result.unreadable > 0 ? " (\(result.unreadable) unreadable, listed above)" : ""
        print("indexed \(result.added) outputs from \(output) into \(path) in " + String(cFormat: "%.1f s", Date().timeIntervalSince(started)) + unreadable)
        if result.unreadable > 0 { throw ExitCode(1) }
    }
}
