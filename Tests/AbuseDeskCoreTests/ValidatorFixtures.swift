import Foundation
@testable import AbuseDeskCore

enum Fixtures {
    static let taxonomy: Taxonomy = {
        do { return try Taxonomy.load() } catch { preconditionFailure("taxonomy.json: \(error)") }
    }()
    static let validator = ReportValidator(taxonomy: taxonomy)
    /// 2026-11-23T12:00:00Z
    static let now = Date(timeIntervalSince1970: 1_795_435_200)

    /// A valid IP Address report; tests change one thing at a time.
    static var ipReport: JSONObject {
        [
            "reporterName": "Jane Doe",
            "reporterEmail": "jane@example.org",
            "threatType": "IP Address",
            "incidentType": "Account Compromise/Unauthorized Access",
            "attackMethod": "Brute Force",
            "date": "2026-11-20",
            "time": "10:00:00",
            "timeZone": "+0000",
            "reportNotes": "SSH brute force from this address.",
            "sourceIp": "203.0.113.9",
        ]
    }

    static var urlReport: JSONObject {
        var report = ipReport
        report["threatType"] = "URL"
        report["incidentType"] = "Social Engineering"
        report["attackMethod"] = "Phishing Website"
        report["sourceIp"] = nil
        report["sourceUrl"] = "https://login.example.com/secure"
        return report
    }

    static func validate(_ report: JSONObject, channel: IntakeChannel = .reportAPI, attachments: Set<String> = []) -> Result<ReportDraft, ValidationFailure> {
        validator.validate(.object(report), context: .init(channel: channel, now: now, availableAttachmentIDs: attachments))
    }

    static func problems(_ report: JSONObject, channel: IntakeChannel = .reportAPI) -> [ValidationProblem] {
        if case .failure(let failure) = validate(report, channel: channel) { return failure.problems }
        return []
    }
}
