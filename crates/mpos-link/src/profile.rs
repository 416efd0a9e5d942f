//! What auto-configuration learned about a phone, kept per phone model.

use crate::message::LinkSettings;
use crate::phy::{BitRate, DEFAULT_DOWNLINK_AMPLITUDE, DEFAULT_UPLINK};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The link settings that work on one phone model, and how well they worked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkProfile {
    /// The phone model as the platform names it (e.g. `iPhone14,5`, `SM-A536E`).
    pub phone_model: String,
    /// Uplink rate and reader drive level.
    pub settings: LinkSettings,
    /// Downlink data amplitude, fraction of full scale.
    pub downlink_amplitude: f32,
    /// Whether the phone's microphone path inverts the signal (informative:
    /// the line code does not care).
    pub uplink_inverted: bool,
    /// Received signal amplitude at the chosen settings, fraction of full scale.
    pub rx_amplitude: f32,
    /// Eye SNR at the chosen settings, in dB.
    pub eye_snr_db: f32,
}

impl LinkProfile {
    /// The settings a reader starts with, before anything was learned.
    pub fn power_up_default(phone_model: &str) -> LinkProfile {
        LinkProfile {
            phone_model: phone_model.to_string(),
            settings: LinkSettings {
                rate: DEFAULT_UPLINK.0,
                level: DEFAULT_UPLINK.1,
            },
            downlink_amplitude: DEFAULT_DOWNLINK_AMPLITUDE,
            uplink_inverted: false,
            rx_amplitude: 0.0,
            eye_snr_db: 0.0,
        }
    }

    /// The uplink bit rate.
    pub fn uplink_rate(&self) -> BitRate {
        self.settings.rate
    }
}

/// Profiles by phone model, serialisable as one JSON object for the app's storage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileBook {
    profiles: BTreeMap<String, LinkProfile>,
}

impl ProfileBook {
    /// The profile remembered for a phone model.
    pub fn get(&self, phone_model: &str) -> Option<&LinkProfile> {
        self.profiles.get(phone_model)
    }

    /// Remembers a profile, replacing the model's previous one.
    pub fn remember(&mut self, profile: LinkProfile) {
        self.profiles.insert(profile.phone_model.clone(), profile);
    }

    /// Forgets a model's profile (after it stopped working).
    pub fn forget(&mut self, phone_model: &str) -> Option<LinkProfile> {
        self.profiles.remove(phone_model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phy::UplinkLevel;

    #[test]
    fn book_round_trips_through_json_by_model() {
        let mut book = ProfileBook::default();
        let mut profile = LinkProfile::power_up_default("Pixel 7");
        profile.settings = LinkSettings {
            rate: BitRate::Bps9600,
            level: UplinkLevel(2),
        };
        book.remember(profile.clone());
        book.remember(LinkProfile::power_up_default("SM-A536E"));
        let json = serde_json::to_string(&book).unwrap();
        assert!(json.contains("\"9600\""), "{json}");
        let back: ProfileBook = serde_json::from_str(&json).unwrap();
        assert_eq!(back.get("Pixel 7"), Some(&profile));
        assert_eq!(
            back.get("SM-A536E").unwrap().uplink_rate(),
            BitRate::Bps2400
        );
        assert_eq!(back.get("iPhone"), None);
    }

    #[test]
    fn remembering_replaces_and_forgetting_removes() {
        let mut book = ProfileBook::default();
        book.remember(LinkProfile::power_up_default("A"));
        let mut newer = LinkProfile::power_up_default("A");
        newer.downlink_amplitude = 1.0;
        book.remember(newer.clone());
        assert_eq!(book.get("A"), Some(&newer));
        assert_eq!(book.forget("A"), Some(newer));
        assert_eq!(book.get("A"), None);
    }
}
