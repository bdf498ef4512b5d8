import Vapor

extension Request {
    /// The address the request came from, used for rate limiting. Behind a trusted proxy
    /// (`ABUSEDESK_TRUST_FORWARDED_FOR`), the first address of `X-Forwarded-For`.
    func clientAddress(trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let forwarded = headers.first(name: "X-Forwarded-For")?
            .split(separator: ",").first?.trimmingCharacters(in: .whitespaces), !forwarded.isEmpty {
            return forwarded
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}
