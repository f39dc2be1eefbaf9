import Testing

@testable import Webhooks

@Suite struct WebhookAddressPolicyTests {
    /// Every address here must be refused by default.
    static let refused = [
        "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1",
        "127.255.0.9", "169.254.169.254", "169.254.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "192.0.0.8", "198.18.0.1", "198.19.255.255", "224.0.0.1", "239.1.2.3", "240.0.0.1", "255.255.255.255",
        "::", "::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::127.0.0.1",
        "64:ff9b::a00:1", "64:ff9b::127.0.0.1", "2002:c0a8:0101::1", "2002:7f00:1::", "fc00::1", "fd00:ec2::254",
        "fdff:ffff::1", "fe80::1", "febf::1", "fec0::1", "ff02::1", "ff0e::1",
    ]

    /// Public unicast addresses, including neighbours of the refused ranges.
    static let permitted = [
        "1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
        "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255",
        "192.169.0.0", "192.0.1.1", "198.17.255.255", "198.20.0.0", "223.255.255.255", "2606:4700:4700::1111",
        "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:0808:0808::1", "fbff::1", "fe00::1",
    ]

    @Test(arguments: refused)
    func refusesPrivateLoopbackLinkLocalMetadataAndMulticast(_ text: String) throws {
        let address = try #require(IPAddress(parsing: text))
        #expect(!WebhookAddressPolicy.permits(address, allowPrivate: false))
        #expect(WebhookAddressPolicy.permits(address, allowPrivate: true))
    }

    @Test(arguments: permitted)
    func permitsPublicUnicast(_ text: String) throws {
        let address = try #require(IPAddress(parsing: text))
        #expect(WebhookAddressPolicy.permits(address, allowPrivate: false))
    }

    @Test func judgesRawResolverBytes() {
        #expect(IPAddress(bytes: [127, 0, 0, 1]) == .v4(127, 0, 0, 1))
        let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 169, 254, 169, 254]
        #expect(!WebhookAddressPolicy.isPublic(IPAddress(bytes: mapped)!))
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test func parsesIPv6TextForms() {
        #expect(IPAddress(parsing: "::1")?.bytes == [UInt8](repeating: 0, count: 15) + [1])
        #expect(IPAddress(parsing: "[::1]")?.bytes == [UInt8](repeating: 0, count: 15) + [1])
        #expect(IPAddress(parsing: "::ffff:1.2.3.4")?.bytes == [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 1, 2, 3, 4])
        #expect(IPAddress(parsing: "1:2:3:4:5:6:7:8")?.description == "1:2:3:4:5:6:7:8")
        #expect(IPAddress(parsing: "1:2:3:4:5:6:1.2.3.4")?.description == "1:2:3:4:5:6:102:304")
        #expect(IPAddress(parsing: "fe80::1:2")?.description == "fe80:0:0:0:0:0:1:2")
        for bad in ["", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "fe80::1%eth0", "::1.2.3", "1.2.3.4.5",
            "256.1.1.1", "1.2.3", "01234.1.1.1", "a.b.c.d", "1:2:3:4:5:6:7::8:9"]
        {
            #expect(IPAddress(parsing: bad) == nil, "\(bad)")
        }
    }
}
