import Fluent
import SQLKit

/// The operators' queue at a million reports: an index for every sort it offers (each ending in the id,
/// which breaks ties, so a page is read from the index in order and never sorted), and a full-text index
/// of the words in each report's id, reporter, notes, domain and reported URLs and addresses.
///
/// The text indexed is the same on both stores: every run of characters that is not a letter or a digit
/// separates words, so `shop.example.com` is the three words `shop example com` and a search for
/// `example.com` finds it as a phrase. The database keeps the index itself, on insert and on any change
/// of the indexed columns.
///
/// - SQLite: an FTS5 table without content of its own (the words only, not a second copy of the text),
///   and `report_search_rows`, which gives each report the integer the FTS5 index knows it by. Those
///   integers rise in the order reports are filed, so the index reads newest first without sorting.
/// - PostgreSQL: `report_search` holds each report's `tsvector`, with a GIN index.
struct M010_SearchAndSortTheQueue: AsyncMigration {
    /// The queue's sort indexes: name, and the expression each sorts by (`QueueReader.sortExpression`).
    static let sortIndexes: [(name: String, expression: String)] = [
        ("reports_queue_created", "created_at"),
        ("reports_queue_updated", "updated_at"),
        ("reports_queue_type", "report_type"),
        ("reports_queue_domain", "(COALESCE(domain, ''))"),
        ("reports_queue_status", "(\(QueueReader.statusRank))"),
        ("reports_queue_severity", "(\(QueueReader.severityRank))"),
    ]

