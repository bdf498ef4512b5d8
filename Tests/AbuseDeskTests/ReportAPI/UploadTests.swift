import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

@Suite struct UploadTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]

    static func multipart(_ parts: [(name: String, filename: String?, bytes: [UInt8])], boundary: String = "XyZ123") -> ByteBuffer {
        var buffer = ByteBuffer()
        for part in parts {
            buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\"")
            if let filename = part.filename { buffer.writeString("; filename=\"\(filename)\"") }
            buffer.writeString("\r\nContent-Type: application/octet-stream\r\n\r\n")
            buffer.writeBytes(part.bytes)
            buffer.writeString("\r\n")
        }
        buffer.writeString("--\(boundary)--\r\n")
        return buffer
    }

    static func upload(_ app: Application, _ parts: [(name: String, filename: String?, bytes: [UInt8])]) async throws -> TestingHTTPResponse {
        var response: TestingHTTPResponse?
        try await app.testing().test(.POST, "/report/v2.0/file", headers: ["Content-Type": "multipart/form-data; boundary=XyZ123"],
                                     body: multipart(parts)) { response = $0 }
        return try #require(response)
    }

    @Test func storesAFileAndAReportClaimsIt() async throws {
        try await withTestApp { app in
            let response = try await Self.upload(app, [("file", "../../evidence.png", Self.png)])
            #expect(response.status == .ok)
            let item = try #require(try response.json.arrayValue?.first)
            let id = try #require(item["id"]?.stringValue)
            #expect(item["name"] == "evidence.png")
            #expect(item["size"] == .number(Double(Self.png.count)))
            #expect(item["sha256"]?.stringValue == sha256Hex(Self.png))
            #expect(try await app.abuseDesk.attachments.contents(of: id, on: app.db) == Self.png)
            #expect(!FileManager.default.fileExists(atPath: app.abuseDesk.attachments.path(for: id)), "kept in the store, not in a process's folder")
            #expect(try await AttachmentModel.find(id, on: app.db)?.mediaType == "image/png")

            let filed = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["attachmentIds": [.string(id)]]))
            #expect(filed.status == .ok)
            let reportID = try filed.json["reportId"]?.stringValue
            #expect(try await AttachmentModel.find(id, on: app.db)?.reportID == reportID)

            // An attachment belongs to one report.
            let again = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["attachmentIds": [.string(id)]]))
            #expect(again.status == .badRequest)
            #expect(try again.json["errors"]?["attachmentIds[0]"] != nil)
        }
    }

    @Test func contentsDecideNotTheName() async throws {
        try await withTestApp { app in
            let elf = try await Self.upload(app, [("file", "photo.png", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0])])
            #expect(elf.status == .unsupportedMediaType)
            #expect(try elf.json["code"] == "UnsupportedFileType")
            let text = try await Self.upload(app, [("file", "photo.png", Array("plain words".utf8))])
            #expect(text.status == .ok)
            let id = try #require(try text.json.arrayValue?.first?["id"]?.stringValue)
            #expect(try await AttachmentModel.find(id, on: app.db)?.mediaType == "text/plain")
        }
    }

    @Test func theFormOfTheUploadIsChecked() async throws {
        try await withTestApp { app in
            let noFile = try await Self.upload(app, [(name: "other", filename: String?.none, bytes: Array("x".utf8))])
            #expect(noFile.status == .badRequest)
            #expect(try Set(noFile.json["errors"]?.objectValue?.keys ?? []) == ["other", "file"])
            let two = try await Self.upload(app, [("file", "a.txt", Array("a".utf8)), ("file", "b.txt", Array("b".utf8))])
            #expect(two.status == .badRequest)
            let empty = try await Self.upload(app, [("file", "empty.txt", [])])
            #expect(empty.status == .badRequest)
            let json = try await app.send(.POST, "/report/v2.0/file", body: "{}")
            #expect(json.status == .unsupportedMediaType)
            let broken = try await app.send(.POST, "/report/v2.0/file", body: "not multipart", contentType: "multipart/form-data; boundary=XyZ123")
            #expect(broken.status == .badRequest)
            #expect(try await app.count("attachments") == 0)
        }
    }

    @Test func filesOverTenMebibytesAreRefused() async throws {
        try await withTestApp { app in
            let big = [UInt8](repeating: 0x41, count: 10 * 1024 * 1024 + 1)
            let response = try await app.sendLive(.POST, "/report/v2.0/file", headers: ["Content-Type": "multipart/form-data; boundary=XyZ123"],
                                                  body: Self.multipart([("file", "big.txt", big)]))
            #expect(response.status == .payloadTooLarge)
            #expect(try await app.count("attachments") == 0)
            let justFits = [UInt8](repeating: 0x41, count: 10 * 1024 * 1024)
            let ok = try await app.sendLive(.POST, "/report/v2.0/file", headers: ["Content-Type": "multipart/form-data; boundary=XyZ123"],
                                            body: Self.multipart([("file", "fits.txt", justFits)]))
            #expect(ok.status == .ok)
        }
    }

    @Test func unclaimedUploadsExpireAfterADay() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let old = try #require(try await Self.upload(app, [("file", "old.txt", Array("old".utf8))]).json.arrayValue?.first?["id"]?.stringValue)
            let claimed = try #require(try await Self.upload(app, [("file", "kept.txt", Array("kept".utf8))]).json.arrayValue?.first?["id"]?.stringValue)
            _ = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["attachmentIds": [.string(claimed)]]))
            clock.advance(by: 24 * 3600 + 1)

            let late = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["attachmentIds": [.string(old)], "date": "2026-11-24"]))
            #expect(late.status == .badRequest)

            _ = try await BackgroundWork.expireOld(services: app.abuseDesk, database: app.db)
            #expect(try await AttachmentModel.find(old, on: app.db) == nil)
            #expect(try await app.abuseDesk.attachments.contents(of: old, on: app.db) == nil)
            #expect(try await AttachmentModel.find(claimed, on: app.db) != nil)
            #expect(try await app.abuseDesk.attachments.contents(of: claimed, on: app.db) == Array("kept".utf8))
        }
    }
}
