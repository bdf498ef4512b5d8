import Foundation
import Testing
@testable import AbuseDeskCore

@Suite struct ReportValidatorTests {
    private func with(_ changes: [String: JSONValue?], base: JSONObject = Fixtures.ipReport) -> JSONObject {
        var report = base
        for (key, value) in changes { report[key] = value }
        return report
    }

    private func expectProblem(_ changes: [String: JSONValue?], path: String, code: ValidationProblem.Code,
                               containing text: String? = nil, base: JSONObject = Fixtures.ipReport,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        let problems = Fixtures.problems(with(changes, base: base))
        let match = problems.first { $0.path == path && $0.code == code }
        #expect(match != nil, "expected \(code) at \(path); got \(problems)", sourceLocation: sourceLocation)
        if let text, let match {
            #expect(match.message.contains(text), "\(match.message)", sourceLocation: sourceLocation)
        }
    }

    private func expectValid(_ changes: [String: JSONValue?], base: JSONObject = Fixtures.ipReport,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let problems = Fixtures.problems(with(changes, base: base))
        #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
    }

    // MARK: The three examples of the seed

    @Test func seedExample1PhishingEmailTestSubmissionIsValidAndFilesNothing() throws {
        let report = with(["incidentType": "Social Engineering", "attackMethod": "Phishing Email", "testSubmission": true])
        let draft = try Fixtures.validate(report).get()
        #expect(draft.isTest)
        #expect(draft.classification.reportType == .phishing)
    }

    @Test func seedExample2PhishingWebsiteUnderIPAddressNamesTheValidMethods() {
        let problems = Fixtures.problems(with(["incidentType": "Social Engineering", "attackMethod": "Phishing Website", "testSubmission": true]))
        #expect(problems.map(\.path) == ["attackMethod"])
        #expect(problems.first?.message == "\"Phishing Website\" is not an attack method of IP Address / Social Engineering; valid attack methods are \"Phishing Email\" or \"Business Email Compromise\".")
    }

    @Test func seedExample3MalformedDateFailsOnDate() {
        let problems = Fixtures.problems(with(["date": "01/15/2026"]))
        #expect(problems.map(\.path) == ["date"])
        #expect(problems.first?.code == .format)
    }

    // MARK: Every problem at once

    @Test func reportsEveryProblemAtOnce() {
        let report: JSONObject = [
            "reporterName": "", "reporterEmail": "not-an-address", "threatType": "IP Address",
            "incidentType": "Spam", "attackMethod": "Flooding", "date": "2021-02-30", "time": "25:00",
            "timeZone": "+15:00", "reportNotes": "x", "sourceIp": "10.0.0.1", "tlp": "AMBER", "reportername": "x",
        ]
        let paths = Set(Fixtures.problems(report).map(\.path))
        #expect(paths == ["reporterName", "reporterEmail", "attackMethod", "date", "time", "timeZone", "sourceIp", "tlp", "reportername"])
    }

    @Test func aBodyThatIsNotAnObject() {
        let result = Fixtures.validator.validate(.array([]), context: .init(channel: .reportAPI, now: Fixtures.now))
        guard case .failure(let failure) = result else { Issue.record("expected failure"); return }
        #expect(failure.problems.map(\.path) == ["body"])
    }

    // MARK: Reporter

    @Test func reporterName() {
        expectProblem(["reporterName": nil], path: "reporterName", code: .required)
        expectProblem(["reporterName": "   "], path: "reporterName", code: .required)
        expectProblem(["reporterName": .string(String(repeating: "a", count: 201))], path: "reporterName", code: .length, containing: "at most 200")
        expectProblem(["reporterName": .number(5)], path: "reporterName", code: .type, containing: "got a number")
        expectProblem(["reporterName": "Jane\u{0}Doe"], path: "reporterName", code: .format)
        expectValid(["reporterName": .string(" " + String(repeating: "a", count: 200) + " ")])
    }

    @Test func reporterEmail() {
        expectProblem(["reporterEmail": nil], path: "reporterEmail", code: .required)
        expectProblem(["reporterEmail": "jane@"], path: "reporterEmail", code: .format, containing: "name@example.com")
        expectProblem(["reporterEmail": .string(String(repeating: "a", count: 250) + "@example.org")], path: "reporterEmail", code: .length)
        expectValid(["reporterEmail": "Jane.Doe+abuse@Example.org"])
    }

