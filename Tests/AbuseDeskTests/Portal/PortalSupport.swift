import Foundation
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

/// A browser without JavaScript: it keeps the form cookie and posts the form as multipart.
struct FormBrowser {
    let app: Application
    var cookie: String?
    var token: String?

    init(app: Application) {
        self.app = app
    }

    mutating func open(_ path: String = "/report/abuse") async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Accept": "text/html"]
        if let cookie { headers.replaceOrAdd(name: .cookie, value: cookie) }
        let response = try await app.send(.GET, path, headers: headers)
        remember(response)
        return response
    }

    private mutating func remember(_ response: TestingHTTPResponse) {
        if let set = response.headers.setCookie?[FormProtection.cookieName]?.string {
            cookie = "\(FormProtection.cookieName)=\(set)"
        }
        let html = response.body.string
        if let range = html.range(of: #"name="_csrf" value=""#) {
            token = String(html[range.upperBound...].prefix(while: { $0 != "\"" }))
        }
    }

    /// Posts `fields` (with the form's token unless given) and an optional file as the page's form would.
    mutating func submit(_ fields: [String: String], file: (name: String, bytes: [UInt8])? = nil,
                         headers extra: HTTPHeaders = [:], withToken: Bool = true) async throws -> TestingHTTPResponse {
        var all = fields
        if withToken, all["_csrf"] == nil, let token { all["_csrf"] = token }
        let boundary = "FormBoundary7MA4YWxk"
        var body = ByteBuffer()
        for (name, value) in all.sorted(by: { $0.key < $1.key }) {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"\(file?.name ?? "")\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        body.writeBytes(file?.bytes ?? [])
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers: HTTPHeaders = ["Content-Type": "multipart/form-data; boundary=\(boundary)", "Accept": "text/html"]
        if let cookie { headers.replaceOrAdd(name: .cookie, value: cookie) }
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        var response: TestingHTTPResponse?
        try await app.testing().test(.POST, "/report/abuse", headers: headers, body: body) { response = $0 }
        let answer = try #require(response)
        remember(answer)
        return answer
    }

    static let validFields: [String: String] = [
        "reporterName": "Jane Doe", "reporterEmail": "jane@example.org", "threatType": "IP Address",
        "incidentType": "Network Scanning", "attackMethod": "Port Scan", "date": "2026-11-20", "time": "10:00",
        "timeZone": "+01:00", "targetRows": "1", "target-0-source": "203.0.113.9", "target-0-destinationPort": "22",
        "reportNotes": "Port scans from this address all night.", "action": "submit",
    ]
}

extension String {
    /// How often `text` occurs.
    func occurrences(of text: String) -> Int {
        components(separatedBy: text).count - 1
    }
}
