import Fluent
import SQLKit

/// How many reports each list in filing order holds per day (UTC) they were filed on, kept by the
/// database itself as reports are written: the queue (every report), each account's customer list
/// (the reports routed to it that it sees: not denied) and each account's submitted list.
///
/// A page by its number deep into such a list (`page=2000`) skipped every report before it, one by one
/// along the filing-time index (at a million reports, 40,000 of an account's, 28 ms a page): neither
/// store's index knows how many entries lie before a key. With the days counted, a page starts at its
/// day — a running sum over a row per day — and skips only that day's reports before it
/// (`FilingDays`). On SQLite the table is its key's index (`WITHOUT ROWID`): a list's days are one range.
///
/// The queue's row of the day is one row every filing writes, as the audit log's head already is
/// (M005): filings are one after the other there anyway, so it costs no concurrency. Rows are written
/// before the audit log's head in every transaction (triggers fire when the report is written), so
/// two transactions never wait for each other in opposite orders.
struct M018_CountReportsByFilingDay: AsyncMigration {
    /// The lists counted: the side's name, the account it belongs to, and which reports are on it.
    private static let lists: [(side: String, owner: String?, holds: (@Sendable (_ row: String) -> String)?)] = [
        ("queue", nil, nil),
        ("routed", "account_id", { row in "NOT " + ReportReader.deniedText(row: row) }),
        ("submitted", "submitter_account_id", nil),
    ]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let sqlite = sql.dialect.name == "sqlite"
        try await sql.raw("""
            CREATE TABLE report_days (
              account_id TEXT NOT NULL, side TEXT NOT NULL, day BIGINT NOT NULL, report_count BIGINT NOT NULL,
              PRIMARY KEY (account_id, side, day))\(unsafeRaw: sqlite ? " WITHOUT ROWID" : "")
            """).run()
        try await sql.raw("""
            INSERT INTO report_days (account_id, side, day, report_count)
            SELECT account_id, side, day, COUNT(*) FROM (\(unsafeRaw: Self.days(of: "reports", sqlite: sqlite))) AS listed
            GROUP BY account_id, side, day
            """).run()
        if sqlite {
            try await Self.sqliteTriggers(on: sql)
        } else {
            try await Self.postgresTriggers(on: sql)
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        if sql.dialect.name == "sqlite" {
            for event in ["insert", "delete", "update"] { try await sql.raw("DROP TRIGGER IF EXISTS reports_days_\(unsafeRaw: event)").run() }
        } else {
            for event in ["insert", "delete", "update"] { try await sql.raw("DROP FUNCTION IF EXISTS count_report_days_\(unsafeRaw: event)() CASCADE").run() }
        }
        try await sql.raw("DROP TABLE IF EXISTS report_days").run()
    }

    /// The day a report was filed on, as days since 1970 (UTC), the days `FilingDays` reads back: SQLite
    /// keeps the time as seconds.
    static func day(_ createdAt: String, sqlite: Bool) -> String {
        let seconds = Int(FilingDays.secondsPerDay)
        return sqlite ? "CAST(\(createdAt) / \(seconds) AS INTEGER)" : "CAST(FLOOR(EXTRACT(EPOCH FROM \(createdAt)) / \(seconds)) AS BIGINT)"
    }

    /// A row (`account_id`, `side`, `day`) for each list each report of `table` is on; `row` is the prefix
    /// of its columns (`NEW.` in a SQLite trigger, whose row is no table).
    private static func days(of table: String?, row: String = "", sqlite: Bool) -> String {
        lists.map { days(on: $0, of: table, row: row, sqlite: sqlite) }.joined(separator: " UNION ALL ")
    }

