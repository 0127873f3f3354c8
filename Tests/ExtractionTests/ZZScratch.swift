import Foundation
import Testing
@testable import Extraction

@Suite struct ZZScratch {
    @Test func runAllBBC() throws {
        guard ProcessInfo.processInfo.environment["SCRATCH"] != nil else { return }
        let models = try ExtractionModels.load()
        let root = EntityCorpora.root.appendingPathComponent("bbc")
        var n = 0, ents = 0
        var types: [String: Int] = [:]
        for dir in ["business", "entertainment", "politics", "sport", "tech"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path).sorted()
            for f in files.prefix(60) {
                guard let text = EntityCorpora.text("bbc/\(dir)/\(f)") else { continue }
                let x = try Extractor(models: models).extract(Document(text: text))
                n += 1; ents += x.entities.count
                for e in x.entities { types[e.type.rawValue, default: 0] += 1 }
                if f == "005.txt" {
                    print("==", dir, f)
                    for e in x.entities.prefix(12) { print(" ", e.id, e.type.rawValue, e.name, e.code ?? "-", e.aliases, e.roles, e.salience) }
                }
            }
        }
        print(n, ents, types)
    }
}
