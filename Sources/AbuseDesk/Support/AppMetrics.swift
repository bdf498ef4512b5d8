import AbuseDeskCore
import Prometheus

/// The service's own Prometheus metrics, served at `/metrics` with the HTTP metrics Vapor records.
struct AppMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let batchSize: ValueHistogram
    private let batchDuration: DurationHistogram
    private let rateLimitedCounter: Counter
    private let receiptsSkippedCounter: Counter
    private let filed: [IntakeChannel: Counter]
    private let rejected: [IntakeChannel: Counter]
    private let claimedCounter: Counter
    private let takeoverCounter: Counter
    private let sentCounter: Counter
    private let routingVersionGauge: Gauge

    private static func name(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "abusedesk", metricName: name, unitName: unit, helpText: help)
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        batchSize = registry.makeValueHistogram(
            descriptor: Self.name("intake_batch", unit: "requests", help: "Requests committed together in one intake transaction"),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256])
        batchDuration = registry.makeDurationHistogram(
            descriptor: Self.name("intake_commit", unit: "seconds", help: "Time to write and commit one intake transaction"),
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)])
        filed = Dictionary(uniqueKeysWithValues: IntakeChannel.allCases.map { channel in
            (channel, registry.makeCounter(descriptor: Self.name("reports_filed", unit: "total", help: "Reports filed, by intake channel"),
                                           labels: [("channel", channel.rawValue)]))
        })
        rejected = Dictionary(uniqueKeysWithValues: IntakeChannel.allCases.map { channel in
            (channel, registry.makeCounter(descriptor: Self.name("reports_rejected", unit: "total", help: "Report submissions refused by validation, by intake channel"),
                                           labels: [("channel", channel.rawValue)]))
        })
        receiptsSkippedCounter = registry.makeCounter(
            descriptor: Self.name("receipts_skipped", unit: "total",
                                  help: "Receipts not sent because their address had its hourly budget of receipts; the reports were filed"))
        rateLimitedCounter = registry.makeCounter(
            descriptor: Self.name("rate_limited", unit: "total", help: "Requests refused by the per-address rate limit"))
        claimedCounter = registry.makeCounter(
            descriptor: Self.name("outbox_claimed", unit: "total", help: "Queued e-mails this process claimed to send (each claim holds a lease)"))
        takeoverCounter = registry.makeCounter(
            descriptor: Self.name("outbox_lease_takeovers", unit: "total",
                                  help: "E-mails this process claimed after another process's lease on them ran out (that process stopped or lost the store)"))
        sentCounter = registry.makeCounter(
            descriptor: Self.name("outbox_sent", unit: "total", help: "E-mails this process handed to the mail server"))
        routingVersionGauge = registry.makeGauge(
            descriptor: Self.name("routing_version", unit: "", help: "The store's routing version this process routes reports by; equal on every healthy process"))
    }

    func outboxClaimed(_ count: Int, takenOver: Int) {
        claimedCounter.increment(by: Int64(count))
        if takenOver > 0 { takeoverCounter.increment(by: Int64(takenOver)) }
    }

    func outboxSent(_ count: Int) {
        if count > 0 { sentCounter.increment(by: Int64(count)) }
    }

    func routingVersion(_ version: Int64) {
        routingVersionGauge.set(Double(version))
    }

    func intakeBatch(size: Int, duration: Duration) {
        batchSize.record(Double(size))
        batchDuration.record(duration)
    }

    func reportsFiled(_ count: Int, channel: IntakeChannel) {
        filed[channel]?.increment(by: Int64(count))
    }

    func validationFailed(channel: IntakeChannel) {
        rejected[channel]?.increment()
    }

    func receiptsSkipped(_ count: Int) {
        if count > 0 { receiptsSkippedCounter.increment(by: Int64(count)) }
    }

    func rateLimited() {
        rateLimitedCounter.increment()
    }
}
