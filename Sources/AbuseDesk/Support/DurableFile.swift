import Foundation

/// Writes files so that they are on disk, not only in the page cache, when the call returns.
enum DurableFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".partial"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw POSIXFailure(operation: "open", path: temporary) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress.map { $0 + written }, bytes.count - written)
            }
            guard result > 0 else {
                close(descriptor)
                throw POSIXFailure(operation: "write", path: temporary)
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            close(descriptor)
            throw POSIXFailure(operation: "fsync", path: temporary)
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else { throw POSIXFailure(operation: "rename", path: path) }
        let directory = (path as NSString).deletingLastPathComponent
        let directoryDescriptor = open(directory, O_RDONLY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}

struct POSIXFailure: Error, CustomStringConvertible {
    let operation: String
    let path: String
    let code = errno

    var description: String { "\(operation) \(path) failed: \(String(cString: strerror(code)))" }
}
