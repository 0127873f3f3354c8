import ArgumentParser
import Foundation
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
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue else {
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
        for problem in result.problems { FileHandle.standardError.write(Data("newsinbox reindex: cannot read \(problem)\n".utf8)) }
        print(String(format: "indexed %d outputs from %@ into %@ in %.1f s%@", result.added, output, path,
                     Date().timeIntervalSince(started), result.unreadable > 0 ? " (\(result.unreadable) unreadable, listed above)" : ""))
        if result.unreadable > 0 { throw ExitCode(1) }
    }
}
