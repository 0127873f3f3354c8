import Foundation

extension ExtractionModels {
    static let modelFile = "ner.model"

    /// Where the models are looked for, in order: the explicit directory, `NEWSINBOX_MODEL_DIR`,
    /// `<executable dir>/../share/newsinbox/models`, then the source checkout's `models/`.
    static func candidateDirectories(explicit: String?) -> [String] {
        if let explicit { return [explicit] }
        var result: [String] = []
        if let env = ProcessInfo.processInfo.environment["NEWSINBOX_MODEL_DIR"], !env.isEmpty { result.append(env) }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let bin = URL(fileURLWithPath: exe).deletingLastPathComponent()
            result.append(bin.deletingLastPathComponent().appendingPathComponent("share/newsinbox/models").path)
        }
        // Sources/Extraction/NER/ModelLocation.swift -> the checkout's models/
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        result.append(checkout.appendingPathComponent("models").path)
        return result
    }

    static func locate(explicit: String?) throws -> String {
        let candidates = candidateDirectories(explicit: explicit)
        for directory in candidates
        where FileManager.default.fileExists(atPath: directory + "/" + modelFile) {
            return directory
        }
        throw ModelError(message: "no NER model (\(modelFile)) found; looked in: " + candidates.joined(separator: ", ")
            + " (set NEWSINBOX_MODEL_DIR or pass the model directory)")
    }
}
