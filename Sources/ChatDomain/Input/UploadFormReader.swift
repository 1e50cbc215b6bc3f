/// `POST /chat/upload-file/`'s `multipart/form-data` body (RFC 7578) read as it streams in: the
/// `file` part is handed to a sink as it arrives (its first bytes kept for type detection), the
/// other parts are small text fields. One file, at most 16 fields of 1 KiB; every part names
/// itself with `Content-Disposition: form-data; name=…` (`HeaderValue`: quoted strings and
/// `filename*` as the RFCs write them).
package struct UploadFormReader: Sendable {
    package private(set) var fields: [String: String] = [:]
    package private(set) var fileName: String?
    package private(set) var fileSize = 0
    package private(set) var head: [UInt8] = []
    package private(set) var sawFile = false
    /// Bytes of the file part beyond the limit were dropped.
    package private(set) var tooLarge = false
    package private(set) var malformed = false

    package static let maxFieldBytes = 1024
    package static let maxFields = 16

    private var reader: MultipartReader
    private let limit: Int
    private var partName: String?
    private var partFileName: String?
    private var fieldBytes: [UInt8] = []

    /// nil unless `contentType` is `multipart/form-data` with a valid boundary.
    package init?(contentType: String?, limit: Int) {
        guard let contentType, let type = HeaderValue(contentType), type.value == "multipart/form-data",
              let boundary = type["boundary"], let reader = MultipartReader(boundary: boundary) else { return nil }
        self.reader = reader
        self.limit = limit
    }

    /// Reads the next bytes; `file` takes the file part's bytes (false: they could not be kept).
    package mutating func feed(_ bytes: some Collection<UInt8>, file: (ArraySlice<UInt8>) -> Bool) {
        guard !malformed else { return }
        for event in reader.feed(bytes) {
            switch event {
            case .headers(let headers): begin(headers)
            case .body(let chunk): body(chunk[...], file: file)
            case .partEnd: partComplete()
            }
            if malformed { return }
        }
        if reader.isMalformed { malformed = true }
    }

    /// Whether the whole body was read and well formed.
    package func finish() -> Bool { !malformed && reader.finish() }

    /// A part's `Content-Disposition` must be `form-data` with a `name`.
    private mutating func begin(_ headers: [(name: String, value: String)]) {
        let dispositions = headers.filter { $0.name.lowercased() == "content-disposition" }
        guard dispositions.count == 1, let disposition = HeaderValue(dispositions[0].value), disposition.value == "form-data",
              let name = disposition["name"] else {
            malformed = true
            return
        }
        partName = name
        partFileName = disposition["filename"]
    }

    private mutating func body(_ chunk: ArraySlice<UInt8>, file: (ArraySlice<UInt8>) -> Bool) {
        if partName == "file" {
            guard !sawFile else {
                // One file per upload: a second `file` part is refused, not appended.
                malformed = true
                return
            }
            fileSize += chunk.count
            guard fileSize <= limit else {
                tooLarge = true
                return
            }
            if head.count < FileKind.sniffLength { head += chunk.prefix(FileKind.sniffLength - head.count) }
            if !file(chunk) { malformed = true }
        } else if fieldBytes.count + chunk.count <= Self.maxFieldBytes {
            fieldBytes += chunk
        } else {
            malformed = true
        }
    }

    private mutating func partComplete() {
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
        guard fields.count < Self.maxFields, fields[name] == nil, let value = String(validating: fieldBytes, as: UTF8.self) else {
            malformed = true
            return
        }
        fields[name] = value
    }
}
