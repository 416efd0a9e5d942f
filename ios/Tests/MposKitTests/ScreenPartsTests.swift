import Foundation
import MposBindings
import MposKit
import XCTest

/// The pieces the SwiftUI screens draw with, checked where Linux can:
/// every screen's layout, the accessibility names, the signature square,
/// the QR modules. (Every view the other tests see is also checked to be
/// fully drawn by its layout, when their phones close.)
final class ScreenPartsTests: XCTestCase {
    func testEveryScreenHasABodyWithButtonsUnlessItIsAWaitAndNoPartTwice() {
        let screens: [ScreenId] = [
            .login, .activation, .newPassword, .loading, .home, .amount, .refundAuthCode, .presentCard,
            .pinEntry, .wrongPin, .authorizing, .outcomeUnknown, .declined, .signature, .receipt, .queryPassword,
            .transactionSearch, .transactionDetail, .voidDone, .settlementReview, .settlementDone, .selfCheck,
        ]
        for screen in screens {
            let parts = ScreenLayout.parts(of: screen)
            XCTAssertFalse(parts.isEmpty, "\(screen)")
            XCTAssertEqual(Set(parts).count, parts.count, "\(screen) draws a part twice: \(parts)")
            let wait = screen == .loading || screen == .authorizing
            XCTAssertEqual(parts.contains(.buttons), !wait, "\(screen) has buttons unless it is a wait")
        }
        XCTAssertEqual(ScreenLayout.parts(of: .signature).filter { $0 == .signaturePad }.count, 1)
        XCTAssertTrue(ScreenLayout.parts(of: .receipt).contains(.qrCode))
        XCTAssertTrue(ScreenLayout.parts(of: .selfCheck).contains(.checks))
        XCTAssertTrue(ScreenLayout.parts(of: .pinEntry).contains(.pinPad))
    }

    func testThePinPadIsThreeRowsOfThreeAndTheTenthKeyAlone() {
        let keys = (0..<10).map { key in
            ButtonView(label: String((key + 7) % 10), intent: .pinKey(key: UInt8(key)), style: .secondary, enabled: true)
        }
        let rows = ScreenLayout.pinRows(of: PinPadView(keys: keys, label: "PIN", dots: "●●"))
        XCTAssertEqual(rows.map(\.count), [3, 3, 3, 1])
        XCTAssertEqual(rows.last?.first?.intent, .pinKey(key: 9))
        XCTAssertEqual(rows.flatMap { $0 }.map(\.label), keys.map(\.label), "the reader's order is kept")
        XCTAssertEqual(AccessibilityTags.intent(.pinKey(key: 4)), "intent:PinKey:4")
    }

    func testUiTestsFindInputsAndButtonsByWhatTheySendNotByTheirWords() {
        XCTAssertEqual(AccessibilityTags.input(.username), "input:username")
        XCTAssertEqual(AccessibilityTags.intent(.payNow), "intent:payNow")
        XCTAssertEqual(AccessibilityTags.intent(.chooseBrand(brand: .visa)), "intent:ChooseBrand:visa")
        XCTAssertEqual(AccessibilityTags.intent(.openTransaction(id: "t-1")), "intent:OpenTransaction:t-1")
    }

    func testAStrokeOnThePadLandsInTheCoresSquareAndBack() {
        let stroke = SignatureGeometry.stroke([(x: 0, y: 0), (x: 150, y: 55), (x: 400, y: 300)], width: 300, height: 110)
        XCTAssertEqual(stroke, [
            SignaturePoint(x: 0, y: 0), SignaturePoint(x: 500, y: 500), SignaturePoint(x: 1000, y: 1000),
        ], "beyond the pad is its edge")
        let back = SignatureGeometry.position(of: SignaturePoint(x: 500, y: 250), width: 300, height: 200)
        XCTAssertEqual(back.x, 150, accuracy: 0.001)
        XCTAssertEqual(back.y, 50, accuracy: 0.001)
        XCTAssertFalse(SignatureGeometry.isStroke([SignaturePoint(x: 1, y: 1)]), "a tap is no stroke")
    }

    func testQrModulesAreReadFromTheHighestBitFirst() {
        // A 3x3 code: the first row dark, the middle module dark, the rest light.
        // Bits, row by row: 111 010 000 -> 11101000 0.......
        let qr = QrView(content: "", size: 3, modules: Data([0b1110_1000, 0]), svg: "", caption: "")
        let dark = (0..<3).flatMap { y in (0..<3).map { x in qr.isDark(x: x, y: y) } }
        XCTAssertEqual(dark, [true, true, true, false, true, false, false, false, false])
    }
}
