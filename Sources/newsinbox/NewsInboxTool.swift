import ArgumentParser
import CommandLineSupport
import Control

/// `newsinbox`: the offline tool. Extract one file, evaluate against gold data, train, benchmark.
struct NewsInboxTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsinbox",
        abstract: "Offline NewsInbox tool: extract, evaluate, train, benchmark, reindex.",
        discussion: "Exit status: 0 ok, 1 failed (an unreadable file, an article that cannot be read), 2 usage error.",
        version: NewsInboxVersion.string,
        subcommands: [ExtractCommand.self, EvalCommand.self, TrainCommand.self, BenchCommand.self, ReindexCommand.self])

}

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure an extractor against gold data.",
        subcommands: [EvalCoNLLCommand.self, EvalTimeMLCommand.self, EvalHTMLCommand.self, EvalQuotesCommand.self, EvalEntitiesCommand.self,
                      EvalCalibrationCommand.self])
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from data in the repository's formats.",
        subcommands: [TrainNERCommand.self, TrainCalibrationCommand.self])
}
