import FluentPostgresDriver
import NIOConcurrencyHelpers

/// The statements whose plan PostgreSQL may keep (``StatementPlan/kept``), prepared on each connection
/// the first time it runs them and run by name after.
///
/// PostgreSQL parses and plans an unnamed statement anew every time, and for a look-up by id that costs
/// more than running it: the `reports` table has twenty indexes to weigh (a report by its id, 0.45 ms to
/// plan and 0.05 to run). A prepared statement is parsed once, and once planned five times PostgreSQL
/// keeps one plan for it when that plan costs no more than those made for each value — which for these
/// statements it does. (Every list's statements were measured with one plan forced for every value: for
/// words, domains and blocks it was ruinous, 260–740 ms, so those stay unnamed, planned for their values.)
///
/// A text is prepared once the process has sent it `sightings` times (a list of ids is a text per
/// length), with its values' types as its parameters' types, and at most `capacity` texts are: a
/// connection keeps what it prepared until it closes, so past that number texts are sent unnamed. A
/// statement the server refuses to run by name (its result changed shape after a migration, or a
/// pooler in front lost it) is from then on sent unnamed.
final class PostgresPreparedStatements: Sendable {
    static let shared = PostgresPreparedStatements()

    /// How many texts the process prepares.
    let capacity: Int
    /// How many times the process sends a text unnamed before preparing it.
    let sightings: Int

    private let state = NIOLockedValueBox(State())

    private struct State {
        /// The prepared texts (their parameters' types and their SQL) and their names.
        var names: [String: String] = [:]
        /// How many times each text not yet prepared was sent; emptied when it holds `capacity` × 8.
        var seen: [String: Int] = [:]
        /// Texts the server refused to run by name.
        var refused: Set<String> = []
    }

    /// The last number a statement of the process was named by, whichever instance named it: a
    /// connection knows a prepared statement by its name alone, and two instances on one connection
    /// (the service's and one of its own) would otherwise each name a different text `abusedesk_1`.
    private static let lastNumber = NIOLockedValueBox(0)

    init(capacity: Int = 256, sightings: Int = 2) {
        self.capacity = capacity
        self.sightings = sightings
    }

    /// The rows of `text` with `bindings` (of PostgreSQL's types `types`), on `connection`.
    func rows(_ text: String, _ bindings: PostgresBindings, types: [PostgresDataType], on connection: PostgresConnection,
              logger: Logger) async throws -> [PostgresRow] {
        let key = Self.key(text, types: types)
        guard let name = name(for: key) else {
            return try await connection.query(PostgresQuery(unsafeSQL: text, binds: bindings), logger: logger).get().rows
        }
        do {
            return try await NamedStatement.$current.withValue(.init(name: name, sql: text, types: types)) {
                var rows: [PostgresRow] = []
                for try await row in try await connection.execute(NamedStatement(bindings: bindings), logger: logger) {
                    rows.append(row)
                }
                return rows
            }
        } catch let error as PSQLError where Self.isRefusedByName(error) {
            state.withLockedValue { state in
                state.names[key] = nil
                state.refused.insert(key)
            }
            return try await connection.query(PostgresQuery(unsafeSQL: text, binds: bindings), logger: logger).get().rows
        }
    }

    /// How many texts the process has prepared.
    var preparedCount: Int { state.withLockedValue { $0.names.count } }

    /// Whether `text` with parameters of `types` is run by name.
    func prepares(_ text: String, types: [PostgresDataType]) -> Bool {
        state.withLockedValue { $0.names[Self.key(text, types: types)] != nil }
    }

    private static func key(_ text: String, types: [PostgresDataType]) -> String {
        types.map { String($0.rawValue) }.joined(separator: ",") + "|" + text
    }

    /// The name to run `key` by, or nil to send it unnamed.
    private func name(for key: String) -> String? {
        state.withLockedValue { state in
            if let name = state.names[key] { return name }
            guard state.names.count < capacity, !state.refused.contains(key) else { return nil }
            let sent = (state.seen[key] ?? 0) + 1
            guard sent > sightings else {
                if state.seen.count >= capacity * 8 { state.seen.removeAll(keepingCapacity: true) }
                state.seen[key] = sent
                return nil
            }
            state.seen[key] = nil
            let number = Self.lastNumber.withLockedValue { last in
                last += 1
                return last
            }
            let name = "abusedesk_\(number)"
            state.names[key] = name
            return name
        }
    }

    /// Whether the server will not run the statement by name: its cached plan's result changed shape
    /// (0A000), or it no longer has it (26000).
    private static func isRefusedByName(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "0A000" || state == "26000"
    }
}

/// One text run by name through PostgresNIO's prepared statements, which name a statement and its SQL
/// by its type: the name and SQL of the statement being sent are the task's, read by PostgresNIO as it
/// sends it.
private struct NamedStatement: PostgresPreparedStatement {
    struct Text: Sendable {
        var name: String
        var sql: String
        var types: [PostgresDataType]
    }

    @TaskLocal static var current = Text(name: "", sql: "", types: [])

    static var name: String { current.name }
    static var sql: String { current.sql }
    static var bindingDataTypes: [PostgresDataType] { current.types }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
