import AbuseDeskCore
import Fluent
import Foundation
import SQLKit

/// Uploaded files: contents on disk under `<data>/attachments/`, their records in the database.
///
/// A file is written, flushed to disk and moved into place before its record is committed, and the
/// record is committed before the upload is answered: an answered upload survives a crash.
struct AttachmentStore: Sendable {
    /// Uploads no report refers to are deleted after this long.
    static let unclaimedLifetime: TimeInterval = 24 * 3600

    let directory: String

    struct Stored: Sendable, Equatable {
        var id: String
        var name: String
        var size: Int
        var sha256: String
        var mediaType: String
    }

    func prepare() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
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
        try DurableFile.write(bytes, to: path(for: id))
        let model = AttachmentModel(id: id, name: name, size: Int64(bytes.count), sha256: digest, mediaType: kind.mediaType, createdAt: now)
        model.uploadedBy = uploadedBy
        do {
            try await model.create(on: database)
        } catch {
            try? FileManager.default.removeItem(atPath: path(for: id))
            throw error
        }
        return Stored(id: id, name: name, size: bytes.count, sha256: digest, mediaType: kind.mediaType)
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

    /// Deletes uploads that no report claimed in time; answers how many.
    @discardableResult
    func expireUnclaimed(now: Date, on database: any Database) async throws -> Int {
        let expired = try await AttachmentModel.query(on: database)
            .filter(\.$reportID == nil)
            .filter(\.$createdAt <= now.addingTimeInterval(-Self.unclaimedLifetime))
            .all()
        for attachment in expired {
            guard let id = attachment.id else { continue }
            // The record goes first: a file without a record is harmless, the reverse is not.
            try await attachment.delete(on: database)
            try? FileManager.default.removeItem(atPath: path(for: id))
        }
        return expired.count
    }
}

/// Writes files so that they are on disk, not only in the page cache, when the call returns.
enum DurableFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".partial"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw POSIXFailure(operation: "open", path: temporary) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress.map { $0 + written }, bytes.count - written)
            }
            guard result > 0 else {
                close(descriptor)
                throw POSIXFailure(operation: "write", path: temporary)
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            close(descriptor)
            throw POSIXFailure(operation: "fsync", path: temporary)
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else { throw POSIXFailure(operation: "rename", path: path) }
        let directory = (path as NSString).deletingLastPathComponent
        let directoryDescriptor = open(directory, O_RDONLY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}

struct POSIXFailure: Error, CustomStringConvertible {
    let operation: String
    let path: String
    let code = errno

    var description: String { "\(operation) \(path) failed: \(String(cString: strerror(code)))" }
}
