import Fluent
import SQLKit

/// PostgreSQL's search index carries each report's filing time (`report_search.filed_at`), as its
/// targets do (M012): the reports a rare word finds are counted, put in filing order and ranked from
/// the rows the search reads anyway, and only a page's reports are read (``QueueReader``'s words alone).
/// Before, every match was looked up in `reports` twice — once to be counted, once for its filing time
/// to be sorted by — where `shop42.example.com` names 200 reports for a page of fifty.
///
/// The table is rebuilt, not updated in place: an update writes every row again, and with it every word
/// of every report into the GIN index. Writes to the reports wait while it is (their triggers write
/// here). SQLite's full-text index is in filing order already (M010).
struct M024_SearchMatchesCarryTheirFilingTime: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await rebuild(database, filed: true)
    }

    func revert(on database: any Database) async throws {
        try await rebuild(database, filed: false)
    }

    private func rebuild(_ database: any Database, filed: Bool) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        guard sql.dialect.name != "sqlite" else { return }
        let analyzed = try await sql.count("""
            SELECT COUNT(*) AS n FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'report_search'
            """) > 0
        try await database.transaction { transaction in
            guard let sql = transaction as? any SQLDatabase else { throw StoreError.notSQL }
            try await sql.raw("LOCK TABLE reports IN SHARE ROW EXCLUSIVE MODE").run()
            if filed {
                try await sql.raw("""
                    CREATE TABLE report_search_rebuilt AS SELECT s.report_id, r.created_at AS filed_at, s.document
                    FROM report_search s JOIN reports r ON r.id = s.report_id
                    """).run()
                try await sql.raw("ALTER TABLE report_search_rebuilt ALTER COLUMN filed_at SET NOT NULL").run()
            } else {
                try await sql.raw("CREATE TABLE report_search_rebuilt AS SELECT report_id, document FROM report_search").run()
            }
            try await sql.raw("ALTER TABLE report_search_rebuilt ALTER COLUMN report_id SET NOT NULL, ALTER COLUMN document SET NOT NULL").run()
            try await sql.raw("DROP TABLE report_search").run()
            try await sql.raw("ALTER TABLE report_search_rebuilt RENAME TO report_search").run()
            try await sql.raw("""
                ALTER TABLE report_search ADD CONSTRAINT report_search_pkey PRIMARY KEY (report_id),
                  ADD CONSTRAINT report_search_report_id_fkey FOREIGN KEY (report_id) REFERENCES reports (id) ON DELETE CASCADE ON UPDATE CASCADE
                """).run()
            try await sql.raw("CREATE INDEX report_search_document ON report_search USING GIN (document)").run()
            try await Self.searchReports(on: sql, filed: filed)
        }
        if analyzed { try await sql.raw("ANALYZE report_search").run() }
    }

    /// The trigger that writes a report's words (M010), with or without its filing time, which it writes
    /// again if that ever changes.
    static func searchReports(on sql: any SQLDatabase, filed: Bool) async throws {
        let text = M010_SearchAndSortTheQueue.postgresText(of: "NEW")
        let insert = filed
            ? """
              INSERT INTO report_search (report_id, filed_at, document) VALUES (NEW.id, NEW.created_at, to_tsvector('simple', \(text)))
              ON CONFLICT (report_id) DO UPDATE SET filed_at = EXCLUDED.filed_at, document = EXCLUDED.document;
              """
            : """
              INSERT INTO report_search (report_id, document) VALUES (NEW.id, to_tsvector('simple', \(text)))
              ON CONFLICT (report_id) DO UPDATE SET document = EXCLUDED.document;
              """
        try await sql.raw("""
            CREATE OR REPLACE FUNCTION search_report() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
            \(unsafeRaw: insert)
              RETURN NULL;
            END $$
            """).run()
        let columns = "reporter_name, reporter_email, notes, domain, targets" + (filed ? ", created_at" : "")
        try await sql.raw("DROP TRIGGER IF EXISTS reports_search ON reports").run()
        try await sql.raw("""
            CREATE TRIGGER reports_search AFTER INSERT OR UPDATE OF \(unsafeRaw: columns) ON reports
            FOR EACH ROW EXECUTE FUNCTION search_report()
            """).run()
    }
}
