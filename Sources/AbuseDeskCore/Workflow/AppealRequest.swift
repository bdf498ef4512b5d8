/// A customer's request for review, in one of its two forms.
public enum AppealRequest: Sendable, Equatable {
    /// Named mitigations, each with its reason and, if the customer wrote one, why in their words.
    case listed([(id: String, reason: AppealReason, comments: String?)])
    /// Every appealable mitigation of the report, for one reason with supporting data (a counter-notice,
    /// or a note that the content was removed).
    case whole(reason: AppealReason, details: JSONObject)

    public static func == (lhs: AppealRequest, rhs: AppealRequest) -> Bool {
        switch (lhs, rhs) {
        case (.listed(let a), .listed(let b)): a.map(\.id) == b.map(\.id) && a.map(\.reason) == b.map(\.reason) && a.map(\.comments) == b.map(\.comments)
        case (.whole(let a, let x), .whole(let b, let y)): a == b && x == y
        default: false
        }
    }

    public var reasons: [AppealReason] {
        switch self {
        case .listed(let items): items.map(\.reason)
        case .whole(let reason, _): [reason]
        }
    }

    static let counterNoticeRequired = ["city", "country", "email", "full_name", "jurisdiction_consent", "perjury_attestation",
                                        "phone_number", "signature", "state", "street_address", "urls", "zip_code"]
    static let counterNoticeOptional = ["company", "counter_notice_response"]
    static let maximumListed = 100

    /// Reads either `{"appeals": [{"id", "reason", "comments"?}]}` or `{"type", "data"}`, naming every problem.
    public static func parse(_ body: JSONValue) -> Result<AppealRequest, ValidationFailure> {
        var check = FieldChecker()
        guard case .object(let object) = body else {
            check.problem("", .type, "The body must be a JSON object with either \"appeals\" or \"type\" and \"data\"; got \(body.typeName).")
            return .failure(ValidationFailure(check.problems))
        }
        check.rejectUnknown(in: object, allowed: ["appeals", "type", "data"], removed: [:], path: "")
        let hasList = !object["appeals"].isAbsent
        let hasType = !object["type"].isAbsent
        switch (hasList, hasType) {
        case (true, true):
            check.problem("type", .notAllowed, "Send either \"appeals\" (mitigations by id) or \"type\" with \"data\" (every mitigation of the report), not both.")
        case (false, false):
            check.problem("appeals", .required, "Required: \"appeals\", a list of {\"id\", \"reason\"}, or \"type\" (\"counter_notice\" or \"content_removed\") with \"data\".")
        case (true, false):
            if !object["data"].isAbsent {
                check.problem("data", .notAllowed, "\"data\" goes with \"type\"; with \"appeals\" leave it out.")
            }
            let items = check.list(object, "appeals", maximum: maximumListed)
            if case .array(let raw)? = object["appeals"], raw.isEmpty {
                check.problem("appeals", .length, "Must name at least one mitigation.")
            }
            var listed: [(id: String, reason: AppealReason, comments: String?)] = []
            var seen = Set<String>()
            for (index, item) in items.enumerated() {
                let path = "appeals[\(index)]."
                guard case .object(let entry) = item else {
                    check.problem("appeals[\(index)]", .type, "Must be an object {\"id\", \"reason\", \"comments\"?}; got \(item.typeName).")
                    continue
                }
                check.rejectUnknown(in: entry, allowed: ["id", "reason", "comments"], removed: [:], path: path)
                let id = check.string(entry, "id", path: path, required: "the id of a mitigation of this report", length: 1...64)
                let reason = check.choice(entry, "reason", ["removed", "misclassified"], path: path,
                                          required: "\"removed\" (the content is gone) or \"misclassified\" (the report was wrong)")
                    .flatMap(AppealReason.init(rawValue:))
                let comments = check.string(entry, "comments", path: path, length: 1...2000, multiline: true)
                if let id, !seen.insert(id).inserted {
                    check.problem(path + "id", .duplicate, "Mitigation \(quoted(id)) is listed twice; list it once.")
                } else if let id, let reason {
                    listed.append((id, reason, comments))
                }
            }
            if check.problems.isEmpty { return .success(.listed(listed)) }
        case (false, true):
            var reason: AppealReason?
            if let text = check.choice(object, "type", ["counter_notice", "content_removed"]) {
                reason = AppealReason(rawValue: text)
            }
            var details = JSONObject()
            switch object["data"] {
            case .object(let data)?:
                if reason == .counterNotice {
                    details = counterNotice(data, check: &check)
                } else if reason == .contentRemoved {
                    check.rejectUnknown(in: data, allowed: ["urls", "comments"], removed: [:], path: "data.")
                    if let comments = check.string(data, "comments", path: "data.", length: 1...2000, multiline: true) {
                        details["comments"] = .string(comments)
                    }
                    let urls = urlList(data, check: &check, required: false)
                    if !urls.isEmpty { details["urls"] = .array(urls.map(JSONValue.string)) }
                }
            case .none, .null?:
                if reason == .counterNotice {
                    check.problem("data", .required, "Required with a counter-notice: \(quotedList(counterNoticeRequired)).")
                }
            case let other?:
                check.problem("data", .type, "Must be an object; got \(other.typeName).")
            }
            if check.problems.isEmpty, let reason { return .success(.whole(reason: reason, details: details)) }
        }
        return .failure(ValidationFailure(check.problems))
    }

