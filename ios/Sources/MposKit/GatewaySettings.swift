import Foundation

/// Which gateway the app talks to and how it trusts it: `gateway.json` in
/// the app's bundle, the same file as Android's `assets/gateway.json`.
public struct GatewaySettings: Decodable, Equatable {
    /// The gateway's base URL, `https://...`.
    public var url: String
    /// The gateway's certificate (PEM), which the app trusts.
    public var trustRootPem: String
    /// The SHA-256 pin of the gateway's key.
    public var pinnedSpkiSha256: String

    /// Settings as given.
    public init(url: String, trustRootPem: String, pinnedSpkiSha256: String) {
        self.url = url
        self.trustRootPem = trustRootPem
        self.pinnedSpkiSha256 = pinnedSpkiSha256
    }

    /// Reads the JSON of `gateway.json`.
    public init(json: Data) throws {
        self = try JSONDecoder().decode(GatewaySettings.self, from: json)
    }

    private enum CodingKeys: String, CodingKey {
        case url = "gateway_url"
        case trustRootPem = "trust_root_pem"
        case pinnedSpkiSha256 = "pinned_spki_sha256"
    }
}
