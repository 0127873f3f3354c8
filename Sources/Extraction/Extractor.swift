public import NewsCore

/// Runs every extraction stage over one document, checking the deadline between stages.
///
/// One `Extractor` is built at start-up (models are loaded once) and shared by all worker threads:
/// it holds no mutable state.
public final class Extractor: Sendable {
    public let models: ExtractionModels

    public init(models: ExtractionModels) {
        self.models = models
    }

    /// `stageFinished`, when given, is called with each stage's name as it ends (the benchmarks time the
    /// stages with it; the daemon passes nothing).
    public func extract(_ document: Document, deadline: Deadline = .never,
                        stageFinished: ((String) -> Void)? = nil) throws(DeadlineExceeded) -> Extraction {
        var result = Extraction()
        let tokens = Tokenizer.tokenize(document)
        let paragraphs = SentenceSplitter.paragraphs(document)
        let sentences = SentenceSplitter.sentences(document, tokens: tokens, paragraphs: paragraphs)
        result.paragraphs = paragraphs
        result.sentences = sentences.map(\.span)
        result.wordCount = tokens.reduce(0) { $0 + ($1.kind == .word || $1.kind == .number ? 1 : 0) }
        try deadline.check("tokenize")
        stageFinished?("tokenize")

        let analysed = AnalysedText(document: document, tokens: tokens, sentences: sentences)
        result.entities = try EntityStage.run(analysed, models: models, deadline: deadline)
        try deadline.check("entities")
        stageFinished?("entities")
        result.times = try TimeStage.run(analysed, deadline: deadline)
        try deadline.check("times")
        stageFinished?("times")
        result.quotes = try QuoteStage.run(analysed, entities: result.entities, deadline: deadline)
        stageFinished?("quotes")
        result.figures = try FigureStage.run(analysed, deadline: deadline)
        stageFinished?("figures")
        result.acronyms = try AcronymStage.run(analysed, entities: result.entities, deadline: deadline)
        try deadline.check("figures")
        stageFinished?("acronyms")
        let central = try SummaryStage.run(analysed, entities: result.entities, deadline: deadline)
        result.keywords = central.keywords
        result.summary = central.sentences
        stageFinished?("summary")
        return result
    }
}

/// The tokenised document every stage reads.
public struct AnalysedText: Sendable {
    public let document: Document
    public let tokens: [Token]
    public let sentences: [Sentence]

    public init(document: Document, tokens: [Token], sentences: [Sentence]) {
        self.document = document
        self.tokens = tokens
        self.sentences = sentences
    }

    public func text(of token: Token) -> String { document.text(token.start, token.end) }
}
