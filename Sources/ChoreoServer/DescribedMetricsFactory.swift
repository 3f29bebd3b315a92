import Metrics
import Prometheus

/// A swift-metrics factory that creates its metrics in one ``PrometheusCollectorRegistry``,
/// with `# HELP` text looked up by metric name.
///
/// swift-prometheus's `PrometheusMetricsFactory` registers every metric with an empty help, and
/// the registry refuses (traps on) one name registered with two different helps, so help text
/// cannot be added afterwards. This factory creates through the registry's descriptor API
/// instead. The app creates swift-metrics `Counter`/`Gauge`/`Timer` values with
/// `factory: self`, so no global `MetricsSystem.bootstrap` is needed and each app (and each
/// test) owns its registry.
package struct DescribedMetricsFactory: MetricsFactory {
    /// Where the metrics live; `emitToBuffer()` renders the text exposition.
    package let registry: PrometheusCollectorRegistry
    /// Help text by metric name (the swift-metrics label).
    package let help: [String: String]
    /// Buckets of every `Timer` (a Prometheus duration histogram).
    package let timerBuckets: [Duration]
    /// Buckets of every aggregating `Recorder` (a Prometheus value histogram).
    package let valueBuckets: [Double]

    package init(registry: PrometheusCollectorRegistry, help: [String: String], timerBuckets: [Duration], valueBuckets: [Double] = []) {
        self.registry = registry
        self.help = help
        self.timerBuckets = timerBuckets
        self.valueBuckets = valueBuckets
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help[label] ?? "")
    }

    package func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    package func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    package func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: valueBuckets)
    }

    package func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    package func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: timerBuckets)
    }

    package func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    package func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    package func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    package func destroyRecorder(_ handler: any RecorderHandler) {
        switch handler {
        case let gauge as Prometheus.Gauge: registry.unregisterGauge(gauge)
        case let histogram as ValueHistogram: registry.unregisterValueHistogram(histogram)
        default: break
        }
    }

    package func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
