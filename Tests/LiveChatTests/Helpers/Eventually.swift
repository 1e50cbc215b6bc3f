import Foundation

/// Re-reads `value` until `done` holds and returns that value; throws a `TestFailure` naming the
/// last value read when `done` still does not hold after `timeout` seconds.
func eventually<T>(
    timeout: Double = 15, _ value: () async throws -> T, until done: (T) -> Bool,
    sourceLocation: String = #fileID, line: Int = #line
) async throws -> T {
    let deadline = Date().addingTimeInterval(timeout)
    var last = try await value()
    while !done(last) {
        guard Date() < deadline else {
            throw TestFailure("\(sourceLocation):\(line): condition not met within \(timeout)s; last value: \(String(describing: last).prefix(2000))")
        }
        try await Task.sleep(for: .milliseconds(20))
        last = try await value()
    }
    return last
}

/// ISO 8601 UTC with milliseconds and `Z`, as the seed writes timestamps.
func isISOMillis(_ value: Any?) -> Bool {
    guard let text = value as? String else { return false }
    return text.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil
}