    /// The counter-notice's declaration: who objects, where they live, what they swear to.
    static func counterNotice(_ data: JSONObject, check: inout FieldChecker) -> JSONObject {
        let path = "data."
        var details = JSONObject()
        check.rejectUnknown(in: data, allowed: counterNoticeRequired + counterNoticeOptional, removed: [:], path: path)
        for (key, maximum, what) in [("full_name", 255, "your full name"), ("street_address", 255, "your street address"),
                                     ("city", 255, "your city"), ("state", 255, "your state or region"), ("zip_code", 20, "your postal code"),
                                     ("country", 255, "your country"),
                                     ("company", 255, ""), ("counter_notice_response", 5000, "")] {
            let requirement = what.isEmpty ? nil : what
            if let value = check.string(data, key, path: path, required: requirement, length: 1...maximum, multiline: key == "counter_notice_response") {
                details[key] = .string(value)
            }
        }
        if let phone = check.phone(data, "phone_number", path: path, required: "a telephone number", length: 1...32) {
            details["phone_number"] = .string(phone)
        }
        if let email = check.email(data, "email", path: path) { details["email"] = .string(email.value) }
        let signature = check.string(data, "signature", path: path, required: "your full name as your signature", length: 1...255)
        if let signature, let name = details["full_name"]?.stringValue, signature != name {
            check.problem(path + "signature", .mismatch, "Must be your full name exactly as given in full_name (\(quoted(name))); got \(quoted(signature)).")
        } else if let signature {
            details["signature"] = .string(signature)
        }
        for (key, what) in [("jurisdiction_consent", "you consent to the jurisdiction of the court for your address"),
                            ("perjury_attestation", "you swear, under penalty of perjury, that the material was removed by mistake")] {
            switch data[key] {
            case .bool(true)?: details[key] = true
            case .none, .null?: check.problem(path + key, .required, "Required: true, to state that \(what).")
            case let other?: check.problem(path + key, .notAllowed, "Must be true, to state that \(what); got \(other.serialized()).")
            }
        }
        let urls = urlList(data, check: &check, required: true)
        if !urls.isEmpty { details["urls"] = .array(urls.map(JSONValue.string)) }
        return details
    }

    static func urlList(_ data: JSONObject, check: inout FieldChecker, required: Bool) -> [String] {
        let path = "data.urls"
        switch data["urls"] {
        case .none, .null?:
            if required { check.problem(path, .required, "Required: the URLs of the material, as a list.") }
            return []
        case .array(let items)? where !items.isEmpty && items.count <= SubmissionValidator.maximumURLs:
            var urls: [String] = []
            for (index, item) in items.enumerated() {
                guard let text = item.stringValue, let url = ReportedURL(text.trimmingWhitespace()) else {
                    check.problem("\(path)[\(index)]", .format, "Must be an absolute http or https URL such as https://example.com/page; got \(item.serialized()).")
                    continue
                }
                urls.append(url.text)
            }
            return urls
        case .array?:
            check.problem(path, .length, "Must list from 1 to \(SubmissionValidator.maximumURLs) URLs.")
            return []
        case let other?:
            check.problem(path, .type, "Must be a list of URLs; got \(other.typeName).")
            return []
        }
    }
}