    /// The Accounts API's lists sorted by domain, per side.
    static let domainListings = [("reports_account_domain", "account_id"), ("reports_submitter_domain", "submitter_account_id")]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        // The queue reads a status along the time index (most reports are in a few statuses, so a page is
        // found within a few hundred rows); an index of status then time would tempt the planner into
        // reading every report of a common status and sorting them.
        try await sql.drop(index: "reports_created").run()
        try await sql.drop(index: "reports_status_created").run()
        for index in Self.sortIndexes {
            try await sql.raw("CREATE INDEX \(unsafeRaw: index.name) ON reports (\(unsafeRaw: index.expression), id)").run()
        }
        for (name, owner) in Self.domainListings {
            try await sql.create(index: name).on("reports").column(owner).column("domain").column("id").run()
        }
        if sql.dialect.name == "sqlite" {
            try await Self.sqliteSearch(on: sql)
            // The planner weighs indexes by their statistics; a new index without any can look better than
            // the right one (a customer's newest reports read through the domain index and sorted). A
            // sample of each index is enough, and takes moments at any size.
            try await sql.raw("PRAGMA analysis_limit = 2000").run()
            try await sql.raw("ANALYZE").run()
        } else {
            try await Self.postgresSearch(on: sql)
            try await sql.raw("ANALYZE reports").run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        if sql.dialect.name == "sqlite" {
            for trigger in ["reports_search_insert", "reports_search_update", "reports_search_delete"] {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: trigger)").run()
            }
            try await sql.raw("DROP TABLE IF EXISTS report_search").run()
            try await sql.raw("DROP TABLE IF EXISTS report_search_rows").run()
        } else {
            try await sql.raw("DROP FUNCTION IF EXISTS search_report() CASCADE").run()
            try await sql.raw("DROP TABLE IF EXISTS report_search").run()
            try await sql.raw("DROP INDEX IF EXISTS report_targets_host_bytes").run()
            try await sql.raw("DROP INDEX IF EXISTS report_targets_ip_bytes").run()
        }
        for index in Self.sortIndexes.map(\.name) + Self.domainListings.map(\.0) {
            try await sql.drop(index: index).run()
        }
        try await sql.create(index: "reports_created").on("reports").column("created_at").run()
        try await sql.create(index: "reports_status_created").on("reports").column("status").column("created_at").run()
    }

    /// The text of report `row` (`NEW`, `OLD` or a table alias) that search finds words in.
    private static func sqliteText(of row: String) -> String {
        """
        \(row).id || ' ' || \(row).reporter_name || ' ' || \(row).reporter_email || ' ' || \(row).notes || ' ' || COALESCE(\(row).domain, '')
          || ' ' || COALESCE((SELECT group_concat(json_extract(value, '$.source'), ' ') FROM json_each(\(row).targets)), '')
        """
    }

    private static func sqliteSearch(on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE TABLE report_search_rows (
              id INTEGER PRIMARY KEY, report_id TEXT NOT NULL UNIQUE REFERENCES reports (id) ON DELETE CASCADE)
            """).run()
        // unicode61 splits words at every character that is not a letter or a digit, folds case and accents.
        try await sql.raw("""
            CREATE VIRTUAL TABLE report_search USING fts5(body, content = '', tokenize = 'unicode61 remove_diacritics 2')
            """).run()
        try await sql.raw("INSERT INTO report_search_rows (report_id) SELECT id FROM reports ORDER BY created_at, id").run()
        try await sql.raw("""
            INSERT INTO report_search (rowid, body)
            SELECT m.id, \(unsafeRaw: sqliteText(of: "r")) FROM report_search_rows m JOIN reports r ON r.id = m.report_id
            """).run()
        try await sql.raw("""
            CREATE TRIGGER reports_search_insert AFTER INSERT ON reports BEGIN
              INSERT INTO report_search_rows (report_id) VALUES (NEW.id);
              INSERT INTO report_search (rowid, body) VALUES (last_insert_rowid(), \(unsafeRaw: sqliteText(of: "NEW")));
            END
            """).run()
        // A table without content forgets a row's words only when told them again, as they were.
        let forget = """
            INSERT INTO report_search (report_search, rowid, body)
              SELECT 'delete', m.id, \(sqliteText(of: "OLD")) FROM report_search_rows m WHERE m.report_id = OLD.id;
            """
        try await sql.raw("""
            CREATE TRIGGER reports_search_update AFTER UPDATE OF id, reporter_name, reporter_email, notes, domain, targets ON reports BEGIN
              \(unsafeRaw: forget)
              UPDATE report_search_rows SET report_id = NEW.id WHERE report_id = OLD.id;
              INSERT INTO report_search (rowid, body)
                SELECT m.id, \(unsafeRaw: sqliteText(of: "NEW")) FROM report_search_rows m WHERE m.report_id = NEW.id;
            END
            """).run()
        try await sql.raw("""
            CREATE TRIGGER reports_search_delete BEFORE DELETE ON reports BEGIN
              \(unsafeRaw: forget)
            END
            """).run()
    }

    /// The same text on PostgreSQL, every run of other characters made one space (as unicode61 splits it).
    static func postgresText(of row: String) -> String {
        """
        regexp_replace(\(row).id || ' ' || \(row).reporter_name || ' ' || \(row).reporter_email || ' ' || \(row).notes || ' ' || COALESCE(\(row).domain, '')
          || ' ' || COALESCE((SELECT string_agg(t.value->>'source', ' ') FROM jsonb_array_elements(\(row).targets::jsonb) AS t(value)), ''),
          '[^[:alnum:]]+', ' ', 'g')
        """
    }

    private static func postgresSearch(on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE TABLE report_search (
              report_id TEXT PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE ON UPDATE CASCADE, document tsvector NOT NULL)
            """).run()
        try await sql.raw("""
            CREATE FUNCTION search_report() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO report_search (report_id, document) VALUES (NEW.id, to_tsvector('simple', \(unsafeRaw: postgresText(of: "NEW"))))
              ON CONFLICT (report_id) DO UPDATE SET document = EXCLUDED.document;
              RETURN NULL;
            END $$
            """).run()
        try await sql.raw("""
            CREATE TRIGGER reports_search AFTER INSERT OR UPDATE OF reporter_name, reporter_email, notes, domain, targets ON reports
            FOR EACH ROW EXECUTE FUNCTION search_report()
            """).run()
        // The reports stored before: the same text, one statement.
        try await sql.raw("""
            INSERT INTO report_search (report_id, document)
            SELECT r.id, to_tsvector('simple', \(unsafeRaw: postgresText(of: "r"))) FROM reports r
            """).run()
        try await sql.raw("CREATE INDEX report_search_document ON report_search USING GIN (document)").run()
        // Domain and block filters compare byte by byte (`TargetMatch`); these indexes serve those ranges
        // whatever collation the database was created with.
        try await sql.raw("CREATE INDEX report_targets_host_bytes ON report_targets (host_reversed COLLATE \"C\")").run()
        try await sql.raw("CREATE INDEX report_targets_ip_bytes ON report_targets (ip_key COLLATE \"C\")").run()
        try await sql.raw("ANALYZE report_search").run()
    }
}