    @Test func reporterPhoneAndOrganisation() {
        expectProblem(["reporterPhone": .string(String(repeating: "1", count: 33))], path: "reporterPhone", code: .length)
        expectProblem(["reporterOrg": .string(String(repeating: "o", count: 201))], path: "reporterOrg", code: .length)
        expectValid(["reporterPhone": "+1 (555) 010-0199", "reporterOrg": "Example CERT"])
        expectValid(["reporterPhone": "030 1234567 ext. 12"])
        // QA finding 15: a phone number of "<script>" was accepted.
        for phone in ["<script>", "call me", "12", "+1 555 0100 x1a"] {
            expectProblem(["reporterPhone": .string(phone)], path: "reporterPhone", code: .format)
        }
    }

    /// QA finding 15: a name of only a right-to-left override showed as nothing, or as a reversed neighbour.
    @Test func namesMustShowSomething() {
        for invisible in ["\u{202E}", "\u{200B}\u{200B}", "\u{3164}", "\u{FEFF}", "\u{2800}"] {
            expectProblem(["reporterName": .string(invisible)], path: "reporterName", code: .format)
        }
        expectValid(["reporterName": "\u{202E}Franklin"])
        expectValid(["reporterName": "李小龙"])
        expectValid(["reporterPhone": "", "reporterOrg": .null])
    }

    // MARK: Classification

    @Test func threatType() {
        expectProblem(["threatType": nil], path: "threatType", code: .required)
        expectProblem(["threatType": "Domain"], path: "threatType", code: .notAllowed, containing: "\"IP Address\" or \"URL\"")
    }

    @Test func incidentType() {
        expectProblem(["incidentType": nil], path: "incidentType", code: .required)
        expectProblem(["incidentType": "Phishing"], path: "incidentType", code: .notAllowed, containing: "\"Denial of Service\"")
        expectValid(["incidentType": "Spam", "attackMethod": nil])
    }

    @Test func attackMethod() {
        expectProblem(["attackMethod": nil], path: "attackMethod", code: .required, containing: "\"Brute Force\"")
        expectProblem(["incidentType": "Spam", "attackMethod": "Flooding"], path: "attackMethod", code: .notAllowed, containing: "has no attack methods")
        expectProblem(["attackMethod": "Flooding"], path: "attackMethod", code: .notAllowed, containing: "valid attack methods are")
        expectValid(["incidentType": "Denial of Service", "attackMethod": "Reflection Attack"])
        expectValid(["incidentType": "Spam", "attackMethod": ""])
    }

    @Test func responsibleAIIsForThePortalOnly() {
        let report = with(["incidentType": "Responsible AI", "attackMethod": nil], base: Fixtures.urlReport)
        let problems = Fixtures.problems(report)
        #expect(problems.map(\.path) == ["incidentType"])
        #expect(problems.first?.message.contains("/report/abuse") == true)
        #expect(Fixtures.problems(report, channel: .portal).isEmpty)
    }

    @Test func eachIncidentTypeMapsToItsReportType() throws {
        let urlMalware = try Fixtures.validate(with(["incidentType": "Malware", "attackMethod": "Malware Hosting"], base: Fixtures.urlReport)).get()
        #expect(urlMalware.classification.reportType == .general)
        let dos = try Fixtures.validate(with(["incidentType": "Denial of Service", "attackMethod": "Flooding"])).get()
        #expect(dos.classification.reportType == .network)
    }

    // MARK: Date and time

    @Test func date() {
        expectProblem(["date": nil], path: "date", code: .required)
        expectProblem(["date": "2021-02-30"], path: "date", code: .format, containing: "does not exist")
        expectProblem(["date": "2021/02/01"], path: "date", code: .format, containing: "YYYY-MM-DD")
        expectValid(["date": "2024-02-29"])
    }

    @Test func time() {
        expectProblem(["time": nil], path: "time", code: .required)
        expectProblem(["time": "24:00:00"], path: "time", code: .format)
        expectValid(["time": "23:59"])
    }

    @Test func timeZone() {
        expectProblem(["timeZone": nil], path: "timeZone", code: .required)
        expectProblem(["timeZone": "+14:30"], path: "timeZone", code: .range, containing: "-12:00 to +14:00")
        expectProblem(["timeZone": "EST"], path: "timeZone", code: .format)
        expectValid(["timeZone": "Z"])
        expectValid(["timeZone": "-05:00"])
    }

