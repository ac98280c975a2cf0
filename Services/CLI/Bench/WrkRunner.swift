import Foundation

/// Runs `wrk` with a Lua script whose `done()` prints one machine-readable line.
enum WrkRunner {
    static func run(url: String, script: String, threads: Int, connections: Int, seconds: Int) throws -> LoadResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = [
            "-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--timeout", "10s", "-s", script, url,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("TXAD ") }) else {
            throw CLIError("wrk produced no result:\n\(output)")
        }
        var values: [String: Double] = [:]
        for pair in line.dropFirst(5).split(separator: " ") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let v = Double(parts[1]) { values[String(parts[0])] = v }
        }
        var result = LoadResult()
        result.requests = Int(values["requests"] ?? 0)
        result.seconds = (values["duration_us"] ?? 0) / 1e6
        result.errors = Int((values["connect"] ?? 0) + (values["read"] ?? 0) + (values["write"] ?? 0) + (values["timeout"] ?? 0))
        result.non2xx = Int(values["status"] ?? 0)
        result.p50 = (values["p50"] ?? 0) / 1000
        result.p99 = (values["p99"] ?? 0) / 1000
        result.p999 = (values["p999"] ?? 0) / 1000
        return result
    }
}

/// wrk Lua scripts that replay generated traffic (``BenchTraffic``): every request carries distinct transactions
/// (so each is scored, not served from the cache), every wrk thread its own users, each user's rows in time order.
enum WrkScripts {
    private static func common(dataPrefix: String) -> String {
        """
        local counter = 0
        -- A global (not local) so that setup's thread:set gives every wrk thread its own value.
        thread_id = 0
        local threads = {}
        local stamps, bodies = {}, {}
        function setup(thread)
          thread:set("thread_id", #threads)
          table.insert(threads, thread)
        end
        local firstPass = {}
        function init(args)
          for line in io.lines("\(dataPrefix)" .. thread_id .. ".tsv") do
            local tab = string.find(line, "\t", 1, true)
            local stamp = tonumber(string.sub(line, 1, tab - 1))
            local body = string.sub(line, tab + 1)
            stamps[#stamps + 1] = stamp
            bodies[#bodies + 1] = body
            -- Formatted once here, so the load generator spends its (shared) CPU on sending, not on formatting.
            firstPass[#firstPass + 1] = '","timestamp":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ", stamp) .. '",' .. body
          end
        end
        function transaction(run, n)
          local i = (n - 1) % #bodies + 1
          local loop = math.floor((n - 1) / #bodies)
          if loop == 0 then
            return '{"transaction_id":"' .. run .. thread_id .. "-" .. n .. firstPass[i]
          end
          -- After the last row the file starts over, later in time by its whole span, under new ids.
          local stamp = os.date("!%Y-%m-%dT%H:%M:%SZ", stamps[i] + loop * \(BenchTraffic.replayShiftSeconds))
          return string.format('{"transaction_id":"%s%d-%d","timestamp":"%s",%s', run, thread_id, n, stamp, bodies[i])
        end
        function done(summary, latency, requests)
          io.write(string.format("TXAD requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d status=%d p50=%d p99=%d p999=%d\\n",
            summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
            summary.errors.timeout, summary.errors.status, latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
        end
        """
    }

    /// The `X-API-Key` header line for wrk, or nothing (keys are base62, so no quoting issue).
    static func keyHeader(_ apiKey: String?) -> String {
        apiKey.map { "wrk.headers[\"X-API-Key\"] = \"\($0)\"\n" } ?? ""
    }

    static func single(runID: String, dataPrefix: String, apiKey: String? = nil) -> String {
        common(dataPrefix: dataPrefix) + """

            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            \(keyHeader(apiKey))
            request = function()
              counter = counter + 1
              return wrk.format(nil, nil, nil, transaction("\(runID)s", counter))
            end
            """
    }

    static func batch(runID: String, size: Int, dataPrefix: String, apiKey: String? = nil) -> String {
        common(dataPrefix: dataPrefix) + """

            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            \(keyHeader(apiKey))
            request = function()
              local items = {}
              for i = 1, \(size) do
                counter = counter + 1
                items[i] = transaction("\(runID)b", counter)
              end
              return wrk.format(nil, nil, nil, "[" .. table.concat(items, ",") .. "]")
            end
            """
    }
}

/// Samples the resident memory of every txad process while a run goes on.
actor MemorySampler {
    private(set) var peaks: [String: Int] = [:]

    func run() async {
        while !Task.isCancelled {
            sample()
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    private func sample() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for entry in entries where entry.allSatisfy(\.isNumber) {
            guard let comm = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8) else { continue }
            let name = comm.trimmingCharacters(in: .whitespacesAndNewlines)
            guard name.hasPrefix("txad-") else { continue }
            guard let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
            else { continue }
            peaks[name] = max(peaks[name] ?? 0, kb / 1024)
        }
    }
}
