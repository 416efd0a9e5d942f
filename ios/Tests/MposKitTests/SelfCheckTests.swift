import Foundation
import MposBindings
import MposKit
import MposTestSupport
import XCTest

/// The pre-shift check through the bindings, from the login screen: the
/// battery the shell reports, the reader over audio, the real gateway with
/// its clock moved ahead and a newer version announced.
final class SelfCheckTests: XCTestCase {
    private static var testbed: Testbed!

    override class func setUp() {
        super.setUp()
        testbed = Testbed.forSuite(appReleases: (latest: "9.0.0", minimum: "0.1.0"))
    }

    override class func tearDown() {
        testbed?.close()
        super.tearDown()
    }

    func testTheCheckSaysWhatIsWrongAndWhatToDoThenPassesOnceFixed() async throws {
        let testbed = Self.testbed!
        let phone = try TestPhone(testbed: testbed)
        try await phone.plugInReader()
        phone.session.setPhonePower(PhoneBattery.power(level: 0.76, charge: .unplugged))
        await phone.session.settle()
        try testbed.setClock(rfc3339(Date().addingTimeInterval(600)))

        try await phone.press(.openSelfCheck, then: .selfCheck)
        var view = try await finished(phone)
        XCTAssertEqual(view.checks.count, 10)
        XCTAssertEqual(try line(view, "Phone battery").value, "76%")
        let reader = try line(view, "Card reader")
        XCTAssertEqual(reader.state, .ok)
        XCTAssertTrue(reader.value.hasPrefix("Serial SIM-"), reader.value)
        XCTAssertTrue(try line(view, "Reader encryption keys").value.hasSuffix("transactions left"))
        XCTAssertTrue(try line(view, "Audio link quality").value.contains("bit/s"))
        XCTAssertEqual(try line(view, "Gateway connection").state, .ok)
        let clock = try line(view, "Phone clock")
        XCTAssertEqual(clock.state, .failed)
        XCTAssertTrue(clock.value.hasSuffix("s behind the gateway"), clock.value)
        XCTAssertTrue(clock.advice?.contains("automatic date and time") == true, clock.advice ?? "-")
        let version = try line(view, "App version")
        XCTAssertEqual(version.state, .warning)
        XCTAssertEqual(version.value, "0.1.0 (latest 9.0.0)")
        XCTAssertEqual(view.message?.code, "self_check_failed")

        try testbed.setClock(rfc3339(Date()))
        await phone.press(.runSelfCheck)
        view = try await finished(phone)
        XCTAssertEqual(try line(view, "Phone clock").state, .ok)
        XCTAssertEqual(view.message?.code, "self_check_attention")

        try await phone.press(.back, then: .login)
        try phone.close()
    }

    func testTheBatteryIsReadAsTheCoreCountsIt() {
        XCTAssertEqual(PhoneBattery.power(level: 0.764, charge: .unplugged), PhonePower(percent: 76, charging: false))
        XCTAssertEqual(PhoneBattery.power(level: 1, charge: .full), PhonePower(percent: 100, charging: true))
        XCTAssertEqual(PhoneBattery.power(level: 0.2, charge: .charging), PhonePower(percent: 20, charging: true))
        XCTAssertNil(PhoneBattery.power(level: -1, charge: .unknown), "a simulator cannot tell")
        XCTAssertNil(PhoneBattery.power(level: 0.5, charge: .unknown))
    }

    /// The check once no line is running any more.
    private func finished(_ phone: TestPhone) async throws -> ScreenView {
        try await phone.waitFor(.selfCheck) { view in
            view.busy == nil && !view.checks.contains { $0.state == .checking }
        }
    }

    private func line(_ view: ScreenView, _ label: String) throws -> CheckView {
        try XCTUnwrap(view.checks.first { $0.label == label }, "no line \(label) in \(view.checks.map(\.label))")
    }

    private func rfc3339(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
