//! Card data intake: the HSM opens the envelope, then the reader's DUKPT
//! counter must be new (a replayed envelope is refused).

use crate::error::AppError;
use crate::hsm::OpenedCard;
use crate::state::AppState;
use mpos_wire::{CardPayload, ErrorCode};

/// Opens the card data and records the reader's counter.
pub async fn open_card(state: &AppState, payload: &CardPayload) -> Result<OpenedCard, AppError> {
    let card = state.hsm.open(payload).map_err(|e| {
        tracing::warn!(event = "card_data_invalid", reason = %e, masked_pan = %payload.masked_pan, "card data refused");
        AppError::from(ErrorCode::CardDataInvalid)
    })?;
    if !state
        .store
        .readers()
        .record_counter(&card.reader_id, card.counter, state.clock.now())
        .await?
    {
        tracing::warn!(event = "ksn_reused", reader_id = %card.reader_id, counter = card.counter, masked_pan = %card.masked_pan, "reader counter not above the last one");
        return Err(ErrorCode::KsnReused.into());
    }
    Ok(card)
}
