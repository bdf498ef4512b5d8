/// A report an account submitted through the Accounts API, after validation.
public struct SubmissionDraft: Sendable {
    public var act: SubmissionAct
    public var reporter: Reporter
    /// The reported URLs, all on one host, in the submitter's order.
    public var urls: [ReportedURL]
    public var justification: String?
    public var originalWork: String?
    public var hostNotification: SubmissionAct.Notification?
    public var ownerNotification: SubmissionAct.Notification
    public var ncmecNotification: SubmissionAct.Notification?
    /// Every accepted field, normalised (lists as arrays), as the submitter's view of the report shows them.
    public var details: JSONObject

    /// The reported customer does not learn who reported unless the submitter chose `send`.
    public var hidesIdentityFromOwner: Bool { ownerNotification != .send }

    public var targets: [ReportTarget] { urls.map { ReportTarget(source: .url($0)) } }
}

/// Checks an Accounts API submission against the common rules and those of its type, collecting every
/// problem. Whether an account serves the URLs, and duplicates, need the store: the caller adds those.
public struct SubmissionValidator: Sendable {
    public static let maximumURLs = 250
    public static let maximumIPs = 30
    public static let maximumPortsProtocols = 30

    static let common = ["act", "name", "email", "email2", "urls", "comments", "company", "tele", "title",
                         "reported_country", "reported_user_agent"]

    /// The properties each type takes besides the common ones and its notification choices.
    static func specific(_ act: SubmissionAct) -> [String] {
        switch act {
        case .dmca: ["address1", "agent_name", "agree", "city", "state", "country", "original_work", "signature"]
        case .trademark: ["justification", "trademark_number", "trademark_office", "trademark_symbol"]
        case .general: ["justification", "source_ips", "destination_ips", "ports_protocols"]
        case .phishing: ["justification", "original_work"]
        case .children: ["justification", "country"]
        case .threat: ["justification"]
        case .registrarWhois: ["reg_who_request"]
        case .ncsei: ["ncsei_subject_representation", "country"]
        }
    }

    public static func properties(of act: SubmissionAct) -> [String] {
        common + act.notifications.map(\.field) + specific(act)
    }

    public init() {}

