//! Errors of the magnetic-stripe module: bad configuration or bad track text
//! handed to the encoder. Decoding never fails: a swipe that does not pass the
//! checks is simply not reported (see [`super::Rejection`] for why).

/// What went wrong setting up the decoder or encoding a track.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MagstripeError {
    /// The sample rate is outside the 8 to 48 kHz the decoder is built for.
    #[error("取樣率 {rate} Hz 不支援，請使用 8000 至 48000 Hz / sample rate {rate} Hz is not supported: use 8000 to 48000 Hz")]
    UnsupportedSampleRate {
        /// The rate asked for.
        rate: u32,
    },
    /// There is no such ISO 7811 track.
    #[error("磁軌 {track} 不存在，請使用 1、2 或 3 / track {track} does not exist: use 1, 2 or 3")]
    UnknownTrack {
        /// The track number asked for.
        track: u8,
    },
    /// The text cannot be written on that track.
    #[error("磁軌 {track} 的資料無效：{reason}，請檢查起始與結束符號及字元 / track {track} data is invalid: {reason}; check the sentinels and characters")]
    InvalidTrackData {
        /// The track number.
        track: u8,
        /// Which rule the text breaks.
        reason: &'static str,
    },
}
