import ChatDomain
import Foundation
import MultipartKit
import NIOCore

/// Reads a streamed `multipart/form-data` body: the `file` part goes to disk as it arrives (its
/// first bytes kept for type detection), the other parts are small text fields. Used by one task.
final class MultipartUpload {
    private(set) var fields: [String: String] = [:]
    private(set) var fileName: String?
    private(set) var fileSize = 0
    private(set) var head: [UInt8] = []
    private(set) var sawFile = false
    /// Bytes of the file part beyond the limit were dropped.
    private(set) var tooLarge = false
    private(set) var malformed = false

    private let parser: MultipartParser
    private let limit: Int
    private let output: FileHandle
    private var partName: String?
    private var partFileName: String?
    private var fieldBytes: [UInt8] = []
    private var writeFailed = false

    static let maxFieldBytes = 1024
    static let maxFields = 16

    init?(contentType: String?, limit: Int, writingTo file: URL) {
        guard let contentType, let boundary = Self.boundary(of: contentType) else { return nil }
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = try? FileHandle(forWritingTo: file) else { return nil }
        self.parser = MultipartParser(boundary: boundary)
        self.limit = limit
        self.output = output
        parser.onHeader = { [unowned self] name, value in self.header(name, value) }
        parser.onBody = { [unowned self] buffer in self.body(&buffer) }
        parser.onPartComplete = { [unowned self] in self.partComplete() }
    }

    func feed(_ buffer: ByteBuffer) {
        guard !malformed else { return }
        do { try parser.execute(buffer) } catch { malformed = true }
    }

    func finish() -> Bool {
        try? output.close()
        return !malformed && !writeFailed
    }

    private func header(_ name: String, _ value: String) {
        guard name.lowercased() == "content-disposition" else { return }
        partName = Self.parameter("name", in: value)
        partFileName = Self.parameter("filename", in: value)
    }

    private func body(_ buffer: inout ByteBuffer) {
        if partName == "file" {
            guard !sawFile else {
                // One file per upload: a second `file` part is refused, not appended.
                malformed = true
                return
            }
            if fileSize + buffer.readableBytes > limit {
                tooLarge = true
                fileSize += buffer.readableBytes
                return
            }
            fileSize += buffer.readableBytes
            if head.count < FileKind.sniffLength {
                head += buffer.readableBytesView.prefix(FileKind.sniffLength - head.count)
            }
            do { try output.write(contentsOf: buffer.readableBytesView) } catch { writeFailed = true }
        } else if fieldBytes.count + buffer.readableBytes <= Self.maxFieldBytes {
            fieldBytes += buffer.readableBytesView
        } else {
            malformed = true
        }
    }

    private func partComplete() {
        defer {
            partName = nil
            partFileName = nil
            fieldBytes = []
        }
        guard let name = partName else { return }
        if name == "file" {
            if !sawFile { fileName = partFileName ?? "" }
            sawFile = true
            return
        }
        guard fields.count < Self.maxFields else {
            malformed = true
            return
        }
        fields[name] = String(decoding: fieldBytes, as: UTF8.self)
    }

    static func boundary(of contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        return parameter("boundary", in: contentType)
    }

    /// A `key=value` or `key="value"` parameter of a header value.
    static func parameter(_ key: String, in header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
