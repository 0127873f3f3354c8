import ArgumentParser

// Scaffold: replaced by the work on issue 5.
struct EvalCoNLLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conll", abstract: "Not available yet (issue 5).")

    func run() throws {
        throw ValidationError("'conll' is not available yet")
    }
}
