import FoundationEssentials

extension ExtractionModels {
    static let modelFile = "ner.model"

    /// The first of `candidates` that holds the models. Where to look is the caller's to say (the
    /// daemon's and the tool's search order: NewsInbox's `ModelDirectory`); this library reads no
    /// environment and knows no install or checkout path.
    static func locate(in candidates: [String]) throws -> String {
        for directory in candidates where FileManager.default.fileExists(atPath: directory + "/" + modelFile) {
            return directory
        }
        throw ModelError(message: "no NER model (\(modelFile)) found; looked in: " + candidates.joined(separator: ", ")
            + " (set NEWSINBOX_MODEL_DIR or pass the model directory)")
    }
}
