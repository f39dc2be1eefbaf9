@preconcurrency import Glibc
import Foundation
import Testing

/// Self-signed certificates and TLS servers (openssl s_server, nginx) for the TLS and HTTP/2
/// tests. A missing tool is a test failure, not a skip: these are part of the test toolchain
/// (`openssl` and `nginx` Debian packages).
enum TLSFixtures {
    struct MissingTool: Error, CustomStringConvertible {
        let name: String
        var description: String {
            "\(name) is not installed; the TLS/HTTP2 upstream tests need it (apt-get install \(name))"
        }
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/reprise-upstream-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        return String(cString: made)
    }

    static func tool(_ name: String) throws -> String {
        guard let path = ChildProcess.find(name) else { throw MissingTool(name: name) }
        return path
    }

    /// Writes `cert.pem` and `key.pem` into `directory`, valid for `names` (subjectAltName).
    static func makeCertificate(
        in directory: String, names: String = "DNS:localhost,IP:127.0.0.1"
    ) throws -> (cert: String, key: String) {
        let openssl = try tool("openssl")
        let cert = directory + "/cert.pem"
        let key = directory + "/key.pem"
        try ChildProcess.run(
            openssl,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=\(names)",
            ])
        return (cert, key)
    }

    /// `openssl s_server -www` on 127.0.0.1 and a kernel-chosen port (it prints which).
    static func startOpenSSLServer(cert: String, key: String) throws -> (process: ChildProcess, port: Int) {
        let openssl = try tool("openssl")
        let server = try ChildProcess(
            openssl, ["s_server", "-accept", "127.0.0.1:0", "-www", "-cert", cert, "-key", key])
        guard server.waitForOutput(containing: "ACCEPT"), let port = acceptPort(server.text) else {
            server.stop()
            throw ChildProcess.SpawnError(description: "s_server did not start: \(server.text)")
        }
        return (server, port)
    }

    private static func acceptPort(_ text: String) -> Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT") }),
            let colon = line.lastIndex(of: ":")
        else { return nil }
        return Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
}

/// nginx serving HTTP/2 over TLS on a socket the test bound itself (handed over as fd 3 with
/// nginx's `NGINX` inherited-sockets variable, so no port is ever guessed). Serves `/hello`,
/// static files from `root/files/`, and proxies `/echo` to a scripted HTTP/1.1 server.
final class NginxFixture: @unchecked Sendable {
    let process: ChildProcess
    let port: Int
    let root: String

    init(directory: String, cert: String, key: String, echoPort: Int) throws {
        let nginx = try TLSFixtures.tool("nginx")
        let (fd, port) = try TestSockets.bind(listening: true)
        defer { close(fd) }
        self.port = port
        root = directory + "/www"
        try FileManager.default.createDirectory(atPath: root + "/files", withIntermediateDirectories: true)
        let user = geteuid() == 0 ? "user root;" : ""
        let config = """
            \(user)
            daemon off;
            worker_processes 1;
            error_log \(directory)/error.log warn;
            pid \(directory)/nginx.pid;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path \(directory)/body; proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fcgi; uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                server {
                    listen 127.0.0.1:\(port) ssl http2;
                    ssl_certificate \(cert);
                    ssl_certificate_key \(key);
                    root \(root);
                    location = /hello { add_header X-Conn $connection always; return 200 "hello\\n"; }
                    location /files/ { add_header X-Conn $connection always; }
                    location /echo {
                        proxy_pass http://127.0.0.1:\(echoPort);
                        proxy_http_version 1.1;
                        proxy_request_buffering off;
                        proxy_buffering off;
                    }
                }
            }
            """
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        process = try ChildProcess(
            nginx, ["-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/error.log"],
            environment: ["NGINX": "3;"], passing: fd)
    }

    var baseURL: String { "https://127.0.0.1:\(port)" }

    func stop() { process.stop() }
}
