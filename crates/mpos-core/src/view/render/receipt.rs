//! 電子簽單: the e-receipt's QR code, sending it by e-mail or SMS, done.

use super::Ctx;
use crate::error::UserMessage;
use crate::receipt::qr::QrMatrix;
use crate::view::intent::{FieldId, Intent};
use crate::view::screen_view::{InputKind, QrView, ScreenId, ScreenView};
use crate::view::text::Text;
use mpos_wire::api::TransactionSummary;

/// The receipt of `transaction`.
pub(super) fn receipt(
    transaction: &TransactionSummary,
    qr: &QrMatrix,
    sent_to: &[String],
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let mut view = ctx.view(ScreenId::Receipt, Text::ReceiptTitle);
    view.fields = ctx.transaction_fields(transaction);
    if !sent_to.is_empty() {
        view.fields
            .push(ctx.field(Text::SentTo, sent_to.join(", ")));
    }
    view.qr = Some(QrView {
        content: transaction.receipt_url.clone(),
        size: qr.width,
        modules: pack(&qr.dark),
        svg: qr.to_svg(),
        caption: ctx.t(Text::PromptScanReceipt),
    });
    view.inputs = vec![ctx.input(
        FieldId::ReceiptContact,
        Text::ReceiptContact,
        InputKind::Contact,
    )];
    view.message = ctx.message(message);
    view.buttons = vec![
        ctx.primary(Text::SendReceipt, Intent::SendReceipt),
        ctx.secondary(Text::Done, Intent::FinishReceipt),
    ];
    view.back = Some(Intent::FinishReceipt);
    view
}

/// Eight modules per byte, the first in the highest bit.
fn pack(modules: &[bool]) -> Vec<u8> {
    modules
        .chunks(8)
        .map(|chunk| {
            chunk
                .iter()
                .enumerate()
                .fold(0u8, |byte, (i, &dark)| byte | (u8::from(dark) << (7 - i)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_packed_highest_bit_first() {
        let modules = [
            true, false, false, false, false, false, false, true, // 0x81
            true, true, // 0xC0, padded
        ];
        assert_eq!(pack(&modules), vec![0x81, 0xC0]);
    }

    #[test]
    fn a_packed_code_unpacks_to_the_same_modules() {
        let qr = QrMatrix::encode("https://gw.example/r/t1").unwrap();
        let packed = pack(&qr.dark);
        for y in 0..qr.width {
            for x in 0..qr.width {
                let i = (y * qr.width + x) as usize;
                let dark = packed[i / 8] >> (7 - i % 8) & 1 == 1;
                assert_eq!(dark, qr.is_dark(x, y));
            }
        }
    }
}
