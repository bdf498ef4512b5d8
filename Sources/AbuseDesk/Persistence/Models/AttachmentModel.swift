import Fluent
import Foundation

/// An uploaded file, waiting for a report or belonging to one.
// See ReportModel for why this is @unchecked Sendable.
final class AttachmentModel: Model, @unchecked Sendable {
    static let schema = "attachments"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "size") var size: Int64
    @Field(key: "sha256") var sha256: String
    @Field(key: "media_type") var mediaType: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "report_id") var reportID: String?
    /// The client address the file was uploaded from, for its quota.
    @OptionalField(key: "uploaded_by") var uploadedBy: String?

    init() {}

    init(id: String, name: String, size: Int64, sha256: String, mediaType: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.mediaType = mediaType
        self.createdAt = createdAt
    }
}

extension AttachmentModel: StoredRecord {
    static let columns = keys.map(\.description)

    convenience init(row: any StoredRow) throws {
        self.init()
        id = try row.string("id")
        name = try row.string("name")
        size = Int64(try row.integer("size"))
        sha256 = try row.string("sha256")
        mediaType = try row.string("media_type")
        createdAt = try row.date("created_at")
        reportID = try row.optionalString("report_id")
        uploadedBy = try row.optionalString("uploaded_by")
        $id.exists = true
    }
}
