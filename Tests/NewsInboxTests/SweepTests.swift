import Foundation
import Glibc
import Testing
import TestSupport
@testable import Extraction
@testable import NewsInbox
import NewsCore

/// Every file of the shared corpora, and seeded mutations of them that put brackets, quotation marks, lone
/// punctuation, acronyms, figures and dates at the first and last positions of texts, paragraphs and
/// sentences, through the whole processor in-process (read + extract + encode). A Swift trap kills the test
/// process: `SweepProgress` then names the input being processed on stderr.
@Suite struct SweepTests {
    static let models: ExtractionModels? = try? ExtractionModels.load(searching: ModelDirectory.candidates(configured: nil))

    /// Read + extract + encode, as the daemon does; a reader's refusal is an answer, not a failure.
    static func process(_ bytes: [UInt8], name: String, slot: Int, models: ExtractionModels) -> Int {
        SweepProgress.now(name, slot: slot)
        guard let docs = try? OfflineExtraction.run(bytes: bytes, file: name, fileDate: ArticleDate(year: 2020, month: 6, day: 1),
                                                    models: models, timeout: 300) else { return 0 }
        return docs.count
    }

    /// The folders swept; each is one test case, so that Swift Testing spreads them over the cores.
    static let folders = ["seed", "bbc/business", "bbc/entertainment", "bbc/politics", "bbc/sport", "bbc/tech", "formats",
                          "article-html/html", "timeml/TimeBank", "timeml/AQUAINT"]

    static func corpusFiles(_ folder: String) -> [String] {
        Corpora.files(under: folder).filter { !$0.hasSuffix(".md") && !$0.hasSuffix(".json") }
    }

    @Test(arguments: folders.indices)
    func everyCorpusFileGoesThroughTheWholeProcessor(_ slot: Int) throws {
        let folder = Self.folders[slot]
        try Requirement.check(Corpora.isPresent, Corpora.absent())
        let models = try #require(Self.models, "models/ner.model did not load")
        SweepProgress.install()
        let files = Self.corpusFiles(folder)
        try #require(!files.isEmpty, "\(Corpora.absent(folder))")
        var articles = 0
        for file in files {
            let bytes = try #require(Corpora.bytes(file))
            articles += Self.process(bytes, name: file, slot: slot, models: models)
            // The TimeML files are XML of no news format: their text goes through as plain text too.
            if file.hasSuffix(".tml") {
                let text = SweepMutator.stripTags(String(decoding: bytes, as: UTF8.self))
                articles += Self.process(Array(text.utf8), name: file + " (its text)", slot: slot, models: models)
            }
        }
        SweepProgress.now("", slot: slot)
        print("sweep: \(folder): \(files.count) files, \(articles) articles extracted and encoded")
        #expect(articles >= files.count / 2, "most files of \(folder) are articles")
    }

    /// `NEWSINBOX_SWEEP_VARIANTS` (default 3,000) mutated paragraphs from every folder, in four batches
    /// (one case each, run in parallel) with seeds derived from `NEWSINBOX_SWEEP_SEED`.
    @Test(arguments: 0..<4)
    func mutatedVariantsWithMarksAtEveryEdgeGoThroughTheWholeProcessor(_ batch: Int) throws {
        try Requirement.check(Corpora.isPresent, Corpora.absent())
        let models = try #require(Self.models, "models/ner.model did not load")
        SweepProgress.install()
        let slot = Self.folders.count + batch
        let count = (Int(ProcessInfo.processInfo.environment["NEWSINBOX_SWEEP_VARIANTS"] ?? "") ?? 3_000) / 4
        let seed = (UInt64(ProcessInfo.processInfo.environment["NEWSINBOX_SWEEP_SEED"] ?? "") ?? 0x5EED_2026) &+ UInt64(batch)
        // Paragraph-sized pieces of real text from each folder: small inputs keep a debug build fast.
        var pieces: [String] = []
        for folder in Self.folders {
            for file in Self.corpusFiles(folder) where !file.hasSuffix(".gz") {
                guard let text = Corpora.text(file) else { continue }
                let markup = file.hasSuffix(".tml") || file.hasSuffix(".xml") || file.hasSuffix(".html")
                pieces += SweepMutator.pieces(of: markup ? SweepMutator.stripTags(text) : text)
            }
        }
        try #require(pieces.count > 100)
        var generator = SplitMix64(seed: seed)
        var mutator = SweepMutator()
        var articles = 0
        for index in 0..<count {
            let base = pieces[Int(generator.next() % UInt64(pieces.count))]
            let variant = mutator.mutate(base, using: &generator)
            articles += Self.process(Array(variant.utf8), name: "variant \(index) of seed \(seed) (NEWSINBOX_SWEEP_SEED=\(seed &- UInt64(batch)), batch \(batch))", slot: slot, models: models)
        }
        SweepProgress.now("", slot: slot)
        print("sweep: \(count) variants (seed \(seed)), \(articles) articles extracted and encoded")
        #expect(articles > count * 9 / 10, "most variants are readable text")
    }

    /// The mutator itself puts its marks where it says.
    @Test func theMutatorPutsMarksAtTheEdges() {
        var generator = SplitMix64(seed: 7)
        var mutator = SweepMutator()
        var starts = Set<String>(), ends = Set<String>()
        for _ in 0..<400 {
            let v = mutator.mutate("Headline here\n\nFirst sentence of it. Second one ends.", using: &generator)
            starts.insert(String(v.prefix(1)))
            ends.insert(String(v.suffix(1)))
        }
        #expect(starts.contains("(") && starts.contains("\u{201C}") && starts.contains("\""))
        #expect(ends.contains(")") || ends.contains("\u{201D}"))
    }
}