    public func validate(_ body: JSONValue, act: SubmissionAct) -> Result<SubmissionDraft, ValidationFailure> {
        guard case .object(let object) = body else {
            return .failure(ValidationFailure([ValidationProblem(path: "", code: .type,
                                                                 message: "The body must be a JSON object; got \(body.typeName).")]))
        }
        var check = FieldChecker()
        var details = JSONObject()
        check.rejectUnknown(in: object, allowed: Self.properties(of: act), removed: [:], path: "")

        switch object["act"] {
        case .string(let given)? where given == act.rawValue:
            break
        case .none, .null?:
            check.problem("act", .required, "Required: \(quoted(act.rawValue)), the report type in the path.")
        case let other?:
            check.problem("act", .mismatch, "Must be \(quoted(act.rawValue)), the report type in the path; got \(other.serialized()).")
        }

        // Who submits.
        let name = check.string(object, "name", required: "the submitter's full name", length: 1...255)
        let email = check.email(object, "email")
        let email2 = check.string(object, "email2", required: "the e-mail address again, to confirm it", length: 1...EmailAddress.maximumLength)
        if let email, let email2, EmailAddress(email2)?.value.lowercased() != email.value.lowercased() {
            check.problem("email2", .mismatch, "Must repeat the e-mail address exactly; \(quoted(email2)) differs from \(quoted(email.value)).")
        }
        let company = check.string(object, "company", length: 1...100)
        let tele = check.phone(object, "tele", length: 1...20)
        for (key, maximum) in [("title", 255), ("reported_user_agent", 255)] {
            if let value = check.string(object, key, length: 1...maximum) { details[key] = .string(value) }
        }
        if let comments = check.string(object, "comments", length: 1...2000, multiline: true) { details["comments"] = .string(comments) }
        if let country = check.string(object, "reported_country", length: 1...2) {
            if country.count == 2, country.allSatisfy({ $0.isASCII && $0.isLetter }) {
                details["reported_country"] = .string(country.uppercased())
            } else {
                check.problem("reported_country", .format, "Must be a two-letter country code such as \"DE\" or \"US\"; got \(quoted(country)).")
            }
        }

        let urls = Self.urls(object, check: &check)
        details["urls"] = .array(urls.map { .string($0.text) })

        // Whom to tell.
        var chosen: [String: SubmissionAct.Notification] = [:]
        for (field, allowed) in act.notifications {
            let options = allowed.map(\.rawValue)
            if let value = check.choice(object, field, options, required: "one of \(quotedList(options))"), let notification = SubmissionAct.Notification(rawValue: value) {
                chosen[field] = notification
                details[field] = .string(value)
            }
        }

        // The rules of the type.
        var justification: String?
        var originalWork: String?
        switch act {
        case .dmca:
            for (key, maximum, what) in [("address1", 100, "the street address of the rights holder or agent"),
                                         ("agent_name", 60, "the name of the authorised agent"),
                                         ("city", 255, "the city"), ("state", 255, "the state or region"),
                                         ("country", 255, "the country")] {
                if let value = check.string(object, key, required: what, length: 1...maximum) { details[key] = .string(value) }
            }
            originalWork = check.string(object, "original_work", required: "the copyrighted work that is infringed", length: 1...255)
            switch object["agree"] {
            case .number(1)?, .string("1")?, .bool(true)?:
                details["agree"] = .number(1)
            case .none, .null?:
                check.problem("agree", .required, "Required: 1, to declare that the notice is accurate and made in good faith.")
            case let other?:
                check.problem("agree", .notAllowed, "Must be 1, to declare that the notice is accurate and made in good faith; got \(other.serialized()).")
            }
            let signature = check.string(object, "signature", required: "your full name as your signature", length: 1...255)
            if let signature, let name, signature != name {
                check.problem("signature", .mismatch, "Must be your name exactly as given in name (\(quoted(name))); got \(quoted(signature)).")
            } else if let signature {
                details["signature"] = .string(signature)
            }
        case .trademark:
            justification = check.string(object, "justification", required: "why the use infringes the trademark", length: 1...5000, multiline: true)
            for key in ["trademark_number", "trademark_office", "trademark_symbol"] {
                if let value = check.string(object, key, required: "the registration's \(key.dropFirst("trademark_".count))", length: 1...1000) {
                    details[key] = .string(value)
                }
            }
        case .general:
            justification = check.string(object, "justification", required: "what the abuse is and how you know", length: 1...5000, multiline: true)
            for key in ["source_ips", "destination_ips"] {
                let addresses = Self.addresses(object, key, check: &check)
                if !addresses.isEmpty { details[key] = .array(addresses.map { .string($0.description) }) }
            }
            let ports = Self.portsProtocols(object, check: &check)
            if !ports.isEmpty { details["ports_protocols"] = .array(ports.map(JSONValue.string)) }
        case .phishing:
            justification = check.string(object, "justification", required: "how the page deceives, at least 20 characters", length: 20...5000, multiline: true)
            originalWork = check.string(object, "original_work", length: 1...255)
        case .children:
            justification = check.string(object, "justification", required: "what the material is and where it is", length: 1...5000, multiline: true)
            if let country = check.string(object, "country", length: 1...255) { details["country"] = .string(country) }
        case .threat:
            justification = check.string(object, "justification", required: "the threat and whom it is against", length: 1...5000, multiline: true)
        case .registrarWhois:
            if let request = Self.whoisRequest(object, check: &check) { details["reg_who_request"] = .object(request) }
        case .ncsei:
            switch object["ncsei_subject_representation"] {
            case .bool(let value)?: details["ncsei_subject_representation"] = .bool(value)
            case .none, .null?:
                check.problem("ncsei_subject_representation", .required,
                              "Required: true if you are the person shown or represent them, false otherwise.")
            case let other?:
                check.problem("ncsei_subject_representation", .type, "Must be true or false; got \(other.typeName).")
            }
            if let country = check.string(object, "country", length: 1...255) { details["country"] = .string(country) }
        }
        if let justification { details["justification"] = .string(justification) }
        if let originalWork { details["original_work"] = .string(originalWork) }

        guard check.problems.isEmpty, let name, let email, let owner = chosen["owner_notification"] else {
            return .failure(ValidationFailure(check.problems))
        }
        let reporter = Reporter(name: name, email: email.value, phone: tele, organization: company)
        return .success(SubmissionDraft(act: act, reporter: reporter, urls: urls, justification: justification,
                                        originalWork: originalWork, hostNotification: chosen["host_notification"],
                                        ownerNotification: owner, ncmecNotification: chosen["ncmec_notification"], details: details))
    }

