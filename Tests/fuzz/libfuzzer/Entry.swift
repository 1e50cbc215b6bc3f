import Foundation

/// libFuzzer's entry point for the one fuzzing binary `scripts/fuzz` builds (ChatDomain's sources
/// and Tests/LiveChatTests/Fuzz/FuzzTargets.swift in one module): the target comes from
/// `LIVECHAT_FUZZ_TARGET`.
let selectedTarget: FuzzTarget = {
    guard let name = ProcessInfo.processInfo.environment["LIVECHAT_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
        fatalError("set LIVECHAT_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func livechatFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget.run(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}
