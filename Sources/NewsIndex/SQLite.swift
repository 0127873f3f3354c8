import CSQLite
import FoundationEssentials

/// An error from SQLite, with the result code and the connection's message.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public var description: String { "sqlite error \(code): \(message)" }
}

/// `SQLITE_TRANSIENT`: SQLite copies bound text and blobs (the macro does not import into Swift).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection with a cache of prepared statements. Not thread-safe: each owner (the
/// writer, the query queue) has its own.
final class SQLiteConnection {
    private let handle: OpaquePointer
    private var statements: [String: Statement] = [:]
    let path: String

    init(path: String, readOnly: Bool = false) throws {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "\(path): \(message)")
        }
        handle = db
        self.path = path
        // A reader waits briefly for a checkpoint instead of failing with SQLITE_BUSY.
        sqlite3_busy_timeout(db, 5000)
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(error)
            throw SQLiteError(code: rc, message: message)
        }
    }

    /// Statements handed out since the last `finish()`.
    private var inUse: [Statement] = []

    /// A cached prepared statement, reset and with its bindings cleared.
    func statement(_ sql: String) throws -> Statement {
        if let cached = statements[sql] {
            cached.reset()
            inUse.append(cached)
            return cached
        }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw SQLiteError(code: rc, message: "\(lastMessage) in: \(sql)") }
        let statement = Statement(raw, connection: self)
        statements[sql] = statement
        inUse.append(statement)
        return statement
    }

    /// Resets every statement used since the last call. A statement left on a row keeps its read
    /// transaction open: a reader would keep seeing an old snapshot, and the WAL could not be
    /// checkpointed. Call at the end of each unit of work.
    func finish() {
        for statement in inUse { statement.reset() }
        inUse.removeAll(keepingCapacity: true)
    }

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            // A statement still on a row keeps the connection's read transaction open past the COMMIT,
            // and then the automatic checkpoint after it never completes: the WAL grew to 2 GB at
            // 19,000 articles and every page read searched it.
            finish()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }
}

/// A prepared statement: bind by position (1-based), step, read columns (0-based).
final class Statement {
    private let raw: OpaquePointer
    private unowned let connection: SQLiteConnection

    fileprivate init(_ raw: OpaquePointer, connection: SQLiteConnection) {
        self.raw = raw
        self.connection = connection
    }

    deinit { sqlite3_finalize(raw) }

    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    enum Value {
        case int(Int64), double(Double), text(String), blob([UInt8]), null
    }

    @discardableResult
    func bind(_ values: Value...) -> Statement { bind(values) }

    @discardableResult
    func bind(_ values: [Value]) -> Statement {
        for (offset, value) in values.enumerated() {
            let i = Int32(offset + 1)
            switch value {
            case .int(let v): sqlite3_bind_int64(raw, i, v)
            case .double(let v): sqlite3_bind_double(raw, i, v)
            case .text(let v): sqlite3_bind_text(raw, i, v, -1, transient)
            case .blob(let v): v.withUnsafeBytes { _ = sqlite3_bind_blob(raw, i, $0.baseAddress, Int32($0.count), transient) }
            case .null: sqlite3_bind_null(raw, i)
            }
        }
        return self
    }

    /// True while a row is available.
    func step() throws -> Bool {
        let rc = sqlite3_step(raw)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(code: rc, message: connection.lastMessage)
        }
    }

    /// Steps to completion (an INSERT, UPDATE or DELETE).
    func run() throws { while try step() {} }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }
    func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(raw, column) else { return nil }
        return String(cString: p)
    }
    func blob(_ column: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(raw, column))
        guard n > 0, let p = sqlite3_column_blob(raw, column) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: p, count: n))
    }

    /// Every row mapped by `row`.
    func rows<T>(_ row: (Statement) throws -> T) throws -> [T] {
        var out: [T] = []
        while try step() { out.append(try row(self)) }
        return out
    }
}

extension Statement.Value {
    init(_ s: String?) { self = s.map { .text($0) } ?? .null }
    init(_ i: Int?) { self = i.map { .int(Int64($0)) } ?? .null }
}
