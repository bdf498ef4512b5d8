import AbuseDeskCore
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct ServiceEndpointTests {
    @Test func healthAndReadiness() async throws {
        try await withTestApp { app in
            let health = try await app.send(.GET, "/healthz")
            #expect(health.status == .ok)
            #expect(try health.json["status"] == "ok")
            let ready = try await app.send(.GET, "/readyz")
            #expect(ready.status == .ok)
            #expect(try ready.json["status"] == "ready")
        }
    }

    @Test func metricsArePrometheusText() async throws {
        try await withTestApp(configure: { $0.trustForwardedFor = true }) { app in
            _ = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip())
            _ = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["sourceIp": "10.0.0.1"]))
            let metrics = try await app.send(.GET, "/metrics", headers: ["X-Forwarded-For": "10.1.2.3"])
            #expect(metrics.status == .ok)
            #expect(metrics.headers.first(name: .contentType)?.hasPrefix("text/plain") == true)
            let text = metrics.body.string
            #expect(text.contains(#"abusedesk_reports_filed_total{channel="report_api"} 1"#))
            #expect(text.contains(#"abusedesk_reports_rejected_total{channel="report_api"} 1"#))
            #expect(text.contains("abusedesk_intake_batch_requests_count 1"))
        }
    }

    /// QA finding 16: `curl $H/metrics` from the Internet showed per-route counts, sign-ins included.
    @Test func metricsAreForNeighboursAndTheTokensBearerOnly() async throws {
        let token = "a-metrics-token-of-some-length"
        try await withTestApp(configure: { $0.trustForwardedFor = true; $0.metricsToken = token }) { app in
            let outsider = try await app.send(.GET, "/metrics", headers: ["X-Forwarded-For": "198.51.100.7"])
            #expect(outsider.status == .forbidden && !outsider.body.string.contains("abusedesk_"))
            #expect(try outsider.json["code"] == "Forbidden")
            let wrongToken = try await app.send(.GET, "/metrics", headers: ["X-Forwarded-For": "198.51.100.7", "Authorization": "Bearer not-the-token-at-all"])
            #expect(wrongToken.status == .forbidden)
            let bearer = try await app.send(.GET, "/metrics", headers: ["X-Forwarded-For": "198.51.100.7", "Authorization": "Bearer \(token)"])
            #expect(bearer.status == .ok && bearer.body.string.contains("abusedesk_"))
            for neighbour in ["127.0.0.1", "10.0.0.8", "192.168.1.2", "172.20.0.1", "::1", "fd00::1"] {
                #expect(try await app.send(.GET, "/metrics", headers: ["X-Forwarded-For": neighbour]).status == .ok, "\(neighbour)")
            }
        }
        // Over a real socket, from loopback.
        try await withTestApp { app in
            let live = try await app.sendLive(.GET, "/metrics", body: ByteBuffer())
            #expect(live.status == .ok)
        }
    }
}

@Suite struct ConfigTests {
    @Test func defaults() throws {
        let config = try AppConfig.fromEnvironment([:])
        #expect(config.dataDirectory == "./data")
        #expect(config.store == .sqlite(path: "./data/abusedesk.sqlite"))
        #expect(config.rateLimitPerMinute == 60)
        #expect(config.sqliteSynchronous == .normal)
        #expect(config.v1Sunset == Date(timeIntervalSince1970: 1_803_859_200))
    }

    @Test func readsEverySetting() throws {
        let config = try AppConfig.fromEnvironment([
            "ABUSEDESK_DATA_DIR": "/var/lib/abusedesk", "DATABASE_URL": "postgres://u:p@db:5432/abuse",
            "ABUSEDESK_RATE_LIMIT": "off", "ABUSEDESK_V1_SUNSET": "2030-01-01", "ABUSEDESK_V1_DEPRECATION": "2029-06-01T12:00:00Z",
            "ABUSEDESK_TRUST_FORWARDED_FOR": "true", "ABUSEDESK_INTAKE_BATCH": "64", "ABUSEDESK_SQLITE_SYNCHRONOUS": "full",
        ])
        #expect(config.dataDirectory == "/var/lib/abusedesk")
        #expect(config.store == .postgres(url: "postgres://u:p@db:5432/abuse"))
        #expect(config.rateLimitPerMinute == nil)
        #expect(config.v1Sunset == Date(timeIntervalSince1970: 1_893_456_000))
        #expect(config.v1Deprecation == Date(timeIntervalSince1970: 1_875_009_600))
        #expect(config.trustForwardedFor)
        #expect(config.intakeBatchSize == 64)
        #expect(config.sqliteSynchronous == .full)
    }

    @Test func readsTheSettingsForTheOpenInternet() throws {
        let defaults = try AppConfig.fromEnvironment([:])
        #expect(defaults.receiptsPerHour == 20 && defaults.uploadQuotaBytes == 100 * 1024 * 1024)
        #expect(defaults.publicURL == nil && !defaults.isHTTPS && defaults.metricsToken == nil)
        let config = try AppConfig.fromEnvironment([
            "ABUSEDESK_RECEIPTS_PER_HOUR": "5", "ABUSEDESK_UPLOAD_QUOTA_MB": "7", "ABUSEDESK_PUBLIC_URL": "https://abuse.example.net/",
            "ABUSEDESK_METRICS_TOKEN": "0123456789abcdef0123", "LOG_LEVEL": "Debug",
        ])
        #expect(config.receiptsPerHour == 5 && config.uploadQuotaBytes == 7 * 1024 * 1024)
        #expect(config.publicURL == "https://abuse.example.net" && config.isHTTPS && config.metricsToken == "0123456789abcdef0123")
    }

    /// QA finding 15: `LOG_LEVEL=loud` was accepted silently.
    @Test func refusesWhatItCannotUse() {
        do {
            _ = try AppConfig.fromEnvironment([
                "LOG_LEVEL": "loud", "ABUSEDESK_RECEIPTS_PER_HOUR": "-1", "ABUSEDESK_UPLOAD_QUOTA_MB": "lots",
                "ABUSEDESK_PUBLIC_URL": "abuse.example.net", "ABUSEDESK_METRICS_TOKEN": "short",
            ])
            Issue.record("expected the configuration to be refused")
        } catch let error as AppConfig.Invalid {
            #expect(error.problems.count == 5)
            #expect(error.description.contains("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical; got \"loud\""))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func listsEveryProblemAtOnce() {
        do {
            _ = try AppConfig.fromEnvironment([
                "DATABASE_URL": "mysql://x", "ABUSEDESK_RATE_LIMIT": "lots", "ABUSEDESK_V1_SUNSET": "soon",
                "ABUSEDESK_TRUST_FORWARDED_FOR": "maybe", "ABUSEDESK_INTAKE_BATCH": "0", "ABUSEDESK_SQLITE_SYNCHRONOUS": "off",
            ])
            Issue.record("expected the configuration to be refused")
        } catch let error as AppConfig.Invalid {
            #expect(error.problems.count == 6)
            #expect(error.description.contains("ABUSEDESK_RATE_LIMIT must be a number of requests per minute above 0, or off; got \"lots\""))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