    /// The same for one list, with `extra` columns after those.
    private static func days(on list: (side: String, owner: String?, holds: (@Sendable (_ row: String) -> String)?),
                             of table: String?, row: String, sqlite: Bool, extra: String = "") -> String {
        let account = list.owner.map { row + $0 } ?? "''"
        var conditions = list.owner.map { ["\(row)\($0) IS NOT NULL"] } ?? []
        if let holds = list.holds { conditions.append(holds(row)) }
        return "SELECT \(account) AS account_id, '\(list.side)' AS side, \(day(row + "created_at", sqlite: sqlite)) AS day\(extra)"
            + (table.map { " FROM \($0)" } ?? "")
            + " WHERE " + (conditions.isEmpty ? "TRUE" : conditions.joined(separator: " AND "))
    }

    /// SQLite has one writer and no versions: a trigger per row adds the new row's days and takes the old one's away.
    private static func sqliteTriggers(on sql: any SQLDatabase) async throws {
        // A statement per list: the row's one select, no subquery (intake runs this for every report it files).
        func add(_ row: String) -> String {
            lists.map { list in
                """
                  INSERT INTO report_days (account_id, side, day, report_count) \(days(on: list, of: nil, row: row, sqlite: true, extra: ", 1"))
                  ON CONFLICT (account_id, side, day) DO UPDATE SET report_count = report_count + 1;
                """
            }.joined(separator: "\n")
        }
        func remove(_ row: String) -> String {
            """
              UPDATE report_days SET report_count = report_count - 1
              WHERE (account_id, side, day) IN (\(days(of: nil, row: row, sqlite: true)));
            """
        }
        try await sql.raw("CREATE TRIGGER reports_days_insert AFTER INSERT ON reports BEGIN\n\(unsafeRaw: add("NEW."))\nEND").run()
        try await sql.raw("CREATE TRIGGER reports_days_delete AFTER DELETE ON reports BEGIN\n\(unsafeRaw: remove("OLD."))\nEND").run()
        try await sql.raw("""
            CREATE TRIGGER reports_days_update
            AFTER UPDATE OF account_id, submitter_account_id, status, denial_reason, created_at ON reports BEGIN
            \(unsafeRaw: remove("OLD."))
            \(unsafeRaw: add("NEW."))
            END
            """).run()
    }

    /// PostgreSQL counts once per statement, as the tallies (M011): each day's net change of the
    /// statement's rows, keys in order, nothing written where it nets to zero.
    private static func postgresTriggers(on sql: any SQLDatabase) async throws {
        let events: [(event: String, tables: [(name: String, sign: String)])] = [
            ("insert", [("new_rows", "1")]), ("delete", [("old_rows", "-1")]), ("update", [("old_rows", "-1"), ("new_rows", "1")]),
        ]
        for (event, tables) in events {
            let changes = tables.map { table in
                "SELECT account_id, side, day, \(table.sign) AS delta FROM (\(days(of: table.name, sqlite: false))) AS listed"
            }.joined(separator: " UNION ALL ")
            try await sql.raw("""
                CREATE FUNCTION count_report_days_\(unsafeRaw: event)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO report_days (account_id, side, day, report_count)
                    SELECT account_id, side, day, SUM(delta) FROM (\(unsafeRaw: changes)) AS changes
                    GROUP BY account_id, side, day HAVING SUM(delta) <> 0 ORDER BY account_id, side, day
                    ON CONFLICT (account_id, side, day) DO UPDATE SET report_count = report_days.report_count + EXCLUDED.report_count;
                  RETURN NULL;
                END $$
                """).run()
            let references = tables.map { ($0.name == "new_rows" ? "NEW" : "OLD") + " TABLE AS " + $0.name }.joined(separator: " ")
            try await sql.raw("""
                CREATE TRIGGER count_report_days_\(unsafeRaw: event) AFTER \(unsafeRaw: event.uppercased()) ON reports
                REFERENCING \(unsafeRaw: references) FOR EACH STATEMENT EXECUTE FUNCTION count_report_days_\(unsafeRaw: event)()
                """).run()
        }
    }
}
