import Control
import FoundationEssentials

/// The last `capacity` item records, by file and by article id.
struct History {
    private(set) var records: [ItemRecord] = []
    private var byFile: [String: Int] = [:]
    private var byID: [String: Int] = [:]
    private var start = 0
    let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    /// Adds or replaces the record of `record.file` if it is the latest one for that file.
    mutating func upsert(_ record: ItemRecord) {
        if let i = byFile[record.file], records[i].finished == nil {
            records[i] = record
            index(i)
            return
        }
        if records.count < capacity {
            records.append(record)
            index(records.count - 1)
        } else {
            let old = records[start]
            if byFile[old.file] == start { byFile[old.file] = nil }
            for id in old.ids where byID[id] == start { byID[id] = nil }
            records[start] = record
            index(start)
            start = (start + 1) % capacity
        }
    }

    private mutating func index(_ i: Int) {
        byFile[records[i].file] = i
        for id in records[i].ids { byID[id] = i }
    }

    func find(_ key: String) -> ItemRecord? {
        if let i = byID[key] { return records[i] }
        if let i = byFile[key] { return records[i] }
        return nil
    }

    /// Most recent first.
    func recent(limit: Int, where include: (ItemRecord) -> Bool = { _ in true }) -> [ItemRecord] {
        var out: [ItemRecord] = []
        var i = (start + records.count - 1) % max(records.count, 1)
        for _ in 0..<records.count {
            if include(records[i]) { out.append(records[i]); if out.count == limit { break } }
            i = (i - 1 + records.count) % records.count
        }
        return out
    }
}