    @Test func notMoreThanADayInTheFuture() {
        // Fixtures.now is 2026-11-23T12:00:00Z.
        expectProblem(["date": "2026-11-24", "time": "12:00:01"], path: "date", code: .range, containing: "more than 24 hours in the future")
        expectValid(["date": "2026-11-24", "time": "12:00:00"])
        expectValid(["date": "2026-11-24", "time": "20:00:00", "timeZone": "+09:00"])
    }

    // MARK: Notes

    @Test func reportNotes() {
        expectProblem(["reportNotes": nil], path: "reportNotes", code: .required)
        expectProblem(["reportNotes": .string(String(repeating: "n", count: 10_001))], path: "reportNotes", code: .length)
        expectValid(["reportNotes": "Line one\nLine two\twith a tab"])
        expectProblem(["reportNotes": "bell\u{7}"], path: "reportNotes", code: .format)
    }

    // MARK: Addresses and URLs

    @Test func sourceIpIsRequiredForIPAddressReports() {
        expectProblem(["sourceIp": nil], path: "sourceIp", code: .required, containing: "ipAddressList")
        expectValid(["sourceIp": nil, "ipAddressList": [["sourceIp": "198.51.100.4"]]])
    }

    @Test func sourceIp() {
        expectProblem(["sourceIp": "300.1.1.1"], path: "sourceIp", code: .format, containing: "IPv4 or IPv6")
        expectProblem(["sourceIp": "192.168.0.10"], path: "sourceIp", code: .notAllowed, containing: "a private address (192.168.0.0/16)")
        expectProblem(["sourceIp": "::1"], path: "sourceIp", code: .notAllowed, containing: "loopback")
        expectValid(["sourceIp": "2606:4700:4700::1111"])
    }

    @Test func ports() {
        expectProblem(["sourcePort": "0"], path: "sourcePort", code: .format, containing: "1 to 65535")
        expectProblem(["destinationPort": "65536"], path: "destinationPort", code: .format)
        expectProblem(["sourcePort": .number(22)], path: "sourcePort", code: .type)
        expectValid(["sourcePort": "51234", "destinationPort": "22"])
    }

    @Test func destinationIp() {
        expectProblem(["destinationIp": "1.2.3"], path: "destinationIp", code: .format)
        expectValid(["destinationIp": "198.51.100.20"])
    }

    @Test func partsOfAnAddressNeedTheSourceIp() {
        expectProblem(["sourceIp": nil, "sourcePort": "22", "ipAddressList": [["sourceIp": "198.51.100.4"]]], path: "sourcePort", code: .required)
    }

    @Test func sourceUrlIsRequiredForURLReports() {
        expectProblem(["sourceUrl": nil], path: "sourceUrl", code: .required, containing: "urlList", base: Fixtures.urlReport)
        expectValid(["sourceUrl": nil, "urlList": [["sourceUrl": "https://a.example.net/"]]], base: Fixtures.urlReport)
    }

    @Test func urls() {
        expectProblem(["sourceUrl": "login.example.com"], path: "sourceUrl", code: .format, containing: "http:// or https://", base: Fixtures.urlReport)
        expectProblem(["sourceUrl": "https:///nohost"], path: "sourceUrl", code: .format, containing: "has no host", base: Fixtures.urlReport)
        expectProblem(["destinationUrl": "mailto:x@example.org"], path: "destinationUrl", code: .format, base: Fixtures.urlReport)
        expectProblem(["sourceUrl": .string("https://example.com/" + String(repeating: "p", count: 2048))], path: "sourceUrl", code: .format,
                      containing: "at most 2048", base: Fixtures.urlReport)
        expectValid(["destinationUrl": "https://evil.example.net/collect"], base: Fixtures.urlReport)
    }