    /// `urls`: one string, a URL per line; at most 250, no repeats, all on one host.
    static func urls(_ object: JSONObject, check: inout FieldChecker) -> [ReportedURL] {
        guard let text = check.string(object, "urls", required: "the URLs of the abuse, one per line", length: 1...Int.max, multiline: true) else {
            return []
        }
        let lines = text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        guard lines.count <= maximumURLs else {
            check.problem("urls", .tooMany, "Must list at most \(maximumURLs) URLs; got \(lines.count). Submit the rest as another report.")
            return []
        }
        var urls: [ReportedURL] = []
        var seen = Set<String>()
        var valid = true
        for (index, line) in lines.enumerated() {
            switch ReportedURL.parse(line) {
            case .success(let url):
                if !seen.insert(url.canonical).inserted {
                    check.problem("urls", .duplicate, "Line \(index + 1) repeats \(quoted(line)); list each URL once.")
                    valid = false
                } else {
                    urls.append(url)
                }
            case .failure(let failure):
                check.problem("urls", .format, "Line \(index + 1) must be an absolute http or https URL with a host, e.g. https://example.com/page; \(quoted(line)) \(failure.reason).")
                valid = false
            }
        }
        if let first = urls.first, let other = urls.first(where: { $0.host != first.host }) {
            check.problem("urls", .mismatch, "All URLs must be on one host name: \(quoted(first.host.description)) and \(quoted(other.host.description)) differ. Submit one report per host.")
            valid = false
        }
        return valid ? urls : []
    }

    /// Newline-separated addresses: at most 30, no repeats.
    static func addresses(_ object: JSONObject, _ key: String, check: inout FieldChecker) -> [IPAddress] {
        guard let text = check.string(object, key, length: 1...Int.max, multiline: true) else { return [] }
        let lines = text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        guard lines.count <= maximumIPs else {
            check.problem(key, .tooMany, "Must list at most \(maximumIPs) addresses; got \(lines.count).")
            return []
        }
        var addresses: [IPAddress] = []
        for (index, line) in lines.enumerated() {
            guard let address = IPAddress(line) else {
                check.problem(key, .format, "Line \(index + 1) must be an IPv4 or IPv6 address such as 203.0.113.7; got \(quoted(line)).")
                continue
            }
            if addresses.contains(address) {
                check.problem(key, .duplicate, "Line \(index + 1) repeats \(quoted(line)); list each address once.")
            } else {
                addresses.append(address)
            }
        }
        return addresses
    }

    /// Comma-separated `port/PROTOCOL` pairs such as `80/TCP, 53/UDP`: at most 30.
    static func portsProtocols(_ object: JSONObject, check: inout FieldChecker) -> [String] {
        guard let text = check.string(object, "ports_protocols", length: 1...2000) else { return [] }
        let items = text.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        guard items.count <= maximumPortsProtocols else {
            check.problem("ports_protocols", .tooMany, "Must list at most \(maximumPortsProtocols) ports; got \(items.count).")
            return []
        }
        var result: [String] = []
        for item in items {
            let parts = item.split(separator: "/")
            let protocols = ["TCP", "UDP", "SCTP"]
            guard parts.count == 2, let port = Int(parts[0]), (1...65535).contains(port), parts[0].allSatisfy(\.isNumber),
                  protocols.contains(parts[1].uppercased()) else {
                check.problem("ports_protocols", .format, "Each entry must be a port and a protocol such as \"80/TCP\" or \"53/UDP\" (TCP, UDP or SCTP); got \(quoted(item)).")
                continue
            }
            let normal = "\(port)/\(parts[1].uppercased())"
            if result.contains(normal) {
                check.problem("ports_protocols", .duplicate, "\(quoted(normal)) is listed twice; list it once.")
            } else {
                result.append(normal)
            }
        }
        return result
    }

