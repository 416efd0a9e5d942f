//! Link-management messages used by auto-configuration.

use super::codec::Cursor;
use super::MessageError;
use crate::phy::{BitRate, UplinkLevel};
use serde::{Deserialize, Serialize};

/// An uplink rate and drive level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LinkSettings {
    /// Reader-to-phone bit rate.
    pub rate: BitRate,
    /// Reader's drive level onto the microphone line.
    pub level: UplinkLevel,
}

impl LinkSettings {
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.rate.code());
        out.push(self.level.0);
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let rate = BitRate::from_code(cursor.u8("rate")?)
            .ok_or(MessageError::InvalidField { field: "rate" })?;
        let level = UplinkLevel::from_code(cursor.u8("level")?)
            .ok_or(MessageError::InvalidField { field: "level" })?;
        Ok(LinkSettings { rate, level })
    }
}

/// LinkProbe (0x40): answer once with `pattern_len` bytes of PRBS-9 at these settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkProbe {
    /// Settings for the reply only; the reader then returns to its current ones.
    pub settings: LinkSettings,
    /// Pattern length, 1..=255 bytes.
    pub pattern_len: u8,
}

impl LinkProbe {
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), MessageError> {
        if self.pattern_len == 0 {
            return Err(MessageError::InvalidField {
                field: "pattern_len",
            });
        }
        self.settings.encode(out);
        out.push(self.pattern_len);
        Ok(())
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let settings = LinkSettings::decode(cursor)?;
        let pattern_len = cursor.u8("pattern_len")?;
        if pattern_len == 0 {
            return Err(MessageError::InvalidField {
                field: "pattern_len",
            });
        }
        Ok(LinkProbe {
            settings,
            pattern_len,
        })
    }
}

/// ProbeReply (0xC0): the settings used and the received test pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeReply {
    /// The settings this reply was sent with.
    pub settings: LinkSettings,
    /// PRBS-9 bytes, 1..=255 (checked by the phone, not the parser, to count bit errors).
    pub pattern: Vec<u8>,
}

impl ProbeReply {
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), MessageError> {
        if !(1..=255).contains(&self.pattern.len()) {
            return Err(MessageError::InvalidField { field: "pattern" });
        }
        self.settings.encode(out);
        out.extend_from_slice(&self.pattern);
        Ok(())
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let settings = LinkSettings::decode(cursor)?;
        let pattern = cursor.rest().to_vec();
        if !(1..=255).contains(&pattern.len()) {
            return Err(MessageError::InvalidField { field: "pattern" });
        }
        Ok(ProbeReply { settings, pattern })
    }
}
