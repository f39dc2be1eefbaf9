@preconcurrency import Glibc
import CCurl

/// CURLOPT_OPENSOCKETFUNCTION, installed only for requests with an `addressFilter`: curl has
/// resolved the host and is about to connect to one of its addresses. The filter judges it;
/// a refused address gets no socket (curl moves on to the host's next address, and fails the
/// transfer with CURLE_COULDNT_CONNECT when none is left, which `completionError` reports as
/// `.refused`). Runs on the loop thread inside a curl call; never calls into curl.
extension UpstreamTransfer {
    func curlOpenSocket(_ address: UnsafeMutablePointer<curl_sockaddr>?) -> curl_socket_t {
        guard let address, phase == .running else { return CCURL_SOCKET_BAD }
        if let filter = request.addressFilter {
            guard let peer = UpstreamPeerAddress(curl: address), filter(peer) else {
                refusedAddresses += 1
                return CCURL_SOCKET_BAD
            }
            permittedAddresses += 1
        }
        let a = address.pointee
        return socket(a.family, a.socktype | Int32(SOCK_CLOEXEC.rawValue), a.protocol)
    }
}
