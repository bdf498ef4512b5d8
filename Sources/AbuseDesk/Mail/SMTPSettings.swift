import Foundation

/// Where outgoing mail goes, from `ABUSEDESK_SMTP_URL` (`smtp://[user:pass@]host[:port]`, or `smtps://`
/// for TLS from the first byte), `ABUSEDESK_SMTP_STARTTLS` and `ABUSEDESK_SMTP_CA_FILE`.
public struct SMTPSettings: Sendable, Equatable {
    /// How the connection is protected.
    public enum Security: Sendable, Equatable {
        /// TLS from the first byte (`smtps://`, usually port 465).
        case implicitTLS
        /// Upgrade with STARTTLS when the server offers it; plain text otherwise.
        case startTLSWhenOffered
        /// Upgrade with STARTTLS; a server that does not offer it is refused.
        case startTLSRequired
        /// Never upgrade (a relay on the same host, say).
        case plain
    }

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var security: Security
    /// A PEM file of certificates to trust besides the system's (a private mail relay's own CA).
    public var trustedCertificatesFile: String?

    public init(host: String, port: Int, username: String? = nil, password: String? = nil, security: Security,
                trustedCertificatesFile: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.security = security
        self.trustedCertificatesFile = trustedCertificatesFile
    }

    /// Reads the settings; every problem is described for the configuration error.
    static func parse(url text: String, startTLS: String?, trustedCertificatesFile: String?) -> (settings: SMTPSettings?, problems: [String]) {
        var problems: [String] = []
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme),
              let host = components.host, !host.isEmpty else {
            return (nil, ["ABUSEDESK_SMTP_URL must look like smtp://user:password@mail.example.net:587 or smtps://mail.example.net:465 (user and password optional)"])
        }
        if !(components.path.isEmpty || components.path == "/") || components.query != nil {
            problems.append("ABUSEDESK_SMTP_URL takes no path or query: smtp://[user:password@]host[:port]")
        }
        var security: Security = scheme == "smtps" ? .implicitTLS : .startTLSWhenOffered
        switch (scheme, startTLS?.lowercased()) {
        case (_, nil), ("smtp", "auto"): break
        case ("smtp", "require"): security = .startTLSRequired
        case ("smtp", "off"): security = .plain
        case ("smtps", _): problems.append("ABUSEDESK_SMTP_STARTTLS applies to smtp:// only; smtps:// is TLS from the start")
        case (_, let other?): problems.append("ABUSEDESK_SMTP_STARTTLS must be auto, require or off; got \"\(other)\"")
        }
        if let file = trustedCertificatesFile, !FileManager.default.isReadableFile(atPath: file) {
            problems.append("ABUSEDESK_SMTP_CA_FILE must be a readable PEM file; \"\(file)\" is not")
        }
        let username = components.user?.removingPercentEncoding ?? components.user
        let password = components.password?.removingPercentEncoding ?? components.password
        if (username == nil) != (password == nil) {
            problems.append("ABUSEDESK_SMTP_URL must give both a user and a password, or neither")
        }
        guard problems.isEmpty else { return (nil, problems) }
        return (SMTPSettings(host: host, port: components.port ?? (scheme == "smtps" ? 465 : 25), username: username, password: password,
                                     security: security, trustedCertificatesFile: trustedCertificatesFile), [])
    }
}
