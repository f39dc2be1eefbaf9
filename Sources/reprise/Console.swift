@preconcurrency import Glibc

/// Plain output for the command-line paths (help, version, config check) where JSON logs
/// would be noise. Not used while serving.
enum Console {
    static func out(_ s: String) { write(1, s + "\n") }
    static func error(_ s: String) { write(2, s + "\n") }

    /// Writes `contents` to `path` atomically enough for a port file (write, then rename).
    static func writeFile(_ path: String, _ contents: String) {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            error("reprise: cannot write \(tmp)")
            return
        }
        write(fd, contents)
        close(fd)
        rename(tmp, path)
    }

    private static func write(_ fd: Int32, _ s: String) {
        var s = s
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }
}
