import CLibPQ
import Logging

/// One blocking libpq connection. All libpq calls of the package are here, except notifications (PostgresListener).
///
/// Safety: the `PGconn` handle is created here, finished only in `deinit`, and never escapes; every `PGresult`
/// is cleared in the function that obtained it. The pool only touches an instance on its own threads under its
/// slot's lock, so libpq sees one thread at a time per connection.
///
/// Queries are always parameterized (text format), so values never become SQL. Each connection prepares a
/// statement with parameters the first time it runs its SQL (`PQprepare`, up to ``maximumPreparedStatements`` distinct texts, `PQexecParams`
/// beyond) and then only binds and executes it, so PostgreSQL does not parse and plan the same SQL again on every
/// call. The only unparameterized path is `executeScript`, reserved for migrations and transaction control.
final class PostgresConnection: PooledConnection {
    private let handle: OpaquePointer
    private let logger: Logger
    private(set) var isBroken = false
    /// SQL text → name of its prepared statement on this connection.
    private var preparedStatements: [String: String] = [:]
    /// Names are never reused on a connection, even after a statement was forgotten.
    private var preparedCount = 0
    static let maximumPreparedStatements = 64

    private init(handle: OpaquePointer, logger: Logger) {
        self.handle = handle
        self.logger = logger
        // Server notices (NOTICE, WARNING) would go to stderr; route them to the log. The pointer to self stays
        // valid as long as the handle: `deinit` finishes the handle.
        PQsetNoticeProcessor(
            handle,
            { context, message in
                guard let context, let message else { return }
                let connection = Unmanaged<PostgresConnection>.fromOpaque(context).takeUnretainedValue()
                connection.logger.debug("PostgreSQL notice: \(String(cString: message).trimmingTrailingNewlines())")
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        PQfinish(handle)
    }

    static func open(_ configuration: PostgresClient.Configuration, logger: Logger) throws -> PostgresConnection {
        guard let handle = PQconnectdb(configuration.connectionString) else {
            throw StoreError(.unavailable, "cannot connect to PostgreSQL: libpq could not allocate a connection")
        }
        let connection = PostgresConnection(handle: handle, logger: logger)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw StoreError(
                .unavailable, "cannot connect to PostgreSQL \(configuration.endpoint): \(connection.errorMessage)")
        }
        return connection
    }

    /// The options a connection string sets (keyword → value), as libpq parses them.
    ///
    /// - Throws: `.invalidConfiguration` with libpq's explanation when the string does not parse.
    static func parse(_ connectionString: String) throws -> [String: String] {
        var errorText: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &errorText) else {
            let reason = errorText.map { String(cString: $0).trimmingTrailingNewlines() } ?? "out of memory"
            PQfreemem(errorText)
            throw StoreError(.invalidConfiguration, "PostgreSQL URL: \(reason)")
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                values[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        return values
    }

    func prepareForUse() -> Bool {
        guard !isBroken, PQstatus(handle) == CONNECTION_OK, !SocketProbe.isReadableOrClosed(PQsocket(handle)) else {
            return false
        }
        switch PQtransactionStatus(handle) {
        case PQTRANS_IDLE:
            return true
        case PQTRANS_INTRANS, PQTRANS_INERROR:
            // A transaction whose task was cancelled before its COMMIT/ROLLBACK ran; end it before reuse.
            return (try? executeScript("ROLLBACK")) != nil && PQtransactionStatus(handle) == PQTRANS_IDLE
        default:
            return false
        }
    }

    /// Runs one parameterized statement and returns its rows.
    func query(_ sql: String, _ parameters: [PostgresValue?]) throws -> PostgresRows {
        let statement = try preparedStatement(for: sql, parameterCount: parameters.count)
        do {
            return try run(sql, parameters, statement: statement)
        } catch let error as StoreError where statement != nil && Self.isStalePreparedStatement(error) {
            // The server lost the statement (DISCARD ALL, a pooler) or its plan no longer fits the table: forget it
            // and send the text. Inside a transaction the failure already aborted it, so the error stands there.
            preparedStatements[sql] = nil
            guard PQtransactionStatus(handle) == PQTRANS_IDLE else { throw error }
            return try run(sql, parameters, statement: nil)
        }
    }

    private func run(_ sql: String, _ parameters: [PostgresValue?], statement: String?) throws -> PostgresRows {
        let result = try Self.withParameters(parameters) { count, values in
            if let statement {
                PQexecPrepared(handle, statement, count, values, nil, nil, 0)
            } else {
                PQexecParams(handle, sql, count, nil, values, nil, nil, 0)
            }
        }
        defer { PQclear(result) }
        return rows(of: try check(result))
    }

    /// 26000: no such prepared statement; 0A000 "cached plan must not change result type".
    private static func isStalePreparedStatement(_ error: StoreError) -> Bool {
        error.sqlState == "26000" || (error.sqlState == "0A000" && error.message.contains("cached plan"))
    }

    /// The name of `sql`'s prepared statement on this connection, preparing it on first use; nil for SQL without
    /// parameters (DDL, one-off statements) and once the cache is full (the caller then sends the text itself).
    private func preparedStatement(for sql: String, parameterCount: Int) throws -> String? {
        guard parameterCount > 0 else { return nil }
        if let name = preparedStatements[sql] { return name }
        guard preparedStatements.count < Self.maximumPreparedStatements else { return nil }
        preparedCount += 1
        let name = "txad_\(preparedCount)"
        let result = PQprepare(handle, name, sql, Int32(parameterCount), nil)
        defer { PQclear(result) }
        _ = try check(result)
        preparedStatements[sql] = name
        return name
    }

    /// Runs SQL text with the simple query protocol (several statements allowed, no parameters).
    /// Only for trusted SQL from the code: migrations and transaction control.
    func executeScript(_ sql: String) throws {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        _ = try check(result)
    }

    /// Runs one statement once per parameter set in a single pipeline: one parse, one round trip, one implicit
    /// transaction (all or nothing, unless inside an explicit transaction).
    ///
    /// Everything is sent before any result is read. That cannot deadlock on full socket buffers: when libpq
    /// cannot write, it reads what the server sent into its input buffer before waiting again (`pqSendSome`).
    ///
    /// - Returns: the sum of affected rows.
    func executeBatch(_ sql: String, _ parameterSets: [[PostgresValue?]]) throws -> Int {
        guard let parameterCount = parameterSets.first?.count else { return 0 }
        if let index = parameterSets.firstIndex(where: { $0.count != parameterCount }) {
            throw StoreError(
                .invalidArgument,
                "executeBatch: parameter set \(index) has \(parameterSets[index].count) values, the first has "
                    + "\(parameterCount)")
        }
        // Validate everything before sending anything: once statements are in the pipeline they will run.
        for parameters in parameterSets { try Self.validate(parameters) }
        // Any failure below marks the connection broken, so the pool discards it in whatever pipeline state.
        guard PQenterPipelineMode(handle) == 1 else { throw failure("could not enter pipeline mode") }
        guard PQsendPrepare(handle, "", sql, Int32(parameterCount), nil) == 1 else {
            throw failure("could not send the statement")
        }
        for (index, parameters) in parameterSets.enumerated() {
            let accepted = try Self.withParameters(parameters) { count, values in
                PQsendQueryPrepared(handle, "", count, values, nil, nil, 0)
            }
            guard accepted == 1 else { throw failure("could not send parameter set \(index)") }
        }
        guard PQpipelineSync(handle) == 1 else { throw failure("could not send the batch") }

        var firstError: StoreError?
        var affected = 0
        // Results in order: the prepare (label -1), then one per parameter set; each ends with a NULL.
        for label in -1..<parameterSets.count {
            guard let result = PQgetResult(handle) else { throw failure("the batch ended early") }
            let status = PQresultStatus(result)
            if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK {
                affected += Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if firstError == nil && status != PGRES_PIPELINE_ABORTED {
                var error = self.error(from: result)
                if label >= 0 { error.message = "parameter set \(label): \(error.message)" }
                firstError = error
            }
            PQclear(result)
            while let extra = PQgetResult(handle) { PQclear(extra) }
            if isBroken, let firstError { throw firstError }
        }
        // The sync's acknowledgement, then back to normal mode.
        var synced = false
        while !synced, let result = PQgetResult(handle) {
            synced = PQresultStatus(result) == PGRES_PIPELINE_SYNC
            PQclear(result)
        }
        guard synced, PQexitPipelineMode(handle) == 1 else { throw failure("the batch did not end cleanly") }
        if let firstError { throw firstError }
        return affected
    }

    // MARK: - Results and errors

    private func rows(of result: OpaquePointer) -> PostgresRows {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        var values: [[String?]] = []
        values.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            values.append(
                (0..<columnCount).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
        }
        return PostgresRows(
            columns: columns, values: values, affectedRows: Int(String(cString: PQcmdTuples(result))) ?? 0)
    }

    /// Returns `result` if it reports success, throws otherwise.
    private func check(_ result: OpaquePointer?) throws -> OpaquePointer {
        guard let result else {
            throw failure("no result")
        }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            throw error(from: result)
        }
        return result
    }

    /// A server error with its SQLSTATE, or `.unavailable` when the connection is gone.
    private func error(from result: OpaquePointer) -> StoreError {
        let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        let detail = PQresultErrorField(result, Int32(UInt8(ascii: "D"))).map { String(cString: $0) }
        let message = primary.map { $0 + (detail.map { " (\($0))" } ?? "") } ?? errorMessage
        // Class 08 is "connection exception"; 57P01-57P03 are the server shutting down or restarting.
        let lost =
            PQstatus(handle) != CONNECTION_OK || sqlState?.hasPrefix("08") == true
            || sqlState?.hasPrefix("57P0") == true
        if lost {
            isBroken = true
            return StoreError(.unavailable, "PostgreSQL connection lost: \(message)", sqlState: sqlState)
        }
        return StoreError(.serverError, "PostgreSQL: \(message)", sqlState: sqlState)
    }

    /// An error for a libpq call that failed without a result: the connection is unusable.
    private func failure(_ what: String) -> StoreError {
        isBroken = true
        return StoreError(.unavailable, "PostgreSQL \(what): \(errorMessage)")
    }

    private var errorMessage: String {
        PQerrorMessage(handle).map { String(cString: $0) }?.trimmingTrailingNewlines() ?? "unknown libpq error"
    }

    /// Throws `.invalidArgument` for more than 65535 parameters or a NUL byte in a value.
    private static func validate(_ parameters: [PostgresValue?]) throws {
        guard parameters.count <= 65535 else {
            throw StoreError(
                .invalidArgument, "a statement takes at most 65535 parameters, got \(parameters.count)")
        }
        for (index, parameter) in parameters.enumerated() where parameter?.text.utf8.contains(0) == true {
            // libpq would silently cut the value at the NUL; PostgreSQL text cannot hold one anyway.
            throw StoreError(.invalidArgument, "parameter $\(index + 1) contains a NUL byte")
        }
    }

    /// Calls `body` with the parameter count and a C array of NUL-terminated values (nil for NULL).
    private static func withParameters<R>(
        _ parameters: [PostgresValue?], _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) throws -> R
    ) throws -> R {
        try validate(parameters)
        var storage: [CChar] = []
        var offsets: [Int?] = []
        offsets.reserveCapacity(parameters.count)
        for parameter in parameters {
            guard let parameter else {
                offsets.append(nil)
                continue
            }
            offsets.append(storage.count)
            storage.append(contentsOf: parameter.text.utf8.map { CChar(bitPattern: $0) })
            storage.append(0)
        }
        return try storage.withUnsafeBufferPointer { buffer in
            let pointers = offsets.map { offset in offset.flatMap { offset in buffer.baseAddress.map { $0 + offset } } }
            return try pointers.withUnsafeBufferPointer { try body(Int32(parameters.count), $0.baseAddress) }
        }
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while text.last == "\n" { text = text.dropLast() }
        return String(text)
    }
}
