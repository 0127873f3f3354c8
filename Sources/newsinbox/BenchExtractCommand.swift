import ArgumentParser
import Extraction
import FoundationEssentials
import NewsInbox

/// `newsinbox bench extract`: extraction alone on one core, stage by stage, over the BBC articles.
///
/// Each stage runs over the whole set in turn, `--repeats` times; the figures are medians. Rates are
/// per CPU-second of the measuring thread (wall time is reported too): on a shared machine the thread's
/// CPU time is the closer measure of what a stage costs on one core.
struct BenchExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Tokens/s and MB/s of the tokenizer, sentence splitter and full extractor on one core.")

    @Option(help: "A directory of plain-text articles (default: ../shared/corpora/bbc).") var corpus: String?
    @Option(help: "How many times each stage runs over the set (default 5, 2 with --quick).") var repeats: Int?
    @Option(help: "Use only the first N articles.") var limit: Int?
    @Option(name: .customLong("model-dir"), help: "Where the models are.") var modelDir: String?
    @OptionGroup var output: BenchOutputOptions

    func run() throws {
        let directory = corpus ?? defaultCorpora() + "/bbc"
        var files = try loadFiles(directory) { $0.hasSuffix(".txt") && !$0.contains("README") }
        if let limit { files = Array(files.prefix(limit)) } else if output.quick { files = Array(files.prefix(600)) }
        guard !files.isEmpty else { throw ValidationError("no .txt articles in \(directory)") }
        let texts = files.map { String(decoding: $0.bytes, as: UTF8.self) }
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        let repeats = max(1, self.repeats ?? (output.quick ? 2 : 5))
        let extractor = Extractor(models: try ExtractionModels.load(searching: ModelDirectory.candidates(configured: modelDir)))

        // One untimed pass: page in the code and the models, and count what the stages produce.
        let documents = texts.map { Document(text: $0) }
        let tokenLists = documents.map { Tokenizer.tokenize($0) }
        let tokens = tokenLists.reduce(0) { $0 + $1.count }
        var entities = 0
        for document in documents { entities += try extractor.extract(document).entities.count }
        // The tagger's input, prepared untimed: the token texts and the sentences as token ranges.
        let tagger = extractor.models.tagger
        let taggerInput: [(words: [String], sentences: [Range<Int>])] = zip(documents, tokenLists).map { doc, toks in
            let sentences = SentenceSplitter.sentences(doc, tokens: toks, paragraphs: SentenceSplitter.paragraphs(doc))
            return (toks.map { doc.text($0.start, $0.end) }, sentences.map(\.tokens))
        }
        if tagger == nil { print("bench extract: no NER model loaded: the tagger stage is skipped") }

        var stages: [(name: String, what: String, runs: [Timing])] = [
            ("document", "Document(text:): the text as an array of scalars", []),
            ("tokenize", "Tokenizer.tokenize", []),
            ("sentences", "SentenceSplitter.paragraphs + sentences", []),
            ("tagger", "NERTagger.tag(words:sentences:): features + Viterbi, given the tokens", []),
            ("extract", "Extractor.extract, all stages (includes tokenize + sentences)", []),
            ("times", "the time stage inside Extractor.extract (from the end of entities to the end of times)", []),
            ("document+extract", "what a worker spends per article on text", []),
        ]
        var sink = 0
        for _ in 0..<repeats {
            let d = Timing.measure { for t in texts { sink &+= Document(text: t).scalars.count } }
            let t = Timing.measure { for doc in documents { sink &+= Tokenizer.tokenize(doc).count } }
            let s = Timing.measure {
                for (doc, toks) in zip(documents, tokenLists) {
                    let paragraphs = SentenceSplitter.paragraphs(doc)
                    sink &+= SentenceSplitter.sentences(doc, tokens: toks, paragraphs: paragraphs).count
                }
            }
            let g = Timing.measure {
                guard let tagger else { return }
                for input in taggerInput { sink &+= tagger.tag(words: input.words, sentences: input.sentences).count }
            }
            // The time stage is timed inside the same pass, between the stage-end callbacks around it.
            var stageStart = (wall: UInt64(0), cpu: UInt64(0))
            var times = (wall: UInt64(0), cpu: UInt64(0))
            let e = try Timing.measure {
                for doc in documents {
                    sink &+= try extractor.extract(doc, stageFinished: { stage in
                        let now = (wall: BenchClock.now(), cpu: BenchClock.threadCPU())
                        if stage == "times" { times = (times.wall + now.wall - stageStart.wall, times.cpu + now.cpu - stageStart.cpu) }
                        stageStart = now
                    }).sentences.count
                }
            }
            stages[0].runs.append(d)
            stages[1].runs.append(t)
            stages[2].runs.append(s)
            stages[3].runs.append(g)
            stages[4].runs.append(e)
            stages[5].runs.append(Timing(wall: Double(times.wall) / 1e9, cpu: Double(times.cpu) / 1e9))
            stages[6].runs.append(Timing(wall: d.wall + e.wall, cpu: d.cpu + e.cpu))
        }
        if sink == 42 { print("") }  // keeps the timed work observable

        let full = Stat.median(stages[6].runs.map(\.cpu))
        var table = BenchTable("stage", "cpu s", "wall s", "tokens/s", "MB/s", "articles/s", "% of doc+extract")
        var json = BenchJSON()
        json["articles"] = texts.count
        json["bytes"] = bytes
        json["tokens"] = tokens
        json["entities"] = entities
        json["repeats"] = repeats
        var stageJSON: [BenchJSON] = []
        for stage in stages where !(stage.name == "tagger" && tagger == nil) {
            let cpu = Stat.median(stage.runs.map(\.cpu)), wall = Stat.median(stage.runs.map(\.wall))
            table.add(stage.name, fmt(cpu, 3), fmt(wall, 3), fmtInt(Double(tokens) / cpu),
                      fmt(Double(bytes) / 1e6 / cpu, 2), fmtInt(Double(texts.count) / cpu), fmt(100 * cpu / full, 1))
            var s = BenchJSON()
            s["name"] = stage.name
            s["what"] = stage.what
            s["cpu_seconds"] = cpu
            s["wall_seconds"] = wall
            s["tokens_per_cpu_second"] = Double(tokens) / cpu
            s["mb_per_cpu_second"] = Double(bytes) / 1e6 / cpu
            s["articles_per_cpu_second"] = Double(texts.count) / cpu
            s.set("cpu_seconds_runs", numbers: stage.runs.map(\.cpu))
            stageJSON.append(s)
        }
        json.set("stages", array: stageJSON)
        table.print(title: "extraction on one core: \(texts.count) articles, \(fmt(Double(bytes) / 1e6, 2)) MB, \(fmtInt(Double(tokens))) tokens, \(entities) entities, median of \(repeats)")
        try BenchJSON.wrap("extract", json).write(to: output.json)
    }
}

extension BenchJSON {
    static func wrap(_ key: String, _ value: BenchJSON) -> BenchJSON {
        var outer = BenchJSON()
        outer[key] = value
        return outer
    }
}
