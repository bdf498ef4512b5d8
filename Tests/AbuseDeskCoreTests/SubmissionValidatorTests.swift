import Foundation
import Testing
@testable import AbuseDeskCore

/// A valid body of each type; each test changes one thing.
enum Submissions {
    static let common: JSONObject = [
        "name": "Pat Reporter", "email": "pat@example.org", "email2": "pat@example.org",
        "urls": "https://shop.example.com/fake-login\nhttps://shop.example.com/fake-pay",
    ]

    static func valid(_ act: SubmissionAct) -> JSONObject {
        var body = common
        body["act"] = .string(act.rawValue)
        let specific: JSONObject = switch act {
        case .dmca:
            ["address1": "1 Main Street", "agent_name": "Rights Agent", "agree": 1, "city": "Springfield", "state": "IL",
             "country": "US", "original_work": "Photo series 'Harbour'", "signature": "Pat Reporter",
             "host_notification": "send", "owner_notification": "send"]
        case .trademark:
            ["justification": "The shop sells counterfeits under our mark.", "trademark_number": "123456",
             "trademark_office": "USPTO", "trademark_symbol": "EXAMPLE", "host_notification": "send", "owner_notification": "send"]
        case .general:
            ["justification": "Spam campaign landing page.", "source_ips": "203.0.113.5\n203.0.113.6", "ports_protocols": "80/tcp, 443/TCP",
             "host_notification": "send-anon", "owner_notification": "send"]
        case .phishing:
            ["justification": "A copy of our bank's sign-in page.", "original_work": "Example Bank",
             "host_notification": "send", "owner_notification": "send-anon"]
        case .children:
            ["justification": "Material on these pages.", "host_notification": "send-anon", "owner_notification": "none",
             "ncmec_notification": "send"]
        case .threat:
            ["justification": "A post threatening a named person.", "host_notification": "send", "owner_notification": "send"]
        case .registrarWhois:
            ["owner_notification": "none", "reg_who_request": [
                "reg_who_request_type": "disclosure", "reg_who_requested_data_elements": ["registrant_email", "registrant_name"],
                "reg_who_legal_basis": "Trademark enforcement.", "reg_who_good_faith_affirmation": true,
                "reg_who_lawful_processing_agreement": true, "reg_who_requestor_type": "corporation"]]
        case .ncsei:
            ["ncsei_subject_representation": true, "host_notification": "send", "owner_notification": "send-anon"]
        }
        for (key, value) in specific { body[key] = value }
        return body
    }

    static func problems(_ body: JSONObject, _ act: SubmissionAct) -> [ValidationProblem] {
        if case .failure(let failure) = SubmissionValidator().validate(.object(body), act: act) { return failure.problems }
        return []
    }

    static func changed(_ act: SubmissionAct, _ changes: [String: JSONValue?]) -> JSONObject {
        var body = valid(act)
        for (key, value) in changes { body[key] = value }
        return body
    }
}

