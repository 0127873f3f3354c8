import FoundationEssentials

/// Where newsinboxd and the newsinbox tool look for the extraction models (README, `model_dir`).
public enum ModelDirectory {
    /// In order: the configured directory alone if there is one; else `$NEWSINBOX_MODEL_DIR`,
    /// `<executable dir>/../share/newsinbox/models` (an install), then the source tree's `models/`
    /// (a build in a checkout).
    public static func candidates(configured: String?) -> [String] {
        if let configured { return [configured] }
        var result: [String] = []
        if let env = ProcessInfo.processInfo.environment["NEWSINBOX_MODEL_DIR"], !env.isEmpty { result.append(env) }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let bin = URL(fileURLWithPath: exe).deletingLastPathComponent()
            result.append(bin.deletingLastPathComponent().appendingPathComponent("share/newsinbox/models").path)
        }
        result.append(sourceTreeModels)
        return result
    }

    /// Sources/NewsInbox/ModelDirectory.swift -> the checkout's models/.
    static let sourceTreeModels = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models").path
}
