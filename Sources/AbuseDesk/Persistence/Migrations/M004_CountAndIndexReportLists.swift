import Fluent
import SQLKit

/// How many reports each account has per side (routed to it, or submitted by it), status, denial reason
/// and type, kept by the database itself as reports are written, so that a list's `total_count` is a sum
/// over a few rows instead of a count over every report of a large account.
///
/// `denial_reason` is `''` when the report has none (a key column cannot be NULL), so the status
/// conditions the report lists use — written with `COALESCE(denial_reason, '')` — read both tables alike.
///
/// The lists' indexes grow to hold what a page is chosen by — time, then id for ties, then status,
/// denial reason and type — so that a page deep into a large account skips reports in the index alone.
struct M004_CountAndIndexReportLists: AsyncMigration {
    static let key = "account_id, side, status, denial_reason, report_type"
    static let listings = [("reports_account_listing", "reports_account_created", "account_id"),
                           ("reports_submitter_listing", "reports_submitter_created", "submitter_account_id")]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.raw("""
            CREATE TABLE report_tallies (
              account_id TEXT NOT NULL, side TEXT NOT NULL, status TEXT NOT NULL, denial_reason TEXT NOT NULL,
              report_type TEXT NOT NULL, report_count BIGINT NOT NULL,
              PRIMARY KEY (\(unsafeRaw: Self.key)))
            """).run()
        if sql.dialect.name == "sqlite" {
            try await Self.sqliteTriggers(on: sql)
        } else {
            try await Self.postgresTriggers(on: sql)
        }
        for (index, replaced, column) in Self.listings {
            try await sql.drop(index: replaced).run()
            try await sql.create(index: index).on("reports")
                .column(column).column("created_at").column("id").column("status").column("denial_reason").column("report_type").run()
        }
        for (side, column) in [("routed", "account_id"), ("submitted", "submitter_account_id")] {
            try await sql.raw("""
                INSERT INTO report_tallies (\(unsafeRaw: Self.key), report_count)
                SELECT \(unsafeRaw: column), '\(unsafeRaw: side)', status, COALESCE(denial_reason, ''), report_type, COUNT(*)
                FROM reports WHERE \(unsafeRaw: column) IS NOT NULL
                GROUP BY \(unsafeRaw: column), status, COALESCE(denial_reason, ''), report_type
                """).run()
        }
    }

    /// One statement per side and direction: add the new row's key, take away the old one's.
    private static func sqliteTriggers(on sql: any SQLDatabase) async throws {
        func add(_ row: String, _ side: String, _ column: String) -> String {
            """
              INSERT INTO report_tallies (\(key), report_count)
              SELECT \(row).\(column), '\(side)', \(row).status, COALESCE(\(row).denial_reason, ''), \(row).report_type, 1
              WHERE \(row).\(column) IS NOT NULL
              ON CONFLICT (\(key)) DO UPDATE SET report_count = report_count + 1;
            """
        }
        func remove(_ row: String, _ side: String, _ column: String) -> String {
            """
              UPDATE report_tallies SET report_count = report_count - 1
              WHERE account_id = \(row).\(column) AND side = '\(side)' AND status = \(row).status
                AND denial_reason = COALESCE(\(row).denial_reason, '') AND report_type = \(row).report_type;
            """
        }
        let sides = [("routed", "account_id"), ("submitted", "submitter_account_id")]
        let adds = sides.map { add("NEW", $0.0, $0.1) }.joined(separator: "\n")
        let removes = sides.map { remove("OLD", $0.0, $0.1) }.joined(separator: "\n")
        try await sql.raw("CREATE TRIGGER reports_tally_insert AFTER INSERT ON reports BEGIN\n\(unsafeRaw: adds)\nEND").run()
        try await sql.raw("CREATE TRIGGER reports_tally_delete AFTER DELETE ON reports BEGIN\n\(unsafeRaw: removes)\nEND").run()
        try await sql.raw("""
            CREATE TRIGGER reports_tally_update
            AFTER UPDATE OF account_id, submitter_account_id, status, denial_reason, report_type ON reports BEGIN
            \(unsafeRaw: removes)
            \(unsafeRaw: adds)
            END
            """).run()
    }

    static func postgresTriggers(on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE FUNCTION tally_report(row_value reports, delta BIGINT) RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
              IF row_value.account_id IS NOT NULL THEN
                INSERT INTO report_tallies (\(unsafeRaw: key), report_count)
                VALUES (row_value.account_id, 'routed', row_value.status, COALESCE(row_value.denial_reason, ''), row_value.report_type, delta)
                ON CONFLICT (\(unsafeRaw: key)) DO UPDATE SET report_count = report_tallies.report_count + delta;
              END IF;
              IF row_value.submitter_account_id IS NOT NULL THEN
                INSERT INTO report_tallies (\(unsafeRaw: key), report_count)
                VALUES (row_value.submitter_account_id, 'submitted', row_value.status, COALESCE(row_value.denial_reason, ''),
                        row_value.report_type, delta)
                ON CONFLICT (\(unsafeRaw: key)) DO UPDATE SET report_count = report_tallies.report_count + delta;
              END IF;
            END $$
            """).run()
        try await sql.raw("""
            CREATE FUNCTION tally_reports() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM tally_report(OLD, -1); END IF;
              IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM tally_report(NEW, 1); END IF;
              RETURN NULL;
            END $$
            """).run()
        try await sql.raw("""
            CREATE TRIGGER reports_tally
            AFTER INSERT OR DELETE OR UPDATE OF account_id, submitter_account_id, status, denial_reason, report_type ON reports
            FOR EACH ROW EXECUTE FUNCTION tally_reports()
            """).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        if sql.dialect.name == "sqlite" {
            for trigger in ["reports_tally_insert", "reports_tally_delete", "reports_tally_update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: trigger)").run()
            }
        } else {
            try await sql.raw("DROP FUNCTION IF EXISTS tally_reports() CASCADE").run()
            try await sql.raw("DROP FUNCTION IF EXISTS tally_report(reports, BIGINT)").run()
        }
        try await sql.raw("DROP TABLE report_tallies").run()
        for (index, replaced, column) in Self.listings {
            try await sql.drop(index: index).run()
            try await sql.create(index: replaced).on("reports").column(column).column("created_at").run()
        }
    }
}
