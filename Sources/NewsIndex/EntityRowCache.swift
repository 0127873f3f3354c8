/// What the write connection has already put in the entity tables (`entities`, `entity_forms`,
/// `entity_names`), so an upsert does not look up or insert again what is there: news names recur,
/// and those statements were most of an article's SQLite work. Entity rows are never deleted, so an
/// entry stays true; one added inside a transaction counts only once that transaction commits.
/// Bounded: emptied when it holds `limit` entries (it only saves work, it decides nothing).
struct EntityRowCache {
    static let limit = 100_000

    /// A form (`isName` false) or lookup name of an entity.
    struct Row: Hashable {
        var entity: Int64
        var text: String
        var isName: Bool
    }

    private var rowids: [String: Int64] = [:]
    private var rows: Set<Row> = []
    private var pendingRowids: [String: Int64] = [:]
    private var pendingRows: Set<Row> = []

    func rowid(key: String) -> Int64? { rowids[key] ?? pendingRowids[key] }

    mutating func note(key: String, rowid: Int64) { pendingRowids[key] = rowid }

    /// True the first time `row` is seen: it has to be inserted.
    mutating func isNew(_ row: Row) -> Bool {
        !rows.contains(row) && pendingRows.insert(row).inserted
    }

    mutating func committed() {
        if rowids.count + rows.count + pendingRowids.count + pendingRows.count > Self.limit {
            rowids.removeAll()
            rows.removeAll()
        }
        rowids.merge(pendingRowids) { $1 }
        rows.formUnion(pendingRows)
        rolledBack()
    }

    mutating func rolledBack() {
        pendingRowids.removeAll(keepingCapacity: true)
        pendingRows.removeAll(keepingCapacity: true)
    }
}
