//! [`CardHands`]: what the cardholder and the cashier do with a reader, the
//! same for the event-level [`VirtualReader`] and the reader on the far end
//! of the audio ([`crate::audio_loop::AudioLoop`]), so tests and the demo
//! drive either one.

use crate::reader::VirtualReader;
use mpos_cards::CardId;

/// The hands on a card reader.
pub trait CardHands: Send + Sync {
    /// Plugs the reader into the headset jack.
    fn plug_in(&self);
    /// Pulls the reader out of the jack.
    fn unplug(&self);
    /// Inserts a card into the chip slot.
    fn insert(&self, card: CardId);
    /// Inserts a chip card whose chip does not answer.
    fn insert_with_unreadable_chip(&self, card: CardId);
    /// Swipes a card's magnetic stripe.
    fn swipe(&self, card: CardId);
    /// Swipes a card so badly (pulled back halfway, noisy) that the stripe cannot be read.
    fn swipe_badly(&self, card: CardId);
    /// Takes the card out of the slot.
    fn remove_card(&self);
}

impl CardHands for VirtualReader {
    fn plug_in(&self) {
        VirtualReader::plug_in(self);
    }

    fn unplug(&self) {
        VirtualReader::unplug(self);
    }

    fn insert(&self, card: CardId) {
        VirtualReader::insert(self, card);
    }

    fn insert_with_unreadable_chip(&self, card: CardId) {
        VirtualReader::insert_with_unreadable_chip(self, card);
    }

    fn swipe(&self, card: CardId) {
        VirtualReader::swipe(self, card);
    }

    fn swipe_badly(&self, card: CardId) {
        VirtualReader::swipe_badly(self, card);
    }

    fn remove_card(&self) {
        VirtualReader::remove_card(self);
    }
}
