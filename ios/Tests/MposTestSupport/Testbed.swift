import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The test world of the Rust workspace (`mpos-testbed`): the real gateway
/// process over TLS, the loopback SMTP server and the SMS provider, and
/// the administrator's side, reached over a small loopback API. It stops
/// when its standard input closes.
public final class Testbed {
    /// The gateway's base URL.
    public let gatewayUrl: String
    /// The gateway's certificate, which the app trusts.
    public let certPem: String
    /// The pin of the gateway's key.
    public let spkiSha256: String
    private let control: String
    private let process: Process
    private let input: Pipe

    /// Starts `mpos-testbed` (path: `MPOS_TESTBED`; its log: `MPOS_TESTBED_LOG`) and waits for its
    /// ready line; `appReleases` are the (latest, minimum) app versions the gateway announces.
    public init(slowIssuerMs: Int = 3_000, appReleases: (latest: String, minimum: String)? = nil) throws {
        let environment = ProcessInfo.processInfo.environment
        guard let binary = environment["MPOS_TESTBED"] else {
            throw TestFailure("set MPOS_TESTBED to target/debug/mpos-testbed")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--slow-issuer-ms", String(slowIssuerMs)]
            + (appReleases.map { ["--latest-app-version", $0.latest, "--minimum-app-version", $0.minimum] } ?? [])
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = Self.log(at: environment["MPOS_TESTBED_LOG"])
        try process.run()
        let line = Self.firstLine(of: output.fileHandleForReading)
        let ready = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
        guard ready["event"] as? String == "ready",
              let gatewayUrl = ready["gateway_url"] as? String,
              let certPem = ready["cert_pem"] as? String,
              let spkiSha256 = ready["spki_sha256"] as? String,
              let control = ready["control_url"] as? String
        else {
            throw TestFailure("mpos-testbed did not get ready: \(line)")
        }
        self.gatewayUrl = gatewayUrl
        self.certPem = certPem
        self.spkiSha256 = spkiSha256
        self.control = control
    }

    /// A testbed for a whole suite (started in its class `setUp`); without one no test can run, so the run stops.
    public static func forSuite(slowIssuerMs: Int = 3_000, appReleases: (latest: String, minimum: String)? = nil) -> Testbed {
        do {
            return try Testbed(slowIssuerMs: slowIssuerMs, appReleases: appReleases)
        } catch {
            fatalError("the test world did not start: \(error)")
        }
    }

    /// The administrator adds a phone user; the account, password and code come from the e-mail and SMS.
    public func createUser(perTransaction: Int = 50_000, perDay: Int = 500_000) throws -> Credentials {
        let user = try call("POST", "/users", body: ["per_transaction": perTransaction, "per_day": perDay])
        guard let username = user["username"] as? String,
              let password = user["default_password"] as? String,
              let code = user["activation_code"] as? String
        else { throw TestFailure("not a user: \(user)") }
        return Credentials(username: username, defaultPassword: password, activationCode: code)
    }

    /// Every transaction, as the merchant portal lists them.
    public func transactions() throws -> [[String: Any]] {
        try call("GET", "/transactions")["transactions"] as? [[String: Any]] ?? []
    }

    /// The settlement batches.
    public func batches() throws -> [[String: Any]] {
        try call("GET", "/batches")["batches"] as? [[String: Any]] ?? []
    }

    /// How many e-mails reached `address`.
    public func mailCount(_ address: String) throws -> Int {
        try call("GET", "/mail?to=\(address)")["count"] as? Int ?? -1
    }

    /// How many SMS reached `number`.
    public func smsCount(_ number: String) throws -> Int {
        try call("GET", "/sms?to=\(number)")["count"] as? Int ?? -1
    }

    /// Sets the gateway's test clock (RFC 3339); it runs on from there.
    public func setClock(_ now: String) throws {
        _ = try call("POST", "/clock", body: ["now": now])
    }

    /// Closes the testbed's standard input (it stops the gateway and ends) and waits for it.
    public func close() {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
    }

    /// One call of the control API, waited for (tests call it between steps).
    private func call(_ method: String, _ path: String, body: [String: Any]? = nil) throws -> [String: Any] {
        var request = URLRequest(url: URL(string: control + path)!, timeoutInterval: 60)
        request.httpMethod = method
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "content-type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        let answer = Answer()
        URLSession.shared.dataTask(with: request) { data, response, error in
            answer.result = error.map { .failure($0) }
                ?? .success((data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
            answer.done.signal()
        }.resume()
        answer.done.wait()
        let (data, status) = try answer.result.get()
        try check(status == 200, "\(method) \(path): HTTP \(status)")
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// A control call's answer, handed from URLSession's thread once (the semaphore orders it).
    private final class Answer: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var result: Result<(Data, Int), Error> = .failure(TestFailure("no answer"))
    }

    /// The testbed's log file, or nowhere.
    private static func log(at path: String?) -> FileHandle {
        guard let path, FileManager.default.createFile(atPath: path, contents: nil),
              let file = FileHandle(forWritingAtPath: path)
        else { return FileHandle.nullDevice }
        return file
    }

    /// Reads up to the first newline (the ready line), or what came before the end.
    private static func firstLine(of handle: FileHandle) -> String {
        var bytes = Data()
        while true {
            let chunk = handle.readData(ofLength: 1)
            if chunk.isEmpty || chunk.first == UInt8(ascii: "\n") { break }
            bytes.append(chunk)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
