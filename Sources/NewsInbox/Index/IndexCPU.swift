import Glibc
import Synchronization

/// The CPU the index costs the daemon, counted directly: the thread CPU time
/// (`CLOCK_THREAD_CPUTIME_ID`) of each piece of work done only because the index is on, summed over
/// every thread. Set against the process's CPU (`processSeconds`) it gives the index's share of the
/// end-to-end work without comparing runs with the index on and off, which this shared machine could
/// not separate (`newsinboxctl stats`, `newsinbox_index_cpu_seconds_total`, `bench e2e`).
///
/// Not counted: the control plane's queries (they answer people, not the ingest) and the start-up
/// reconciliation with out/.
enum IndexCPU {
    enum Part: String, CaseIterable, Sendable {
        /// On the workers: the story signature and the row (entities folded) beside each output.
        case row
        /// On the writer: the story decision (`ArticleIndex.storyID`).
        case story
        /// On the writer: encoding a document again because it joined an earlier story.
        case reencode
        /// On the writer: the batch's rows upserted in one SQLite transaction, and follow events.
        case commit
    }

    private static let row = Atomic<UInt64>(0)
    private static let story = Atomic<UInt64>(0)
    private static let reencode = Atomic<UInt64>(0)
    private static let commit = Atomic<UInt64>(0)

    private static func add(_ nanoseconds: UInt64, to part: Part) {
        switch part {
        case .row: row.wrappingAdd(nanoseconds, ordering: .relaxed)
        case .story: story.wrappingAdd(nanoseconds, ordering: .relaxed)
        case .reencode: reencode.wrappingAdd(nanoseconds, ordering: .relaxed)
        case .commit: commit.wrappingAdd(nanoseconds, ordering: .relaxed)
        }
    }

    private static func nanoseconds(_ part: Part) -> UInt64 {
        switch part {
        case .row: row.load(ordering: .relaxed)
        case .story: story.load(ordering: .relaxed)
        case .reencode: reencode.load(ordering: .relaxed)
        case .commit: commit.load(ordering: .relaxed)
        }
    }

    /// Runs `body`, adding the calling thread's CPU time for it to `part`.
    static func measure<T>(_ part: Part, _ body: () throws -> T) rethrows -> T {
        let start = threadNanoseconds()
        defer {
            let used = threadNanoseconds() &- start
            add(used, to: part)
            DaemonMetrics.indexCPU(part).increment(by: Double(used) / 1e9)
        }
        return try body()
    }

    /// CPU seconds spent on the index so far, by part.
    static func seconds() -> [String: Double] {
        Dictionary(uniqueKeysWithValues: Part.allCases.map { ($0.rawValue, Double(nanoseconds($0)) / 1e9) })
    }

    static func threadNanoseconds() -> UInt64 { clock(CLOCK_THREAD_CPUTIME_ID) }

    /// The whole process's CPU seconds (every thread, user and system), as /proc/PID/stat counts them.
    static func processSeconds() -> Double { Double(clock(CLOCK_PROCESS_CPUTIME_ID)) / 1e9 }

    private static func clock(_ id: clockid_t) -> UInt64 {
        var t = timespec()
        clock_gettime(id, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
}
