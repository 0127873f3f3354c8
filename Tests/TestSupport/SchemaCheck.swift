public import Foundation
public import Testing

/// Validates JSON files against the schemas in `schema/` with python3's jsonschema (one run per directory).
public enum SchemaCheck {
    static let schemaDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schema")
    /// `out/<id>.json`.
    public static let article = schemaDirectory.appendingPathComponent("newsinbox.article-1.schema.json").path
    /// `failed/NAME.error.json`.
    public static let failure = schemaDirectory.appendingPathComponent("newsinbox.failure-1.schema.json").path

    public struct Result: Sendable {
        /// Files that were checked and are valid.
        public var valid: Int
        /// One line per invalid file: its path and the first violation.
        public var errors: [String]
    }

    /// Checks every file below `directory` whose name ends in `suffix` against `schema`. Hidden files
    /// (temporaries) are left out. Throws when python3 or jsonschema cannot run at all.
    public static func validate(directory: String, suffix: String, schema: String) throws -> Result {
        let script = """
            import json, sys, os, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            valid = 0
            for root, dirs, names in os.walk(sys.argv[2]):
                for name in sorted(names):
                    if name.startswith(".") or not name.endswith(sys.argv[3]):
                        continue
                    path = os.path.join(root, name)
                    try:
                        doc = json.load(open(path))
                    except Exception as e:
                        print("INVALID", path, "not JSON:", e); continue
                    error = next(iter(sorted(validator.iter_errors(doc), key=lambda e: list(e.path))), None)
                    if error is None:
                        valid += 1
                    else:
                        print("INVALID", path, "at", "/".join(str(p) for p in error.absolute_path) or "(root)", ":", error.message[:300])
            print("VALID", valid)
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, schema, directory, suffix]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let lines = out.split(separator: "\n").map(String.init)
        guard p.terminationStatus == 0, let last = lines.last, last.hasPrefix("VALID "), let valid = Int(last.dropFirst(6)) else {
            throw HarnessError("schema validation did not run (exit \(p.terminationStatus)): \(out.suffix(2000))")
        }
        return Result(valid: valid, errors: lines.filter { $0.hasPrefix("INVALID ") })
    }

    /// Validates a daemon's `out/` and `failed/` (a harness's teardown): one line per problem, empty when all
    /// is valid. Nothing to check (no python3 jsonschema outside CI) is not a problem.
    public static func problems(output: String, failed: String) -> [String] {
        guard Requirement.pythonJSONSchema else {
            return Requirement.isCI ? ["python3 jsonschema is not installed: outputs and sidecars were not validated"] : []
        }
        var problems: [String] = []
        for (dir, suffix, schema) in [(output, ".json", article), (failed, ".error.json", failure)]
        where FileManager.default.fileExists(atPath: dir) {
            do { problems += try validate(directory: dir, suffix: suffix, schema: schema).errors }
            catch { problems.append("\(error)") }
        }
        return problems
    }

    /// A harness's teardown: every output and sidecar the daemon left is valid, else the test fails naming
    /// the file and the first violation.
    public static func recordProblems(output: String, failed: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for problem in problems(output: output, failed: failed) {
            Issue.record("schema: \(problem)", sourceLocation: sourceLocation)
        }
    }
}