@Suite struct SubmissionValidatorTests {
    private func expectProblem(_ act: SubmissionAct, _ changes: [String: JSONValue?], field: String, code: ValidationProblem.Code,
                               containing text: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let problems = Submissions.problems(Submissions.changed(act, changes), act)
        let match = problems.first { $0.path == field && $0.code == code }
        #expect(match != nil, "expected \(code) at \(field); got \(problems)", sourceLocation: sourceLocation)
        if let text, let match { #expect(match.message.contains(text), "\(match.message)", sourceLocation: sourceLocation) }
    }

    @Test(arguments: SubmissionAct.allCases)
    func eachTypeAcceptsItsValidBody(act: SubmissionAct) throws {
        let result = SubmissionValidator().validate(.object(Submissions.valid(act)), act: act)
        let draft = try result.get()
        #expect(draft.act == act)
        #expect(draft.urls.map(\.text) == ["https://shop.example.com/fake-login", "https://shop.example.com/fake-pay"])
        #expect(draft.reporter == Reporter(name: "Pat Reporter", email: "pat@example.org"))
        #expect(act.reportType.rawValue == ["abuse_dmca": "DMCA", "abuse_trademark": "TM", "abuse_general": "GEN", "abuse_phishing": "PHISH",
                                            "abuse_children": "EMER", "abuse_threat": "THREAT", "abuse_registrar_whois": "REG_WHO",
                                            "abuse_ncsei": "NCSEI"][act.rawValue])
    }

    @Test(arguments: SubmissionAct.allCases)
    func everyRequiredFieldOfEachTypeIsNamedWhenMissing(act: SubmissionAct) {
        let required = ["act", "name", "email", "email2", "urls"] + act.notifications.map(\.field) + {
            switch act {
            case .dmca: ["address1", "agent_name", "agree", "city", "state", "country", "original_work", "signature"]
            case .trademark: ["justification", "trademark_number", "trademark_office", "trademark_symbol"]
            case .general, .phishing, .children, .threat: ["justification"]
            case .registrarWhois: []
            case .ncsei: ["ncsei_subject_representation"]
            }
        }()
        var body = Submissions.valid(act)
        for key in required { body[key] = nil }
        let problems = Submissions.problems(body, act)
        for key in required {
            #expect(problems.contains { $0.path == key && $0.code == .required }, "\(act): \(key) missing; got \(problems)")
        }
    }

    @Test func theCommonRules() {
        expectProblem(.threat, ["act": "abuse_dmca"], field: "act", code: .mismatch, containing: "\"abuse_threat\", the report type in the path")
        expectProblem(.threat, ["name": .string(String(repeating: "n", count: 256))], field: "name", code: .length, containing: "at most 255")
        expectProblem(.threat, ["email2": "other@example.org"], field: "email2", code: .mismatch)
        expectProblem(.threat, ["comments": .string(String(repeating: "c", count: 2001))], field: "comments", code: .length)
        expectProblem(.threat, ["company": .string(String(repeating: "c", count: 101))], field: "company", code: .length)
        expectProblem(.threat, ["tele": "+1 555 0100 0100 0100 00"], field: "tele", code: .length)
        expectProblem(.threat, ["reported_country": "Germany"], field: "reported_country", code: .length)
        expectProblem(.threat, ["reported_country": "D1"], field: "reported_country", code: .format, containing: "two-letter")
        expectProblem(.threat, ["colour": "red"], field: "colour", code: .unknownProperty)
        // A property of another type is not one of this type.
        expectProblem(.threat, ["trademark_number": "1"], field: "trademark_number", code: .unknownProperty)
    }

    @Test func theURLsAreOnOneHostUniqueAndAtMost250() {
        expectProblem(.threat, ["urls": "https://a.example.com/\nhttps://b.example.net/"], field: "urls", code: .mismatch, containing: "one host name")
        expectProblem(.threat, ["urls": "https://a.example.com/x\nhttps://a.example.com/x"], field: "urls", code: .duplicate, containing: "Line 2 repeats")
        expectProblem(.threat, ["urls": "https://a.example.com/\nnot a url"], field: "urls", code: .format, containing: "Line 2")
        let many = (0...250).map { "https://a.example.com/\($0)" }.joined(separator: "\n")
        expectProblem(.threat, ["urls": .string(many)], field: "urls", code: .tooMany, containing: "at most 250")
        let fine = (0..<250).map { "https://a.example.com/\($0)" }.joined(separator: "\n")
        #expect(Submissions.problems(Submissions.changed(.threat, ["urls": .string(fine)]), .threat).isEmpty)
    }

    @Test func notificationsAllowWhatTheTypeAllows() {
        expectProblem(.dmca, ["host_notification": "send-anon"], field: "host_notification", code: .notAllowed, containing: "\"send\"")
        expectProblem(.trademark, ["owner_notification": "none"], field: "owner_notification", code: .notAllowed)
        expectProblem(.phishing, ["owner_notification": "none"], field: "owner_notification", code: .notAllowed)
        expectProblem(.children, ["ncmec_notification": "none"], field: "ncmec_notification", code: .notAllowed)
        expectProblem(.registrarWhois, ["host_notification": "send"], field: "host_notification", code: .unknownProperty)
        #expect(Submissions.problems(Submissions.changed(.ncsei, ["owner_notification": "none"]), .ncsei).isEmpty)
    }

    @Test func theRulesOfEachType() {
        expectProblem(.dmca, ["agree": 0], field: "agree", code: .notAllowed)
        expectProblem(.dmca, ["signature": "Someone Else"], field: "signature", code: .mismatch, containing: "\"Pat Reporter\"")
        expectProblem(.dmca, ["agent_name": .string(String(repeating: "a", count: 61))], field: "agent_name", code: .length)
        expectProblem(.dmca, ["address1": .string(String(repeating: "a", count: 101))], field: "address1", code: .length)
        expectProblem(.trademark, ["trademark_symbol": .string(String(repeating: "a", count: 1001))], field: "trademark_symbol", code: .length)
        expectProblem(.phishing, ["justification": "Too short"], field: "justification", code: .length, containing: "at least 20")
        expectProblem(.general, ["justification": .string(String(repeating: "j", count: 5001))], field: "justification", code: .length)
        expectProblem(.general, ["source_ips": "203.0.113.5\nnot-an-ip"], field: "source_ips", code: .format, containing: "Line 2")
        expectProblem(.general, ["destination_ips": .string((1...31).map { "198.51.100.\($0)" }.joined(separator: "\n"))],
                      field: "destination_ips", code: .tooMany)
        expectProblem(.general, ["ports_protocols": "80/TCP, http"], field: "ports_protocols", code: .format, containing: "\"http\"")
        expectProblem(.general, ["ports_protocols": "80/TCP, 80/tcp"], field: "ports_protocols", code: .duplicate)
        expectProblem(.ncsei, ["ncsei_subject_representation": "yes"], field: "ncsei_subject_representation", code: .type)
    }

    @Test func theWhoisRequest() {
        let base = Submissions.valid(.registrarWhois)["reg_who_request"]?.objectValue ?? JSONObject()
        func with(_ changes: [String: JSONValue?]) -> [String: JSONValue?] {
            var request = base
            for (key, value) in changes { request[key] = value }
            return ["reg_who_request": .object(request)]
        }
        expectProblem(.registrarWhois, with(["reg_who_request_type": "everything"]), field: "reg_who_request.reg_who_request_type", code: .notAllowed)
        expectProblem(.registrarWhois, with(["reg_who_requested_data_elements": []]), field: "reg_who_request.reg_who_requested_data_elements", code: .length)
        expectProblem(.registrarWhois, with(["reg_who_requested_data_elements": ["registrant_shoe_size"]]),
                      field: "reg_who_request.reg_who_requested_data_elements[0]", code: .notAllowed)
        expectProblem(.registrarWhois, with(["reg_who_good_faith_affirmation": false]), field: "reg_who_request.reg_who_good_faith_affirmation", code: .notAllowed)
        expectProblem(.registrarWhois, with(["reg_who_lawful_processing_agreement": nil]), field: "reg_who_request.reg_who_lawful_processing_agreement", code: .required)
        expectProblem(.registrarWhois, with(["reg_who_legal_basis": nil]), field: "reg_who_request.reg_who_legal_basis", code: .required)
        expectProblem(.registrarWhois, with(["reg_who_requestor_type": "alien"]), field: "reg_who_request.reg_who_requestor_type", code: .notAllowed)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let problems = Submissions.problems(["act": "abuse_phishing", "email": "x@", "urls": "ftp://x.example/"], .phishing)
        let fields = Set(problems.map(\.path))
        #expect(fields.isSuperset(of: ["name", "email", "email2", "urls", "justification", "host_notification", "owner_notification"]), "\(fields)")
    }

    @Test func whoTheOwnerLearnsAboutAndTheDetailsKept() throws {
        let draft = try SubmissionValidator().validate(.object(Submissions.valid(.general)), act: .general).get()
        #expect(draft.hidesIdentityFromOwner == false)
        #expect(draft.details["source_ips"] == ["203.0.113.5", "203.0.113.6"])
        #expect(draft.details["ports_protocols"] == ["80/TCP", "443/TCP"])
        let anonymous = try SubmissionValidator().validate(.object(Submissions.valid(.phishing)), act: .phishing).get()
        #expect(anonymous.hidesIdentityFromOwner)
        #expect(anonymous.originalWork == "Example Bank")
    }
}
