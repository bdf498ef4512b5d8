import AbuseDeskCore
import Fluent
import Foundation
import Logging
import SQLKit

/// Uploaded files: their records and their bytes (`attachment_contents`) in the store, written in one
/// transaction that commits before the upload is answered, so an answered upload survives a crash and
/// every process on the store can read it (SPEC 10).
///
/// Earlier versions kept the bytes in files under `<data>/attachments/`: those are moved into the store
/// when the service starts (``moveFilesIntoStore(on:logger:)``), and read from there until then.
struct AttachmentStore: Sendable {
    /// Uploads no report refers to are deleted after this long.
    static let unclaimedLifetime: TimeInterval = 24 * 3600

    /// Where earlier versions kept the files.
    let directory: String

    struct Stored: Sendable, Equatable {
        var id: String
        var name: String
        var size: Int
        var sha256: String
        var mediaType: String
    }

    func path(for id: String) -> String {
        directory + "/" + id
    }

    /// How much of an address's hourly quota its unclaimed uploads of the last hour use, and when the
    /// oldest of them stops counting.
    func unclaimedUse(by address: String, now: Date, on database: any Database) async throws -> (bytes: Int, freedAt: Date?) {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        // SUM of a bigint is a numeric on PostgreSQL: cast back to a whole number for both stores.
        let row = try await sql.raw("""
            SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes, MIN(created_at) AS oldest FROM attachments
            WHERE uploaded_by = \(bind: address) AND report_id IS NULL AND created_at > \(bind: now.addingTimeInterval(-3600))
            """).first()
        let oldest = try row?.decode(column: "oldest", as: Date?.self)
        return (try row?.decode(column: "bytes", as: Int.self) ?? 0, oldest.map { $0.addingTimeInterval(3600) })
    }

    /// Stores a file whose kind was already recognised.
    func store(name: String, bytes: [UInt8], kind: AttachmentKind, uploadedBy: String? = nil, now: Date,
               on database: any Database) async throws -> Stored {
        let id = Identifier.make(at: now)
        let digest = sha256Hex(bytes)
        let model = AttachmentModel(id: id, name: name, size: Int64(bytes.count), sha256: digest, mediaType: kind.mediaType, createdAt: now)
        model.uploadedBy = uploadedBy
        try await database.transaction { database in
            try await model.create(on: database)
            try await Self.insertContents(of: id, bytes: Data(bytes), on: database)
        }
        return Stored(id: id, name: name, size: bytes.count, sha256: digest, mediaType: kind.mediaType)
    }

    private static func insertContents(of id: String, bytes: Data, on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.insert(into: "attachment_contents").columns("attachment_id", "bytes").values(SQLBind(id), SQLBind(bytes)).run()
    }

    /// The bytes of an attachment, from the store (or from a file an earlier version wrote and this
    /// process has not moved yet); nil when neither holds them.
    func contents(of id: String, on database: any Database) async throws -> [UInt8]? {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        if let row = try await sql.raw("SELECT bytes FROM attachment_contents WHERE attachment_id = \(bind: id)").first() {
            return Array(try row.decode(column: "bytes", as: Data.self))
        }
        return FileManager.default.contents(atPath: path(for: id)).map(Array.init)
    }

    /// Moves the files an earlier version kept under the data directory into the store, each in a
    /// transaction of its own and removed only once committed; answers how many. A file without a record
    /// (its upload failed half way) is removed.
    @discardableResult
    func moveFilesIntoStore(on database: any Database, logger: Logger) async throws -> Int {
        guard let sql = database as? any SQLDatabase,
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        var moved = 0
        for id in names where Identifier.isWellFormed(id) {
            guard let bytes = FileManager.default.contents(atPath: path(for: id)) else { continue }
            let stored = try await sql.raw("SELECT a.id, c.attachment_id AS held FROM attachments a LEFT JOIN attachment_contents c ON c.attachment_id = a.id WHERE a.id = \(bind: id)").first()
            if let stored, try stored.decode(column: "held", as: String?.self) == nil {
                try await database.transaction { database in try await Self.insertContents(of: id, bytes: bytes, on: database) }
                moved += 1
            }
            try FileManager.default.removeItem(atPath: path(for: id))
        }
        if moved > 0 { logger.info("Moved uploaded files into the store", metadata: ["files": "\(moved)"]) }
        return moved
    }

    /// Of `ids`, those that exist, are not too old and belong to no report yet.
    func available(_ ids: [String], now: Date, on database: any Database) async throws -> Set<String> {
        let wellFormed = ids.filter { Identifier.isWellFormed($0) }
        guard !wellFormed.isEmpty else { return [] }
        let rows = try await AttachmentModel.query(on: database)
            .filter(\.$id ~~ wellFormed)
            .filter(\.$reportID == nil)
            .filter(\.$createdAt > now.addingTimeInterval(-Self.unclaimedLifetime))
            .all()
        return Set(rows.compactMap(\.id))
    }

    /// Deletes uploads that no report claimed in time, with their bytes; answers how many. Each goes in
    /// one statement pair that finds nothing the second time, so processes running this together delete
    /// each upload once.
    @discardableResult
    func expireUnclaimed(now: Date, on database: any Database) async throws -> Int {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let cutoff = now.addingTimeInterval(-Self.unclaimedLifetime)
        let expired = try await sql.raw("""
            SELECT id FROM attachments WHERE report_id IS NULL AND created_at <= \(bind: cutoff) ORDER BY created_at LIMIT 1000
            """).all().map { try $0.decode(column: "id", as: String.self) }
        guard !expired.isEmpty else { return 0 }
        try await database.transaction { database in
            guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
            try await sql.raw("DELETE FROM attachment_contents WHERE attachment_id IN (\(binds: expired)) AND attachment_id IN (SELECT id FROM attachments WHERE report_id IS NULL)").run()
            try await sql.raw("DELETE FROM attachments WHERE id IN (\(binds: expired)) AND report_id IS NULL").run()
        }
        for id in expired { try? FileManager.default.removeItem(atPath: path(for: id)) }
        return expired.count
    }
}