    static let whoisFields = ["reg_who_request_type", "reg_who_requested_data_elements", "reg_who_legal_basis",
                              "reg_who_good_faith_affirmation", "reg_who_lawful_processing_agreement",
                              "reg_who_authorization_statement", "reg_who_requestor_type"]

    /// The optional registrar WHOIS disclosure request.
    static func whoisRequest(_ object: JSONObject, check: inout FieldChecker) -> JSONObject? {
        switch object["reg_who_request"] {
        case .none, .null?:
            return nil
        case .object(let request)?:
            let prefix = "reg_who_request."
            var result = JSONObject()
            check.rejectUnknown(in: request, allowed: whoisFields, removed: [:], path: prefix)
            if request["reg_who_request_type"].isAbsent {
                check.problem(prefix + "reg_who_request_type", .required, "Required: \"disclosure\" or \"invalid_whois\".")
            } else if let type = check.choice(request, "reg_who_request_type", ["disclosure", "invalid_whois"], path: prefix) {
                result["reg_who_request_type"] = .string(type)
            }
            let elementsPath = prefix + "reg_who_requested_data_elements"
            let valid = WhoisDataElement.allCases.map(\.rawValue)
            switch request["reg_who_requested_data_elements"] {
            case .array(let items)? where !items.isEmpty && items.count <= valid.count:
                var elements: [String] = []
                for (index, item) in items.enumerated() {
                    guard let text = item.stringValue, valid.contains(text) else {
                        check.problem("\(elementsPath)[\(index)]", .notAllowed, "Must be one of \(quotedList(valid)); got \(item.serialized()).")
                        continue
                    }
                    if elements.contains(text) {
                        check.problem("\(elementsPath)[\(index)]", .duplicate, "\(quoted(text)) is listed twice.")
                    } else {
                        elements.append(text)
                    }
                }
                result["reg_who_requested_data_elements"] = .array(elements.map(JSONValue.string))
            case .array?:
                check.problem(elementsPath, .length, "Must name from 1 to \(valid.count) data elements.")
            case .none, .null?:
                check.problem(elementsPath, .required, "Required: the data elements you ask for, such as [\"registrant_email\"].")
            case let other?:
                check.problem(elementsPath, .type, "Must be an array of data element names; got \(other.typeName).")
            }
            if let basis = check.string(request, "reg_who_legal_basis", path: prefix, required: "the legal basis of the request",
                                        length: 1...5000, multiline: true) {
                result["reg_who_legal_basis"] = .string(basis)
            }
            for (key, what) in [("reg_who_good_faith_affirmation", "you affirm that the request is made in good faith"),
                                ("reg_who_lawful_processing_agreement", "you agree to process the data lawfully")] {
                switch request[key] {
                case .bool(true)?: result[key] = true
                case .none, .null?: check.problem(prefix + key, .required, "Required: true, to state that \(what).")
                case let other?: check.problem(prefix + key, .notAllowed, "Must be true, to state that \(what); got \(other.serialized()).")
                }
            }
            if let statement = check.string(request, "reg_who_authorization_statement", path: prefix, length: 1...5000, multiline: true) {
                result["reg_who_authorization_statement"] = .string(statement)
            }
            if let type = check.choice(request, "reg_who_requestor_type", ["government", "corporation", "individual"], path: prefix) {
                result["reg_who_requestor_type"] = .string(type)
            }
            return result
        case let other?:
            check.problem("reg_who_request", .type, "Must be an object; got \(other.typeName).")
            return nil
        }
    }
}
