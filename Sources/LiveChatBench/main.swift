import Foundation

// LiveChatBench: drives a running livechat server through its public API only.
do {
    let options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
    let results = try await Bench(options: options).run()
    print(Report.table(results, options: options))
    if let path = options.json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(results).write(to: URL(fileURLWithPath: path))
    }
    let failed = results.runs.contains { !$0.held } || results.reconnect.map { !$0.held } == true
    exit(failed && !options.findMax ? 1 : 0)
} catch {
    FileHandle.standardError.write(Data("LiveChatBench: \(error)\n".utf8))
    exit(2)
}