    @Test func ipAddressList() {
        expectProblem(["ipAddressList": "203.0.113.1"], path: "ipAddressList", code: .type)
        expectProblem(["ipAddressList": [["sourceIp": "203.0.113.1"], ["sourceIp": "10.1.1.1"]]], path: "ipAddressList[1].sourceIp", code: .notAllowed)
        expectProblem(["ipAddressList": [["sourcePort": "22"]]], path: "ipAddressList[0].sourceIp", code: .required)
        expectProblem(["ipAddressList": [["sourceIp": "203.0.113.1", "tlp": "red"]]], path: "ipAddressList[0].tlp", code: .unknownProperty)
        expectProblem(["ipAddressList": ["203.0.113.1"]], path: "ipAddressList[0]", code: .type)
        let tooMany = JSONValue.array(Array(repeating: ["sourceIp": "203.0.113.1"], count: 1001))
        expectProblem(["ipAddressList": tooMany], path: "ipAddressList", code: .tooMany, containing: "at most 1000")
        let most = JSONValue.array((0..<1000).map { ["sourceIp": .string("198.51.100.\($0 % 250 + 1)"), "destinationPort": "443"] })
        expectValid(["ipAddressList": most])
    }

    @Test func urlList() {
        expectProblem(["urlList": [["sourceUrl": "https://ok.example.com/"], ["sourceUrl": "nope"]]], path: "urlList[1].sourceUrl", code: .format, base: Fixtures.urlReport)
        expectProblem(["urlList": [["destinationUrl": "https://ok.example.com/"]]], path: "urlList[0].sourceUrl", code: .required, base: Fixtures.urlReport)
        expectValid(["urlList": [["sourceUrl": "https://a.example.com/", "destinationUrl": "https://b.example.net/"]]], base: Fixtures.urlReport)
    }

    @Test func targetsAreCollectedAndDeduplicated() throws {
        let draft = try Fixtures.validate(with(["sourcePort": "4444", "ipAddressList": [["sourceIp": "203.0.113.9", "sourcePort": "4444"], ["sourceIp": "2001:db8::5"]],
                                                "sourceUrl": "https://x.example.com/"])).get()
        #expect(draft.targets.count == 3)
        #expect(draft.targets.compactMap(\.hostName).map(\.value) == ["x.example.com"])
    }

    // MARK: Other properties

    @Test func severity() {
        expectProblem(["severity": "Critical"], path: "severity", code: .notAllowed, containing: "\"High\", \"Medium\" or \"Low\"")
        expectValid(["severity": "high"])
    }

    @Test func booleans() {
        expectProblem(["anonymizeReport": "true"], path: "anonymizeReport", code: .type, containing: "not a string")
        expectProblem(["testSubmission": .number(1)], path: "testSubmission", code: .type)
        expectValid(["anonymizeReport": true, "testSubmission": false])
    }

    @Test func attachments() {
        let id = Identifier.make()
        let report = with(["attachmentIds": [.string(id), .string(id), "unknown"]])
        let result = Fixtures.validate(report, attachments: [id])
        guard case .failure(let failure) = result else { Issue.record("expected failure"); return }
        #expect(failure.problems.map(\.path) == ["attachmentIds[1]", "attachmentIds[2]"])
        #expect(failure.problems.map(\.code) == [.duplicate, .notFound])
        #expect(throws: Never.self) { try Fixtures.validate(with(["attachmentIds": [.string(id)]]), attachments: [id]).get() }
        expectProblem(["attachmentIds": .array(Array(repeating: "a", count: 11))], path: "attachmentIds", code: .tooMany)
        expectProblem(["attachmentIds": "abc"], path: "attachmentIds", code: .type)
    }

    @Test func unknownAndRemovedProperties() {
        expectProblem(["tlp": "GREEN"], path: "tlp", code: .removedProperty, containing: "Traffic Light Protocol")
        expectProblem(["threatSubType": "DOS"], path: "threatSubType", code: .removedProperty, containing: "incidentType and attackMethod")
        expectProblem(["sourceip": "203.0.113.1"], path: "sourceip", code: .unknownProperty, containing: "did you mean \"sourceIp\"")
        expectProblem(["colour": "red"], path: "colour", code: .unknownProperty, containing: "/report/developer")
    }

    @Test func theDraftCarriesTheNormalisedValues() throws {
        let draft = try Fixtures.validate(with(["reporterName": "  Jane Doe ", "severity": "low", "anonymizeReport": true, "sourceIp": "::ffff:203.0.113.9"])).get()
        #expect(draft.reporter.name == "Jane Doe")
        #expect(draft.severity == .low)
        #expect(draft.anonymize)
        #expect(draft.targets.first?.ipAddress?.description == "203.0.113.9")
        #expect(draft.incident.instant == Date(timeIntervalSince1970: 1_795_168_800))
    }
}