/// Builds edge-case variants of a text: marks at the first and last positions of the text, of paragraphs
/// and of sentences, and empty or lone-mark paragraphs.
struct SweepMutator {
    static let marks = ["(", ")", "[", "]", "\"", "'", "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}", "\u{00AB}", "\u{00BB}",
                        ".", ",", ";", ":", "-", "\u{2014}", "!", "?", "...", "/", "&", "%", "$", "#", "*"]
    static let words = ["(ANSA)", "(AP)", "(TTP)", "TTP (Tehreek-i-Taliban Pakistan)", "Trade and Investment Framework Agreement (TIFA)",
                        "(Reuters) -", "U.S.", "Mr.", "$2.5bn", "Rs500 million", "3.5%", "over 80 people", "the second round",
                        "1,234.5", "on Monday", "13 February 2023", "2023-02-13", "from February 13 (Monday) to 16 (Thursday)",
                        "next month", "10:30", "\u{201C}We will meet,\u{201D} he said.", "\"Yes,\" she said", "'quoted'",
                        "said:", "according to", "I", "A", "x", "(", ")", "\u{201C}\u{201D}", "()", "(())", "\"\""]

    static func stripTags(_ text: String) -> String {
        text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
    }

    /// Paragraph-sized pieces (at most ~600 characters), the headline-like first line kept with each.
    static func pieces(of text: String) -> [String] {
        let paragraphs = text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return paragraphs.prefix(12).map { String($0.prefix(600)) }
    }

    mutating func mutate(_ text: String, using g: inout SplitMix64) -> String {
        func pick(_ list: [String]) -> String { list[Int(g.next() % UInt64(list.count))] }
        func token() -> String { g.next() % 2 == 0 ? pick(Self.marks) : pick(Self.words) }
        var paragraphs = text.components(separatedBy: "\n\n")
        for _ in 0..<(1 + Int(g.next() % 4)) {
            let p = Int(g.next() % UInt64(paragraphs.count))
            var sentences = paragraphs[p].components(separatedBy: ". ")
            let s = Int(g.next() % UInt64(sentences.count))
            switch g.next() % 7 {
            case 0: sentences[s] = token() + sentences[s]
            case 1: sentences[s] = token() + " " + sentences[s]
            case 2: sentences[s] += token()
            case 3: sentences[s] += " " + token()
            case 4: paragraphs.insert(token(), at: Int(g.next() % UInt64(paragraphs.count + 1)))
            case 5: sentences[s] = token() + sentences[s] + token()
            default: sentences.insert(token(), at: Int(g.next() % UInt64(sentences.count + 1)))
            }
            if paragraphs.indices.contains(p), g.next() % 7 != 4 { paragraphs[p] = sentences.joined(separator: ". ") }
        }
        var result = paragraphs.joined(separator: g.next() % 3 == 0 ? "\n" : "\n\n")
        // The text's own first and last positions.
        switch g.next() % 4 {
        case 0: result = pick(["(", "\u{201C}", "\"", "[", "'"]) + result
        case 1: result += pick([")", "\u{201D}", "\"", "]", ".", " (", " \u{201C}"])
        case 2: result = pick(["(", "\u{201C}", "\""]) + result + pick([")", "\u{201D}", "\""])
        default: break
        }
        return result
    }
}

/// Names the inputs being processed when a trap (SIGILL/SIGTRAP) or fault kills the test process. Each test
/// case writes its current input into its own slot of a fixed C buffer, so that the signal handler only calls
/// write(2); it then restores the previous action (the Swift runtime's backtracer) and returns, so the trapping
/// instruction runs again under it.
enum SweepProgress {
    static let slots = 16, slotSize = 512
    nonisolated(unsafe) static let labels: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: slots * slotSize)
        p.initialize(repeating: 0, count: slots * slotSize)
        return p
    }()
    /// The actions in place before ours, indexed by signal number.
    nonisolated(unsafe) static let previous: UnsafeMutablePointer<sigaction> = {
        let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
        p.initialize(repeating: sigaction(), count: 65)
        return p
    }()
    nonisolated(unsafe) static var installed = false
    static let lock = NSLock()

    static func now(_ name: String, slot: Int) {
        let bytes = Array(name.utf8.prefix(slotSize - 1))
        let label = labels + slot * slotSize
        bytes.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { base.withMemoryRebound(to: CChar.self, capacity: b.count) { label.update(from: $0, count: b.count) } }
        }
        label[bytes.count] = 0
    }

    static func install() {
        lock.lock(); defer { lock.unlock() }
        guard !installed else { return }
        installed = true
        for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS] {
            var action = sigaction()
            // Only write(2) and sigaction(2) in here: both are async-signal-safe.
            action.__sigaction_handler.sa_handler = { sig in
                let prefix: StaticString = "\nsweep: a trap or fault killed the test process; the sweep was processing:\n"
                _ = write(2, prefix.utf8Start, prefix.utf8CodeUnitCount)
                for slot in 0..<SweepProgress.slots {
                    let label = SweepProgress.labels + slot * SweepProgress.slotSize
                    guard label[0] != 0 else { continue }
                    _ = write(2, "  ", 2)
                    _ = write(2, label, strlen(label))
                    _ = write(2, "\n", 1)
                }
                sigaction(sig, SweepProgress.previous + Int(sig), nil)
            }
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, previous + Int(sig))
        }
    }
}
