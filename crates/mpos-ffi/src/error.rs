//! [`MposError`]: the one error the shells see, flat, its message in both
//! languages and saying what to do next.

use mpos_core::CoreError;

/// What can go wrong at the boundary; the message is Traditional Chinese,
/// then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum MposError {
    /// The configuration cannot work (gateway URL, trust root, pin, folder).
    #[error("App 設定無效，請洽特店管理者。 The app's settings are invalid; contact your merchant administrator. ({0})")]
    InvalidConfig(String),
    /// The phone's storage (the transaction journal) failed.
    #[error("手機儲存空間異常，請釋放空間後重新開啟 App。 The phone's storage failed; free some space and open the app again. ({0})")]
    Storage(String),
    /// The app could not start its work.
    #[error("App 無法啟動，請重新開啟 App。 The app could not start; open it again. ({0})")]
    Startup(String),
    /// The audio was opened at a rate the reader link cannot use.
    #[error("此音訊取樣率無法連接讀卡機，請以 44.1 kHz 或 48 kHz 開啟音訊。 The audio rate of {0} Hz cannot carry the card reader's link; open the audio at 44.1 or 48 kHz.")]
    AudioRate(u32),
    /// An audio block larger than the buffers the shell was given.
    #[error("音訊區塊過大，請以 {capacity} 個取樣以內的區塊處理。 The audio block of {frames} frames is larger than the buffers ({capacity} frames); process smaller blocks.")]
    AudioBlockTooLarge {
        /// Frames asked for.
        frames: u32,
        /// Frames the buffers hold.
        capacity: u32,
    },
}

impl From<crate::sample_buffers::BlockTooLarge> for MposError {
    fn from(error: crate::sample_buffers::BlockTooLarge) -> MposError {
        MposError::AudioBlockTooLarge {
            frames: error.frames,
            capacity: error.capacity,
        }
    }
}

impl From<CoreError> for MposError {
    fn from(error: CoreError) -> MposError {
        match error {
            CoreError::InvalidConfig { reason } => MposError::InvalidConfig(reason),
            CoreError::Journal { reason } => MposError::Storage(reason),
            CoreError::Runtime { reason } => MposError::Startup(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_to_do_in_both_languages() {
        let errors = [
            MposError::InvalidConfig("pin".into()),
            MposError::Storage("disk full".into()),
            MposError::Startup("threads".into()),
            MposError::AudioRate(8_000),
            MposError::AudioBlockTooLarge {
                frames: 9_000,
                capacity: 4_800,
            },
        ];
        for error in errors {
            let text = error.to_string();
            assert!(
                text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{text}"
            );
            let english = text.split_once(". ").map_or(text.as_str(), |(_, en)| en);
            assert!(english.chars().any(|c| c.is_ascii_alphabetic()), "{text}");
        }
        assert_eq!(
            MposError::from(CoreError::Journal {
                reason: "disk".into()
            }),
            MposError::Storage("disk".into())
        );
    }
}
