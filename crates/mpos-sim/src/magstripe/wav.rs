//! WAV output of synthesized swipes: 16-bit PCM or 32-bit float, any
//! channel count, through `hound`.

use super::synth::SwipeAudio;
use std::io::{Seek, Write};

/// Sample format of the WAV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WavFormat {
    /// 16-bit signed PCM (clipped at full scale).
    I16,
    /// 32-bit IEEE float.
    F32,
}

/// Writes `audio` as a WAV stream to `out`.
pub fn write_wav<W: Write + Seek>(
    out: W,
    audio: &SwipeAudio,
    format: WavFormat,
) -> Result<(), hound::Error> {
    let spec = hound::WavSpec {
        channels: u16::try_from(audio.channels.len()).map_err(|_| hound::Error::TooWide)?,
        sample_rate: audio.sample_rate,
        bits_per_sample: match format {
            WavFormat::I16 => 16,
            WavFormat::F32 => 32,
        },
        sample_format: match format {
            WavFormat::I16 => hound::SampleFormat::Int,
            WavFormat::F32 => hound::SampleFormat::Float,
        },
    };
    let mut writer = hound::WavWriter::new(out, spec)?;
    for sample in audio.interleaved() {
        match format {
            WavFormat::I16 => {
                writer.write_sample((sample.clamp(-1.0, 1.0) * 32_767.0).round() as i16)?
            }
            WavFormat::F32 => writer.write_sample(sample)?,
        }
    }
    writer.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn audio() -> SwipeAudio {
        SwipeAudio {
            sample_rate: 22_050,
            channels: vec![vec![0.5, -0.25, 2.0], vec![0.0, 0.125, -2.0]],
            first_transition_s: 0.0,
            last_transition_s: 0.0,
        }
    }

    #[test]
    fn float_wav_round_trips_interleaved() {
        let mut bytes = Cursor::new(Vec::new());
        write_wav(&mut bytes, &audio(), WavFormat::F32).unwrap();
        bytes.set_position(0);
        let reader = hound::WavReader::new(bytes).unwrap();
        assert_eq!(reader.spec().channels, 2);
        assert_eq!(reader.spec().sample_rate, 22_050);
        let samples: Vec<f32> = reader.into_samples::<f32>().map(Result::unwrap).collect();
        assert_eq!(samples, vec![0.5, 0.0, -0.25, 0.125, 2.0, -2.0]);
    }

    #[test]
    fn pcm16_wav_is_scaled_and_clipped() {
        let mut bytes = Cursor::new(Vec::new());
        write_wav(&mut bytes, &audio(), WavFormat::I16).unwrap();
        bytes.set_position(0);
        let reader = hound::WavReader::new(bytes).unwrap();
        assert_eq!(reader.spec().bits_per_sample, 16);
        let samples: Vec<i16> = reader.into_samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(samples, vec![16_384, 0, -8_192, 4_096, 32_767, -32_767]);
    }
}
