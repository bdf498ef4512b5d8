import Fluent
import SQLKit

/// The lists beside the queue at a million reports, and tallies that a bulk load does not stall on.
///
/// - PostgreSQL keeps `report_tallies` (M004) once per statement instead of once per row: a trigger
///   reads the statement's inserted, deleted or changed reports as a table and adds each key's net
///   change once. Per row, loading a million reports in one transaction updated an account's one tally
///   row a million times, and each update walked the row's growing chain of versions. Keys are written
///   in order, so two statements changing the same tallies at once wait for each other, never deadlock.
///   (SQLite has one writer and no versions; its per-row triggers stay.)
/// - The mail page reads e-mails newest first, and the operators' navigation counts the troubled ones
///   (not sent, tried at least once): an index for each. The appeals page reads one status in filing
///   order.
/// - The queue's filters by threat and incident type get an index each, for their rare values; the
///   targets' host and address indexes carry the report's id.
/// - The Accounts API's lists sort by id, type and status too: an index of each per side (the submitted
///   side's only of reports an account submitted, the few). By domain, a report without one sorts as the
///   empty domain on both stores (PostgreSQL put it last, SQLite first), so a page can be sought from it.
struct M011_TallyByStatementAndListTheRest: AsyncMigration {
    /// Which transition tables each event's trigger reads, with the sign their rows count with.
    private static let events: [(event: String, tables: [(name: String, sign: String)])] = [
        ("INSERT", [("new_rows", "1")]),
        ("DELETE", [("old_rows", "-1")]),
        ("UPDATE", [("old_rows", "-1"), ("new_rows", "1")]),
    ]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        if sql.dialect.name != "sqlite" {
            try await sql.raw("DROP TRIGGER IF EXISTS reports_tally ON reports").run()
            try await sql.raw("DROP FUNCTION IF EXISTS tally_reports()").run()
            try await sql.raw("DROP FUNCTION IF EXISTS tally_report(reports, BIGINT)").run()
            for (event, tables) in Self.events {
                let name = "tally_reports_" + event.lowercased()
                try await sql.raw("""
                    CREATE FUNCTION \(unsafeRaw: name)() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      \(unsafeRaw: Self.applyChanges(from: tables))
                      RETURN NULL;
                    END $$
                    """).run()
                let references = tables.map { ($0.name == "new_rows" ? "NEW" : "OLD") + " TABLE AS " + $0.name }.joined(separator: " ")
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: name) AFTER \(unsafeRaw: event) ON reports
                    REFERENCING \(unsafeRaw: references) FOR EACH STATEMENT EXECUTE FUNCTION \(unsafeRaw: name)()
                    """).run()
            }
        }
        try await sql.drop(index: "outbox_messages_created").run()
        try await sql.create(index: "outbox_messages_listing").on("outbox_messages").column("created_at").column("id").run()
        try await sql.raw("""
            CREATE INDEX outbox_messages_troubled ON outbox_messages (created_at, id) WHERE sent_at IS NULL
            """).run()
        try await sql.create(index: "appeals_listing").on("appeals").column("status").column("created_at").column("id").run()
        for (name, _) in M010_SearchAndSortTheQueue.domainListings { try await sql.drop(index: name).run() }
        // The targets' indexes of hosts and addresses carry the report's id, so a filter reads the reports
        // a range names from the index alone (not a row of `report_targets` each).
        for (name, column, bytes) in Self.targetIndexes {
            try await sql.drop(index: name).run()
            try await sql.create(index: name).on("report_targets").column(column).column("report_id").run()
            if sql.dialect.name != "sqlite" {
                try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: bytes)").run()
                try await sql.raw("CREATE INDEX \(unsafeRaw: bytes) ON report_targets (\(unsafeRaw: column) COLLATE \"C\", report_id)").run()
            }
        }
        for (name, column) in Self.queueFilters {
            try await sql.create(index: name).on("reports").column(column).column("id").run()
        }
        for index in Self.accountListSorts {
            try await sql.raw("CREATE INDEX \(unsafeRaw: index.name) ON reports (\(unsafeRaw: index.columns))\(unsafeRaw: index.only)").run()
        }
    }

    /// The targets' indexes of hosts and addresses (M001), and PostgreSQL's byte-order twins (M010).
    static let targetIndexes = [("report_targets_host_reversed", "host_reversed", "report_targets_host_bytes"),
                                ("report_targets_ip_key", "ip_key", "report_targets_ip_bytes")]

    /// The queue's filters on a column of few values that no sort's index leads with (M010 has status
    /// and type): a rare value's reports are counted and read from them (`QueueReader.columnFilter`).
    static let queueFilters = [("reports_queue_threat", "threat_type"), ("reports_queue_incident", "incident_type")]

    /// The Accounts API's sorts besides time (M004), per side: name, columns, and which reports.
    static var accountListSorts: [(name: String, columns: String, only: String)] {
        [("account", "account_id", "", ReportReader.Side.customer), ("submitter", "submitter_account_id", " WHERE submitter_account_id IS NOT NULL", .submitter)]
            .flatMap { side, owner, only, readerSide in
                [("reports_\(side)_id", "\(owner), id", only),
                 ("reports_\(side)_domain_key", "\(owner), (COALESCE(domain, '')), id", only),
                 ("reports_\(side)_type", "\(owner), report_type, id", only),
                 ("reports_\(side)_status", "\(owner), (\(ReportReader.statusRank(readerSide))), id", only)]
            }
    }

    /// One upsert of every key's net change, keys in order, nothing written where the change nets to zero
    /// (an update of a report's notes).
    private static func applyChanges(from tables: [(name: String, sign: String)]) -> String {
        let changes = tables.flatMap { table in
            [("account_id", "routed"), ("submitter_account_id", "submitted")].map { column, side in
                """
                SELECT \(column) AS account_id, '\(side)' AS side, status, COALESCE(denial_reason, '') AS denial_reason, report_type, \
                \(table.sign) AS delta FROM \(table.name) WHERE \(column) IS NOT NULL
                """
            }
        }.joined(separator: "\n  UNION ALL ")
        return """
            INSERT INTO report_tallies (\(M004_CountAndIndexReportLists.key), report_count)
              SELECT account_id, side, status, denial_reason, report_type, SUM(delta) FROM (\(changes)) AS changes
              GROUP BY account_id, side, status, denial_reason, report_type HAVING SUM(delta) <> 0
              ORDER BY account_id, side, status, denial_reason, report_type
              ON CONFLICT (\(M004_CountAndIndexReportLists.key)) DO UPDATE SET report_count = report_tallies.report_count + EXCLUDED.report_count;
            """
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        for index in Self.accountListSorts.map(\.name) + Self.queueFilters.map(\.0) { try await sql.drop(index: index).run() }
        for (name, column, bytes) in Self.targetIndexes {
            try await sql.drop(index: name).run()
            try await sql.create(index: name).on("report_targets").column(column).run()
            if sql.dialect.name != "sqlite" {
                try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: bytes)").run()
                try await sql.raw("CREATE INDEX \(unsafeRaw: bytes) ON report_targets (\(unsafeRaw: column) COLLATE \"C\")").run()
            }
        }
        for (name, owner) in M010_SearchAndSortTheQueue.domainListings {
            try await sql.create(index: name).on("reports").column(owner).column("domain").column("id").run()
        }
        try await sql.drop(index: "appeals_listing").run()
        try await sql.drop(index: "outbox_messages_troubled").run()
        try await sql.drop(index: "outbox_messages_listing").run()
        try await sql.create(index: "outbox_messages_created").on("outbox_messages").column("created_at").run()
        if sql.dialect.name != "sqlite" {
            for (event, _) in Self.events {
                try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: "tally_reports_" + event.lowercased())() CASCADE").run()
            }
            try await M004_CountAndIndexReportLists.postgresTriggers(on: sql)
        }
    }
}
