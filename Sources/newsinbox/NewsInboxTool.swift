import ArgumentParser

/// `newsinbox`: the offline tool. Extract one file, evaluate against gold data, train, benchmark.
@main
struct NewsInboxTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsinbox",
        abstract: "Offline NewsInbox tool: extract, evaluate, train, benchmark, reindex.",
        subcommands: [ExtractCommand.self, EvalCommand.self, TrainCommand.self, BenchCommand.self, ReindexCommand.self])
}

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure an extractor against gold data.",
        subcommands: [EvalCoNLLCommand.self, EvalTimeMLCommand.self, EvalHTMLCommand.self])
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from data in the repository's formats.",
        subcommands: [TrainNERCommand.self])
}
