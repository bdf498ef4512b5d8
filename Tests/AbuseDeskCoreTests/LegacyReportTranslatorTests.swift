import Testing
@testable import AbuseDeskCore

@Suite struct LegacyReportTranslatorTests {
    let translator = LegacyReportTranslator(validator: Fixtures.validator)

    private func request(threats: [JSONValue], test: JSONValue = "false", disclose: JSONValue = "true") -> JSONValue {
        [
            "testSubmission": test,
            "reporterInfo": ["reporterEmail": "jane@example.org", "reporterName": "Jane Doe", "discloseEmail": disclose, "reporterNotes": "From our SOC."],
            "reports": [["report": ["batchID": "b-1", "reportNotes": "Seen in our logs.", "tlp": "AMBER", "threats": .array(threats)]]],
        ]
    }

    private func threat(_ type: String, _ subType: String, _ extra: JSONObject = [:]) -> JSONValue {
        var threat: JSONObject = ["threatType": .string(type), "threatSubType": .string(subType), "date": "2026-11-20", "time": "10:00:00", "timeZone": "Z"]
        if type == "activity" { threat["sourceIp"] = "203.0.113.9" } else { threat["sourceUrl"] = "https://phish.example.com/login" }
        for (key, value) in extra { threat[key] = value }
        return ["threat": .object(threat)]
    }

    private func validate(_ body: JSONValue) -> Result<LegacyReportTranslator.Submission, ValidationFailure> {
        translator.validate(body, context: .init(channel: .legacyAPI, now: Fixtures.now))
    }

    @Test(arguments: [
        ("activity", "DOS", "IP Address", "Denial of Service", "Flooding"),
        ("activity", "PORT_SCAN", "IP Address", "Network Scanning", "Port Scan"),
        ("activity", "WEB_CRAWL", "IP Address", "Network Scanning", "Web Crawling"),
        ("activity", "INTRUSION_ATTEMPT", "IP Address", "Account Compromise/Unauthorized Access", "Brute Force"),
        ("activity", "SPAM", "IP Address", "Spam", nil),
        ("activity", "CNC", "IP Address", "Malware", "Command and Control"),
        ("activity", "MALWARE", "IP Address", "Malware", "Malware Distribution"),
        ("content", "PHISHING", "URL", "Social Engineering", "Phishing Website"),
        ("content", "MALWARE", "URL", "Malware", "Malware Hosting"),
        ("content", "FRAUD", "URL", "Social Engineering", "Fraudulent Website"),
    ] as [(String, String, String, String, String?)])
    func mapsEverySubType(type: String, subType: String, threatType: String, incidentType: String, attackMethod: String?) throws {
        let submission = try validate(request(threats: [threat(type, subType)])).get()
        let classification = try #require(submission.drafts.first?.classification)
        #expect(classification.threatType == threatType)
        #expect(classification.incidentType == incidentType)
        #expect(classification.attackMethod == attackMethod)
    }

    @Test func filesEachThreatAndKeepsTheV1Details() throws {
        let submission = try validate(request(threats: [threat("activity", "DOS"), threat("content", "PHISHING")], disclose: "false")).get()
        #expect(submission.drafts.count == 2)
        #expect(!submission.isTest)
        let first = try #require(submission.drafts.first)
        #expect(first.anonymize)
        #expect(first.notes == "Seen in our logs.\n\nFrom our SOC.")
        #expect(first.details["tlp"] == "AMBER")
        #expect(first.details["batchID"] == "b-1")
    }

    @Test func booleansAsStrings() throws {
        #expect(try validate(request(threats: [threat("activity", "SPAM")], test: "true")).get().isTest)
        #expect(try validate(request(threats: [threat("activity", "SPAM")], test: true)).get().isTest)
        guard case .failure(let failure) = validate(request(threats: [threat("activity", "SPAM")], test: "yes")) else {
            Issue.record("expected failure"); return
        }
        #expect(failure.problems.map(\.path) == ["testSubmission"])
    }

    @Test func problemsUseTheV1Paths() {
        let bad = threat("activity", "DOS", ["sourceIp": "10.0.0.1", "date": "2021-02-30", "colour": "red"])
        let unknownSubType = threat("content", "SPAM")
        guard case .failure(let failure) = validate(request(threats: [bad, unknownSubType])) else { Issue.record("expected failure"); return }
        let paths = failure.problems.map(\.path)
        #expect(paths.contains("reports[0].report.threats[0].threat.colour"))
        #expect(paths.contains("reports[0].report.threats[0].threat.sourceIp"))
        #expect(paths.contains("reports[0].report.threats[0].threat.date"))
        #expect(paths.contains("reports[0].report.threats[1].threat.threatSubType"))
    }

    @Test func reporterProblemsAreReportedOnce() {
        var body = request(threats: [threat("activity", "DOS"), threat("activity", "SPAM")])
        if case .object(var top) = body, case .object(var info)? = top["reporterInfo"] {
            info["reporterEmail"] = "nope"
            top["reporterInfo"] = .object(info)
            body = .object(top)
        }
        guard case .failure(let failure) = validate(body) else { Issue.record("expected failure"); return }
        #expect(failure.problems.map(\.path) == ["reporterInfo.reporterEmail"])
    }

    @Test func anEmptyRequest() {
        guard case .failure(let failure) = validate(["reporterInfo": ["reporterName": "J"]]) else { Issue.record("expected failure"); return }
        #expect(failure.problems.map(\.path).contains("reports"))
    }
}
