import FluentPostgresDriver
import Foundation

/// PostgreSQL's side of ``SQLDatabase/rows(_:)``: the statement sent as PostgresNIO's own query, each
/// column read by the driver's direct decoding.
///
/// Through SQLKit, every column of every row went through Codable — a decoder built per value, its
/// type's metadata looked up at run time — a quarter of a queue page's CPU on PostgreSQL. The lists
/// only ask for text, integers, times and booleans, which PostgresNIO decodes straight from the wire.
enum PostgresRows {
    /// The rows, or nil when a value cannot be sent this way (SQLKit then sends it). Never for a
    /// transaction's statement: it must go on the transaction's connection, which SQLKit holds. A
    /// statement whose plan may be kept (``StatementPlan/kept``), or that has no values, is run by name
    /// once it comes back.
    static func rows(_ text: String, _ values: [any Encodable & Sendable], plan: StatementPlan = .perValue,
                     on postgres: any PostgresDatabase, logger: Logger) async throws -> [any StoredRow]? {
        guard let (bindings, types) = bindings(values) else { return nil }
        logger.debug("Executing query", metadata: ["sql": .string(text), "binds": .array(values.map { .string("\($0)") })])
        // A statement without values has one plan whatever the mark says (the queue's views by status and
        // sort write their ranks into the text). A NULL has no type of its own to prepare the statement with.
        guard plan == .kept || values.isEmpty, let types else {
            let query = PostgresQuery(unsafeSQL: text, binds: bindings)
            return try await leased(postgres) { connection in
                try await connection.query(query, logger: connection.logger).get().rows
            }.map { PostgresStoredRow(row: $0.makeRandomAccess()) }
        }
        return try await leased(postgres) { connection in
            try await PostgresPreparedStatements.shared.rows(text, bindings, types: types, on: connection, logger: connection.logger)
        }.map { PostgresStoredRow(row: $0.makeRandomAccess()) }
    }

    /// `body` run in the calling task with a connection of the pool held for it. The pool hands its
    /// connections to closures that answer futures; run there, a statement's task was started on
    /// Swift's pool and its rows handed back to the caller's thread, two hand-overs between threads
    /// besides the statement's own.
    private static func leased<Result: Sendable>(_ postgres: any PostgresDatabase,
                                                 _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let handedOver = postgres.eventLoop.makePromise(of: PostgresConnection.self)
        let done = postgres.eventLoop.makePromise(of: Void.self)
        postgres.withConnection { connection in
            handedOver.succeed(connection)
            return done.futureResult
        }.whenFailure { handedOver.fail($0) }
        let connection: PostgresConnection
        do {
            connection = try await handedOver.futureResult.get()
        } catch {
            done.succeed(())
            throw error
        }
        defer { done.succeed(()) }
        return try await body(connection)
    }

    /// The values as PostgreSQL's binary bindings, when each is one of the kinds the lists bind, with
    /// their types as a prepared statement names them (nil when one is NULL).
    private static func bindings(_ values: [any Encodable & Sendable]) -> (PostgresBindings, types: [PostgresDataType]?)? {
        var bindings = PostgresBindings(capacity: values.count)
        var types: [PostgresDataType]? = []
        for value in values {
            switch value {
            case let text as String: bindings.append(text); types?.append(.text)
            case let integer as Int: bindings.append(integer); types?.append(.int8)
            case let integer as Int64: bindings.append(integer); types?.append(.int8)
            case let double as Double: bindings.append(double); types?.append(.float8)
            case let flag as Bool: bindings.append(flag); types?.append(.bool)
            case let date as Date: bindings.append(date); types?.append(.timestamptz)
            case let absent as any AbsentValue where absent.isAbsent: bindings.appendNull(); types = nil
            default: return nil
            }
        }
        return (bindings, types)
    }
}

/// An optional that may be nil, asked without knowing what it wraps.
private protocol AbsentValue {
    var isAbsent: Bool { get }
}

extension Optional: AbsentValue {
    fileprivate var isAbsent: Bool { self == nil }
}

/// A row read by ``PostgresRows``.
private struct PostgresStoredRow: StoredRow {
    let row: PostgresRandomAccessRow

    private func cell(_ column: String) throws -> PostgresCell {
        guard row.contains(column) else { throw StoredRowError.missingColumn(column) }
        return row[column]
    }

    private func decode<Value: PostgresDecodable>(_ column: String, as type: Value.Type) throws -> Value {
        do {
            return try cell(column).decode(Value.self)
        } catch let error as StoredRowError {
            throw error
        } catch {
            throw StoredRowError.mismatch(column: column, type: "\(Value.self)")
        }
    }

    func string(_ column: String) throws -> String { try decode(column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column, as: String?.self) }
    func integer(_ column: String) throws -> Int { try decode(column, as: Int.self) }
    func double(_ column: String) throws -> Double { try decode(column, as: Double.self) }
    func date(_ column: String) throws -> Date { try decode(column, as: Date.self) }
    func optionalDate(_ column: String) throws -> Date? { try decode(column, as: Date?.self) }
    func bool(_ column: String) throws -> Bool { try decode(column, as: Bool.self) }
    func has(_ column: String) -> Bool { row.contains(column) }
}
