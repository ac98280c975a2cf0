import Foundation
import Prometheus
import Synchronization

/// The standard Prometheus process metrics, read from `/proc/self` when `/metrics` is scraped:
/// `process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_virtual_memory_bytes`,
/// `process_open_fds`, `process_max_fds` and `process_start_time_seconds`.
///
/// On systems without `/proc` (macOS) the values stay at zero.
final class ProcessMetrics: Sendable {
    private let cpu: Counter
    private let resident: Gauge
    private let virtual: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let startTime: Gauge
    /// CPU seconds already added to the counter (counters only go up, so each scrape adds the difference).
    private let countedCPU = Mutex<Double>(0)

    init(registry: PrometheusCollectorRegistry) {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "process", metricName: metric, unitName: unit, helpText: help)
        }
        cpu = registry.makeCounter(descriptor: name("cpu_seconds", "total", "User and system CPU time, in seconds."))
        resident = registry.makeGauge(descriptor: name("resident_memory", "bytes", "Resident memory size, in bytes."))
        virtual = registry.makeGauge(descriptor: name("virtual_memory", "bytes", "Virtual memory size, in bytes."))
        openFDs = registry.makeGauge(descriptor: name("open", "fds", "Open file descriptors."))
        maxFDs = registry.makeGauge(descriptor: name("max", "fds", "Limit of open file descriptors."))
        startTime = registry.makeGauge(
            descriptor: name("start_time", "seconds", "Start time of the process since the Unix epoch, in seconds."))
    }

    /// Reads the current values.
    func update() {
        #if os(Linux)
            guard let sample = Self.sample() else { return }
            let added = countedCPU.withLock { counted -> Double in
                let delta = max(0, sample.cpuSeconds - counted)
                counted += delta
                return delta
            }
            if added > 0 { cpu.increment(by: added) }
            resident.set(sample.residentBytes)
            virtual.set(sample.virtualBytes)
            openFDs.set(sample.openFDs)
            if let limit = sample.maxFDs { maxFDs.set(limit) }
            startTime.set(sample.startTime)
        #endif
    }

    struct Sample {
        var cpuSeconds: Double
        var residentBytes: Double
        var virtualBytes: Double
        var openFDs: Double
        var maxFDs: Double?
        var startTime: Double
    }

    /// One reading of `/proc/self/stat`, `/proc/self/fd`, `/proc/self/limits` and `/proc/stat`; nil if unreadable.
    static func sample() -> Sample? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "comm)": state is field 3; utime 14, stime 15, starttime 22, vsize 23, rss 24 (1-based).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 22, let utime = Double(fields[11]), let stime = Double(fields[12]),
            let start = Double(fields[19]), let vsize = Double(fields[20]), let rss = Double(fields[21])
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return Sample(
            cpuSeconds: (utime + stime) / ticks, residentBytes: rss * page, virtualBytes: vsize,
            openFDs: Double(fds), maxFDs: maxOpenFiles(), startTime: bootSeconds + start / ticks)
    }

    private static func maxOpenFiles() -> Double? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return Double(limit.rlim_cur)
    }

    /// Boot time in seconds since the epoch (`btime` in `/proc/stat`), read once.
    private static let bootSeconds: Double = {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }()
}
